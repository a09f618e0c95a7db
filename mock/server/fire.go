package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// The dashboard's fire buttons. Each does what the matching /v0 call does,
// with realistic fake values drawn from the spec, so that the dashboard's
// tables, the outbox and what the receiver got agree:
//
//   - user.created and tenant.created create a record from a fake one's
//     writable fields;
//   - user.updated and tenant.updated set some writable fields, drawn
//     afresh, on a record picked at random (the account's tenant too);
//   - user.deleted and tenant.deleted delete the newest record (never the
//     account's tenant);
//   - a messaging webhook (a login link, a code) goes to the newest user
//     who has the address it is sent to.
//
// When there is no record to act on, the button answers 409 and says what
// to do. An event that the mock keeps no records for is fired as a fake
// payload, as it is.

// Actions of the record events, the part of their name after the model.
const (
	actionCreated = "created"
	actionUpdated = "updated"
	actionDeleted = "deleted"
)

// fireFake acts as the /v0 call of the event named in the body, {"event":
// "user.created"}, and answers with the id of the delivery of its webhook.
func (s *Server) fireFake(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Event string `json:"event"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		return badRequest(`Send {"event": "user.created"} (or another event name)`)
	}
	ev, err := openapi.Lookup(in.Event)
	if err != nil {
		return badRequest("%v", err)
	}
	id, err := s.fireEvent(r.Context(), ev)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"id": id})
	return nil
}

// conflict is a 409: there is nothing for the fired event to act on.
func conflict(format string, args ...any) error {
	return &httpError{status: http.StatusConflict, msg: fmt.Sprintf(format, args...)}
}

// draw returns the next number of the server's seeded stream, below n when
// n > 0.
func (s *Server) draw(n int) uint64 {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	if n > 0 {
		return uint64(s.rng.IntN(n))
	}
	return s.rng.Uint64()
}

func (s *Server) fireEvent(ctx context.Context, ev openapi.Event) (int64, error) {
	const source = "dashboard"
	if len(openapi.FromRecord(ev)) > 0 {
		u, err := s.newestUserFor(ctx, ev)
		if err != nil {
			return 0, err
		}
		return s.sendMessage(ctx, ev.Name, u, source)
	}
	model, action, _ := strings.Cut(ev.Name, ".")
	var fn changeFunc
	var err error
	switch model {
	case "user":
		fn, err = s.userChange(ctx, action)
	case "tenant":
		fn, err = s.tenantChange(ctx, action)
	}
	if err != nil {
		return 0, err
	}
	if fn == nil {
		return s.fireFakeOnly(ctx, ev)
	}
	_, id, err := s.change(ctx, ev.Name, source, fn)
	return id, err
}

// userChange is the change of users that an event of action makes, or nil
// for an action that the mock's API has not.
func (s *Server) userChange(ctx context.Context, action string) (changeFunc, error) {
	switch action {
	case actionCreated:
		p, err := s.fakePatch("user", userWritable, false)
		if err != nil {
			return nil, err
		}
		return s.createUserChange(p), nil
	case actionUpdated:
		id, err := s.pickUser(ctx, false)
		if err != nil {
			return nil, conflict("%v: there is no user to update; fire user.created first, or create one with POST /v0/users", err)
		}
		p, err := s.fakePatch("user", userWritable, true)
		if err != nil {
			return nil, err
		}
		return s.updateUserChange(id, p), nil
	case actionDeleted:
		id, err := s.pickUser(ctx, true)
		if err != nil {
			return nil, conflict("%v: there is no user to delete; fire user.created first, or create one with POST /v0/users", err)
		}
		return s.deleteUserChange(id), nil
	}
	return nil, nil
}

// tenantChange is the change of tenants that an event of action makes, or
// nil for an action that the mock's API has not.
func (s *Server) tenantChange(ctx context.Context, action string) (changeFunc, error) {
	switch action {
	case actionCreated:
		p, err := s.fakePatch("tenant", tenantWritable, false)
		if err != nil {
			return nil, err
		}
		return s.createTenantChange(p)
	case actionUpdated:
		id, err := s.pickTenant(ctx, false)
		if err != nil {
			return nil, err
		}
		p, err := s.fakePatch("tenant", tenantWritable, true)
		if err != nil {
			return nil, err
		}
		return s.updateTenantChange(id, p), nil
	case actionDeleted:
		id, err := s.pickTenant(ctx, true)
		if err != nil {
			return nil, conflict("%v: there is no tenant to delete (the account's own tenant, which holds the users, cannot be); fire tenant.created first, or create one with POST /v0/tenants", err)
		}
		return s.deleteTenantChange(id), nil
	}
	return nil, nil
}

// errNone means that no record matched; the caller says what to do.
var errNone = errors.New("no record")

// pickUser returns the id of the account's newest user, or of one at
// random. It errors with errNone when there is none.
func (s *Server) pickUser(ctx context.Context, newest bool) (int64, error) {
	var id int64
	err := s.pick(ctx, "users WHERE tenant_id = ?", "user_id", []any{s.root}, newest, &id)
	if err != nil {
		return 0, fmt.Errorf("%w: the Users table is empty", err)
	}
	return id, nil
}

// pickTenant returns the id of the newest tenant other than the account's
// (for deleted), or of any tenant at random. It errors with errNone when
// there is none.
func (s *Server) pickTenant(ctx context.Context, newest bool) (string, error) {
	var id string
	from, args := "tenants", []any(nil)
	if newest {
		from, args = "tenants WHERE tenant_id <> ?", []any{s.root}
	}
	if err := s.pick(ctx, from, "created_at, tenant_id", args, newest, &id); err != nil {
		return "", fmt.Errorf("%w: no tenant but the account's own", err)
	}
	return id, nil
}

// pick scans the key of one row of from (a table and its WHERE clause, with
// args) in order: the last if newest, else one at random.
func (s *Server) pick(ctx context.Context, from, order string, args []any, newest bool, key any) error {
	var n int
	if err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+from, args...).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errNone
	}
	offset := n - 1
	if !newest {
		offset = int(s.draw(n))
	}
	col := strings.Split(order, ", ")
	return s.db.r.QueryRowContext(ctx, `SELECT `+col[len(col)-1]+` FROM `+from+` ORDER BY `+order+` LIMIT 1 OFFSET ?`, append(args, offset)...).Scan(key)
}

// fakePatch draws a realistic fake record of model and keeps its writable
// fields: all of them, or, for an update, a random non-empty few.
func (s *Server) fakePatch(model string, writable []string, some bool) (patch, error) {
	f := fake.New(s.draw(0))
	rec, err := f.Record(model, s.cfg.Emitter.Mode)
	if err != nil {
		return nil, err
	}
	p := patch{}
	if err := members(rec, func(_, key []byte, v json.RawMessage) error {
		if slices.Contains(writable, string(key)) {
			p[string(key)] = v
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if !some || len(p) == 0 {
		return p, nil
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	keep := keys[s.draw(len(keys))]
	for _, k := range keys {
		if k != keep && s.draw(2) == 0 {
			delete(p, k)
		}
	}
	return p, nil
}

// newestUserFor returns the newest user who has every field that the
// messaging webhook ev is sent to (an email address, a phone number).
func (s *Server) newestUserFor(ctx context.Context, ev openapi.Event) (gen.User, error) {
	fields := slices.Sorted(maps.Values(openapi.FromRecord(ev)))
	fields = slices.Compact(fields)
	conds := make([]string, 0, len(fields))
	for _, f := range fields {
		conds = append(conds, fmt.Sprintf(`coalesce(json_extract(record, '$.%s'), '') <> ''`, strings.ReplaceAll(f, "'", "")))
	}
	var raw []byte
	err := s.db.r.QueryRowContext(ctx, `SELECT record FROM users WHERE tenant_id = ? AND `+strings.Join(conds, " AND ")+` ORDER BY user_id DESC LIMIT 1`, s.root).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return gen.User{}, conflict("No user to send %s to: it needs a user with %s; create one with POST /v0/users (or fire user.created), or give a user the missing field with PUT /v0/users/{userId}", ev.Name, strings.Join(fields, " and "))
	}
	if err != nil {
		return gen.User{}, err
	}
	var u gen.User
	return u, decodeJSON(raw, &u)
}

// fireFakeOnly queues a realistic fake webhook of ev, for an event that the
// mock keeps no records for.
func (s *Server) fireFakeOnly(ctx context.Context, ev openapi.Event) (int64, error) {
	body, err := fake.Payload(ev, fake.Options{Seed: s.draw(0), Mode: s.cfg.Emitter.Mode, Now: time.Now()})
	if err != nil {
		return 0, err
	}
	if err := openapi.Validate(ev, body); err != nil {
		return 0, fmt.Errorf("fake %s payload breaks the spec: %w", ev.Name, err)
	}
	var id int64
	err = s.db.tx(ctx, func(tx *sql.Tx) error {
		id, err = enqueue(ctx, tx, ev.Name, body, label(body), "dashboard", 0, time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return 0, err
	}
	s.wake()
	s.publishDelivery(ctx, id)
	return id, nil
}
