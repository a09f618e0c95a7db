package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

// schema holds users, tenants, the outbox and every delivery attempt in one
// SQLite database, so that a change and the webhook it fires commit together.
const schema = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tenants (
	tenant_id    TEXT PRIMARY KEY,
	record       TEXT NOT NULL,
	next_user_id INTEGER NOT NULL DEFAULT 1,
	created_at   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
	tenant_id TEXT NOT NULL,
	user_id   INTEGER NOT NULL,
	record    TEXT NOT NULL,
	PRIMARY KEY (tenant_id, user_id)
);
CREATE TABLE IF NOT EXISTS outbox (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	event       TEXT NOT NULL,
	body        BLOB NOT NULL,
	label       TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL,
	resend_of   INTEGER,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_at     INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	done_at     INTEGER,
	last_status INTEGER,
	last_error  TEXT,
	latency_us  INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_at);
CREATE TABLE IF NOT EXISTS attempts (
	outbox_id      INTEGER NOT NULL REFERENCES outbox (id),
	n              INTEGER NOT NULL,
	url            TEXT NOT NULL,
	started_at     INTEGER NOT NULL,
	status         INTEGER NOT NULL,
	latency_us     INTEGER NOT NULL,
	error          TEXT NOT NULL,
	excerpt        TEXT NOT NULL,
	retry_after_ms INTEGER NOT NULL,
	PRIMARY KEY (outbox_id, n)
);
`

// Outbox states.
const (
	statePending   = "pending"
	stateDelivered = "delivered"
	stateFailed    = "failed"
)

// store is the SQLite database. Every write goes through w, a pool of one
// connection, so there is exactly one writer; reads use r, which is w itself
// for an in-memory database.
type store struct {
	w, r   *sql.DB
	memory bool
}

// openStore opens (creating if needed) the database at path, or a private
// in-memory database for ":memory:".
func openStore(ctx context.Context, path string) (*store, error) {
	if path == ":memory:" {
		db, err := sql.Open("sqlite", "file::memory:?_pragma=foreign_keys(1)")
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
		s := &store{w: db, r: db, memory: true}
		if _, err := db.ExecContext(ctx, schema); err != nil {
			db.Close()
			return nil, fmt.Errorf("create schema: %w", err)
		}
		return s, nil
	}
	// The database holds users' records and what receivers answered: only
	// its owner may read it. SQLite gives its -wal and -shm files the
	// permissions of the database file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	// NORMAL is durable against a killed process (the WAL is in the OS
	// cache); only a power loss can lose the last commits.
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if _, err := w.ExecContext(ctx, schema); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	return &store{w: w, r: r}, nil
}

func (s *store) close() error {
	err := s.w.Close()
	if !s.memory {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// tx runs fn in a write transaction and commits when fn returns nil.
func (s *store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

func (s *store) meta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// outboxRow is a webhook waiting for, or done with, delivery.
type outboxRow struct {
	ID         int64
	Event      string
	Body       []byte
	Label      string
	Source     string
	ResendOf   sql.NullInt64
	State      string
	Attempts   int
	NextAt     int64
	CreatedAt  int64
	DoneAt     sql.NullInt64
	LastStatus sql.NullInt64
	LastError  sql.NullString
	LatencyUS  sql.NullInt64
}

const outboxColumns = `id, event, body, label, source, resend_of, state, attempts, next_at, created_at, done_at, last_status, last_error, latency_us`

func scanOutbox(sc interface{ Scan(...any) error }) (outboxRow, error) {
	var o outboxRow
	err := sc.Scan(&o.ID, &o.Event, &o.Body, &o.Label, &o.Source, &o.ResendOf, &o.State, &o.Attempts,
		&o.NextAt, &o.CreatedAt, &o.DoneAt, &o.LastStatus, &o.LastError, &o.LatencyUS)
	return o, err
}

// enqueue writes a webhook to the outbox inside tx and returns its id.
func enqueue(ctx context.Context, tx *sql.Tx, event string, body []byte, label, source string, resendOf int64, now int64) (int64, error) {
	var ro any
	if resendOf > 0 {
		ro = resendOf
	}
	var id int64
	err := tx.QueryRowContext(ctx,
		`INSERT INTO outbox (event, body, label, source, resend_of, state, attempts, next_at, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`,
		event, body, label, source, ro, statePending, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("write outbox: %w", err)
	}
	return id, nil
}

func (s *store) outbox(ctx context.Context, id int64) (outboxRow, error) {
	return scanOutbox(s.r.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
}

// recentOutbox returns the newest limit rows, newest first.
func (s *store) recentOutbox(ctx context.Context, limit int) ([]outboxRow, error) {
	return queryOutbox(s.r.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY id DESC LIMIT ?`, limit))
}

// due returns up to limit pending rows whose time has come, oldest first.
func (s *store) due(ctx context.Context, now int64, limit int) ([]outboxRow, error) {
	return queryOutbox(s.w.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE state = ? AND next_at <= ? ORDER BY id LIMIT ?`, statePending, now, limit))
}

// queryOutbox reads every row of an outbox query.
func queryOutbox(rows *sql.Rows, err error) ([]outboxRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		o, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// nextDue returns the earliest next_at of a pending row that is not in
// flight, or false if there is none.
func (s *store) nextDue(ctx context.Context, inflight map[int64]bool) (int64, bool, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT id, next_at FROM outbox WHERE state = ? ORDER BY next_at, id LIMIT ?`,
		statePending, len(inflight)+1)
	if err != nil {
		return 0, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return 0, false, err
		}
		if !inflight[id] {
			return at, true, nil
		}
	}
	return 0, false, rows.Err()
}

// attemptRow is one recorded delivery attempt.
type attemptRow struct {
	N            int    `json:"n"`
	URL          string `json:"url"`
	StartedAt    int64  `json:"startedAt"`
	Status       int    `json:"status"`
	LatencyUS    int64  `json:"-"`
	Error        string `json:"error,omitempty"`
	Excerpt      string `json:"excerpt"`
	RetryAfterMS int64  `json:"retryAfterMs,omitempty"`
}

func (s *store) attempts(ctx context.Context, id int64) ([]attemptRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT n, url, started_at, status, latency_us, error, excerpt, retry_after_ms
		FROM attempts WHERE outbox_id = ? ORDER BY n`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []attemptRow
	for rows.Next() {
		var a attemptRow
		if err := rows.Scan(&a.N, &a.URL, &a.StartedAt, &a.Status, &a.LatencyUS, &a.Error, &a.Excerpt, &a.RetryAfterMS); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// counts returns how many outbox rows are in each state.
func (s *store) counts(ctx context.Context) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT state, COUNT(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{statePending: 0, stateDelivered: 0, stateFailed: 0}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// isUniqueViolation reports whether err is a primary key or unique clash.
func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
