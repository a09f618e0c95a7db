// Package server is the mock Userfront: a fake REST API for users and
// tenants (/v0/users, /v0/tenants) whose every change fires the matching
// webhook, a durable delivery outbox in SQLite, and a live dashboard.
//
// A change and the webhook it fires are written in one transaction before
// the API answers. A worker delivers the outbox with the emitter's retry
// policy and records every attempt; a delivery is done only after a 2xx, so
// a restart, even after kill -9, resumes what was pending. Delivery is at
// least once: a webhook whose 2xx answer was lost with the process is sent
// again.
package server

import (
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/fake"
)

// Errors returned by this package. Match them with errors.Is.
var (
	// ErrConfig means the configuration is invalid; the message says which
	// setting and how to fix it.
	ErrConfig = errors.New("invalid server configuration")
	// ErrStarted means Start was called twice.
	ErrStarted = errors.New("delivery worker already started")
	// ErrClosed means the server was closed.
	ErrClosed = errors.New("server closed")
)

// Config configures a Server.
type Config struct {
	// DB is the SQLite database file, created if missing. ":memory:" keeps
	// nothing. Required.
	DB string
	// AdminKey is the API key that every /v0 call must carry as a Bearer
	// token, and that logs in to the dashboard. Required.
	AdminKey string
	// Emitter says where and how webhooks are delivered: target or routes,
	// webhook API key, mode, TLS trust, timeout and retry policy. Its Mode is
	// also the mode of every record.
	Emitter mock.Config
	// Workers is how many deliveries run at once. Default 1, which
	// delivers in the order the changes happened.
	Workers int
	// Seed seeds the fake payloads of the dashboard's fire buttons and the
	// account's tenant of a new database; 0 picks one at random.
	Seed uint64
	// Logf, if set, receives one line per delivery attempt.
	Logf func(format string, args ...any)
}

// Server is the mock Userfront. Create it with New, serve Handler, and run
// the delivery worker with Start; Close stops everything.
type Server struct {
	cfg        Config
	mode       string
	emitter    *mock.Emitter
	db         *store
	root       string // the account's tenant id
	events     *broker
	notify     chan struct{}
	sessionKey []byte // signs the dashboard's session cookies
	loggedOut  revoked
	ping       time.Duration // how often a dashboard stream is pinged
	login      string        // code of the dashboard login link, random per Server
	rng        *rand.Rand
	rngMu      sync.Mutex
	pubMu      sync.Mutex // orders the dashboard's delivery updates

	mu      sync.Mutex
	started bool
	closed  bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// New validates cfg, opens the database (creating its tables and the
// account's tenant on first use) and builds the emitter. It errors with
// ErrConfig for a missing or invalid setting, and when the database cannot
// be opened.
func New(cfg Config) (*Server, error) {
	if cfg.DB == "" {
		return nil, fmt.Errorf("%w: no database: give a file path (e.g. --db ufhook.db), or :memory: to keep nothing", ErrConfig)
	}
	if cfg.AdminKey == "" {
		return nil, fmt.Errorf("%w: no admin key: set one (e.g. --admin-key), every /v0 call must carry it as a Bearer token", ErrConfig)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.Workers > 64 {
		return nil, fmt.Errorf("%w: %d workers is too many: use at most 64", ErrConfig, cfg.Workers)
	}
	if cfg.Emitter.Mode == "" {
		cfg.Emitter.Mode = gen.ModeTest
	}
	if cfg.Emitter.Concurrency == 0 {
		cfg.Emitter.Concurrency = cfg.Workers
	}
	em, err := mock.NewEmitter(cfg.Emitter)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	var code [32]byte
	if _, err := crand.Read(code[:]); err != nil {
		em.Close()
		return nil, fmt.Errorf("dashboard login code: %w", err)
	}
	mac := hmac.New(sha256.New, []byte(cfg.AdminKey))
	mac.Write([]byte("ufhook dashboard session v2"))
	ctx := context.Background()
	db, err := openStore(ctx, cfg.DB)
	if err != nil {
		em.Close()
		return nil, fmt.Errorf("database %s: %w (check the path and its permissions)", cfg.DB, err)
	}
	s := &Server{
		cfg:        cfg,
		mode:       string(cfg.Emitter.Mode),
		emitter:    em,
		db:         db,
		events:     newBroker(),
		notify:     make(chan struct{}, 1),
		sessionKey: mac.Sum(nil),
		loggedOut:  revoked{ids: map[string]int64{}},
		ping:       15 * time.Second,
		login:      hex.EncodeToString(code[:]),
		rng:        rand.New(rand.NewPCG(seed, seed>>1|1)),
	}
	if err := s.initRoot(ctx, seed); err != nil {
		db.close()
		em.Close()
		return nil, fmt.Errorf("database %s: %w", cfg.DB, err)
	}
	return s, nil
}

// initRoot creates the account's tenant of a new database, where users
// created through the API live.
func (s *Server) initRoot(ctx context.Context, seed uint64) error {
	if id, ok, err := s.db.meta(ctx, "root_tenant"); err != nil {
		return err
	} else if ok {
		s.root = id
		return nil
	}
	ft := fake.New(seed).Tenant(gen.Mode(s.mode))
	t := newTenant(s.mode)
	if ft.Name != "" {
		t.Name = ft.Name
	} else {
		t.Name = "Demo Workspace"
	}
	if v, err := ft.Image.Get(); err == nil {
		t.Image.Set(v)
	}
	return s.db.tx(ctx, func(tx *sql.Tx) error {
		if err := insertTenant(ctx, tx, &t, time.Now()); err != nil {
			return err
		}
		s.root = t.TenantID
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('root_tenant', ?)`, t.TenantID)
		return err
	})
}

// RootTenant returns the id of the account's tenant, where users created
// through POST /v0/users live.
func (s *Server) RootTenant() string { return s.root }

// LoginPath returns the path of the dashboard's login link,
// "/ui/login?code=<code>". Opening it in a browser sets the dashboard's
// session cookie and redirects to the dashboard, so nobody has to paste the
// admin key. The code is 256 random bits, made anew by each New; it is
// neither the admin key nor derived from it, and it opens only the
// dashboard, not the REST API. It is a secret: print it only to the person
// who runs the server.
func (s *Server) LoginPath() string { return "/ui/login?code=" + s.login }

// Handler returns the HTTP handler of the REST API (/v0/...), the
// dashboard (/) and its JSON and event-stream endpoints (/ui/...).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routeAPI(mux)
	s.routeDashboard(mux)
	return mux
}

// Start runs the delivery worker until ctx is done or Close is called. Rows
// left pending by an earlier run, even one that was killed, are delivered
// first. It errors with ErrStarted when called twice and ErrClosed after
// Close.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.started {
		return ErrStarted
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		s.deliver(ctx)
	}()
	return nil
}

// Close ends the dashboard's event streams, stops the worker (an attempt
// in flight is abandoned and stays pending), and closes the database. It is
// safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	s.events.close()
	if cancel != nil {
		cancel()
		<-done
	}
	s.emitter.Close()
	return s.db.close()
}

// Serve serves Handler on ln and runs the worker until ctx is done, then
// shuts down gracefully and closes s. It returns nil after a shutdown asked
// for by ctx, the error that stopped the HTTP server, or ErrStarted or
// ErrClosed as Start does.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	s.events.close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	serr := hs.Shutdown(sctx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, serr, s.Close())
}

// wake tells the worker that the outbox has new rows.
func (s *Server) wake() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// authorized reports whether r carries the admin key as a Bearer token.
func (s *Server) authorized(r *http.Request) (bool, string) {
	tok, err := bearer.Parse(r.Header.Get("Authorization"))
	if err != nil {
		return false, "Missing authentication"
	}
	if !bearer.Equal(tok, s.cfg.AdminKey) {
		return false, "Unauthorized"
	}
	return true, ""
}

// WaitIdle blocks until no delivery is pending and returns how many
// deliveries are in each state ("pending", "delivered", "failed"). It
// errors when ctx ends first, saying how many are still pending. A failed
// delivery is not pending: it waits for a resend from the dashboard.
func (s *Server) WaitIdle(ctx context.Context) (map[string]int, error) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		c, err := s.db.counts(ctx)
		if err == nil && c[statePending] == 0 {
			return c, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("%d deliveries still pending: %w", c[statePending], ctx.Err())
			}
			return c, err
		case <-t.C:
		}
	}
}

// Counts returns how many deliveries are in each state: "pending",
// "delivered" and "failed". It errors when the database cannot be read.
func (s *Server) Counts(ctx context.Context) (map[string]int, error) {
	return s.db.counts(ctx)
}
