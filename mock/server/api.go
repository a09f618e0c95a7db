package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// apiError is Userfront's error body:
// {"statusCode": 400, "message": "...", "error": {"type": "bad_request_error"}}.
// Userfront's captured errors use the type bad_request_error for every
// status, 401, 404 and 500 included.
type apiError struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	Error      struct {
		Type string `json:"type"`
	} `json:"error"`
}

// httpError is an error with the status and message the API answers with.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &httpError{status: http.StatusNotFound, msg: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers with Userfront's error body. Errors that are not an
// *httpError are internal.
func writeError(w http.ResponseWriter, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		he = &httpError{status: http.StatusInternalServerError, msg: "An internal server error occurred: " + err.Error()}
	}
	body := apiError{StatusCode: he.status, Message: he.msg}
	body.Error.Type = "bad_request_error"
	writeJSON(w, he.status, body)
}

// list is Userfront's paginated list shape.
type list struct {
	TotalCount int               `json:"totalCount"`
	TotalPages int               `json:"totalPages"`
	Page       int               `json:"page"`
	Limit      int               `json:"limit"`
	Results    []json.RawMessage `json:"results"`
}

func (s *Server) routeAPI(mux *http.ServeMux) {
	h := func(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
		return guard(func(r *http.Request) string {
			_, msg := s.authorized(r)
			return msg
		}, fn)
	}
	mux.Handle("POST /v0/users", h(s.createUser))
	mux.Handle("GET /v0/users", h(s.listUsers))
	mux.Handle("GET /v0/users/{userId}", h(s.getUser))
	mux.Handle("PUT /v0/users/{userId}", h(s.updateUser))
	mux.Handle("DELETE /v0/users/{userId}", h(s.deleteUser))
	mux.Handle("POST /v0/tenants", h(s.createTenant))
	mux.Handle("GET /v0/tenants", h(s.listTenants))
	mux.Handle("GET /v0/tenants/{tenantId}", h(s.getTenant))
	mux.Handle("PUT /v0/tenants/{tenantId}", h(s.updateTenant))
	mux.Handle("DELETE /v0/tenants/{tenantId}", h(s.deleteTenant))
	mux.Handle("POST /v0/auth/link", h(s.sendLink))
	mux.Handle("POST /v0/auth/code", h(s.sendCode))
	mux.Handle("/v0/", h(func(w http.ResponseWriter, r *http.Request) error {
		return notFound("Not Found: %s %s is not a route of this mock; it serves GET and POST /v0/users, GET, PUT and DELETE /v0/users/{userId}, the same for /v0/tenants, and POST /v0/auth/link and /v0/auth/code", r.Method, r.URL.Path)
	}))
}

// guard answers 401 with Userfront's error body when check returns a
// message, and otherwise runs fn, answering its error in the same body.
func guard(check func(*http.Request) string, fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg := check(r); msg != "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ufhook"`)
			writeError(w, &httpError{status: http.StatusUnauthorized, msg: msg})
			return
		}
		if err := fn(w, r); err != nil {
			writeError(w, err)
		}
	})
}

// readPatch reads a bounded request body of writable fields.
func readPatch(w http.ResponseWriter, r *http.Request, allowed []string, what string) (patch, error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	return decodePatch(body, allowed, what)
}

// readBody reads a bounded request body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("The request body is larger than %d bytes", maxBody)}
	}
	if err != nil {
		return nil, badRequest("Could not read the request body: %v", err)
	}
	return b, nil
}

// fire builds the webhook of ev from rest, the REST API's JSON of the
// record, by dropping the properties that the spec marks x-rest-only,
// validates it against the spec and writes it to the outbox in tx.
func (s *Server) fire(ctx context.Context, tx *sql.Tx, ev openapi.Event, schema *openapi3.Schema, rest json.RawMessage, source string, now time.Time) (int64, error) {
	record, err := webhookRecord(rest, schema)
	if err != nil {
		return 0, err
	}
	body, err := webhookBody(ev, s.mode, record)
	if err != nil {
		return 0, err
	}
	if err := openapi.Validate(ev, body); err != nil {
		return 0, invalidRecord(err)
	}
	return enqueue(ctx, tx, ev.Name, body, label(body), source, 0, now.UnixMilli())
}

// changeFunc writes one change of records in tx and returns the changed
// record as the REST API shows it.
type changeFunc func(ctx context.Context, tx *sql.Tx, now time.Time) (rest any, err error)

// mutate runs one API change (see change) and answers 200 with the record.
func (s *Server) mutate(w http.ResponseWriter, r *http.Request, event string, fn changeFunc) error {
	answer, _, err := s.change(r.Context(), event, "api", fn)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, answer)
	return nil
}

// change runs one change of records: in a single write transaction, fn
// writes the records and returns the record as the REST API shows it, and
// the webhook of event, built from that record, goes to the outbox with
// source ("api", "dashboard"). After the commit it wakes the worker and
// tells the dashboard. It returns the record's JSON and the delivery's id.
func (s *Server) change(ctx context.Context, event, source string, fn changeFunc) (json.RawMessage, int64, error) {
	ev, err := openapi.Lookup(event)
	if err != nil {
		return nil, 0, err
	}
	schema, err := recordSchema(ev)
	if err != nil {
		return nil, 0, err
	}
	now := time.Now()
	var answer json.RawMessage
	var id int64
	err = s.db.tx(ctx, func(tx *sql.Tx) error {
		rec, err := fn(ctx, tx, now)
		if err != nil {
			return err
		}
		if answer, err = encodeRecord(rec, schema); err != nil {
			return err
		}
		id, err = s.fire(ctx, tx, ev, schema, answer, source, now)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	s.wake()
	s.events.publish("records", map[string]string{"event": event})
	s.publishDelivery(ctx, id)
	return answer, id, nil
}

// invalidRecord turns a schema violation of the record into a 400 that
// names the offending fields.
func invalidRecord(err error) error {
	var ve *openapi.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	parts := make([]string, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		field := strings.TrimPrefix(strings.TrimPrefix(p.Path, "/record"), "/")
		if field == "" {
			field = "record"
		}
		parts = append(parts, field+": "+p.Message)
	}
	return badRequest("Invalid value: %s", strings.Join(parts, "; "))
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func (s *Server) tenant(ctx context.Context, q querier, id string) (gen.Tenant, error) {
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT record FROM tenants WHERE tenant_id = ?`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return gen.Tenant{}, notFound("Not Found: no tenant has tenantId %q (list them with GET /v0/tenants)", id)
	}
	if err != nil {
		return gen.Tenant{}, err
	}
	var t gen.Tenant
	return t, decodeJSON(raw, &t)
}

func (s *Server) user(ctx context.Context, q querier, id int64) (gen.User, error) {
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT record FROM users WHERE tenant_id = ? AND user_id = ?`, s.root, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return gen.User{}, notFound("Not Found: no user has userId %d (list them with GET /v0/users)", id)
	}
	if err != nil {
		return gen.User{}, err
	}
	var u gen.User
	return u, decodeJSON(raw, &u)
}

func userID(r *http.Request) (int64, error) {
	raw := r.PathValue("userId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return 0, notFound("Not Found: userId %q is not a positive integer", raw)
	}
	return id, nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	p, err := readPatch(w, r, userWritable, "user")
	if err != nil {
		return err
	}
	return s.mutate(w, r, "user.created", s.createUserChange(p))
}

// createUserChange creates a user of the account's tenant with the fields
// of p.
func (s *Server) createUserChange(p patch) changeFunc {
	return func(ctx context.Context, tx *sql.Tx, now time.Time) (any, error) {
		u := newUser(s.mode, s.root, now)
		if err := p.applyUser(&u); err != nil {
			return nil, err
		}
		t, err := s.tenant(ctx, tx, s.root)
		if err != nil {
			return nil, err
		}
		if err := tx.QueryRowContext(ctx, `UPDATE tenants SET next_user_id = next_user_id + 1 WHERE tenant_id = ? RETURNING next_user_id - 1`, s.root).Scan(&u.UserID); err != nil {
			return nil, err
		}
		return userView(u, t), writeRecord(ctx, tx, u, `INSERT INTO users (record, tenant_id, user_id) VALUES (?, ?, ?)`, u.TenantID, u.UserID)
	}
}

// writeRecord stores rec, a gen record, as its JSON with query, whose
// arguments are that JSON and then args.
func writeRecord(ctx context.Context, tx *sql.Tx, rec any, query string, args ...any) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, query, append([]any{raw}, args...)...)
	return err
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	t, err := s.tenant(r.Context(), s.db.r, s.root)
	if err != nil {
		return err
	}
	return s.listPage(w, r, "users WHERE tenant_id = ?", "user_id", []any{s.root}, func(raw []byte) (json.RawMessage, error) {
		var u gen.User
		if err := decodeJSON(raw, &u); err != nil {
			return nil, err
		}
		return restJSON("user", userView(u, t))
	})
}

// listPage answers one page of the records of from (a table and its WHERE
// clause, with args), in Userfront's list shape. view turns a stored record
// into the JSON that the API shows.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request, from, order string, args []any, view func([]byte) (json.RawMessage, error)) error {
	page, limit, err := paging(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var total int
	if err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+from, args...).Scan(&total); err != nil {
		return err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT record FROM `+from+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, limit, (page-1)*limit)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := list{TotalCount: total, TotalPages: (total + limit - 1) / limit, Page: page, Limit: limit, Results: []json.RawMessage{}}
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		v, err := view(raw)
		if err != nil {
			return err
		}
		out.Results = append(out.Results, v)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// paging reads ?page=N&limit=N (defaults 1 and 100, limit at most 500).
func paging(r *http.Request) (page, limit int, err error) {
	page, limit = 1, 100
	if v := r.URL.Query().Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return 0, 0, badRequest("page must be a positive integer, got %q", v)
		}
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			return 0, 0, badRequest("limit must be an integer from 1 to 500, got %q", v)
		}
	}
	return page, limit, nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.user(ctx, s.db.r, id)
	if err != nil {
		return err
	}
	t, err := s.tenant(ctx, s.db.r, s.root)
	if err != nil {
		return err
	}
	out, err := restJSON("user", userView(u, t))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	p, err := readPatch(w, r, userWritable, "user")
	if err != nil {
		return err
	}
	return s.mutate(w, r, "user.updated", s.updateUserChange(id, p))
}

// updateUserChange sets the fields of p on user id.
func (s *Server) updateUserChange(id int64, p patch) changeFunc {
	return func(ctx context.Context, tx *sql.Tx, now time.Time) (any, error) {
		u, t, err := s.userAndTenant(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := p.applyUser(&u); err != nil {
			return nil, err
		}
		u.UpdatedAt = ptr(now.UTC().Truncate(time.Millisecond))
		return userView(u, t), writeRecord(ctx, tx, u, `UPDATE users SET record = ? WHERE tenant_id = ? AND user_id = ?`, u.TenantID, u.UserID)
	}
}

// userAndTenant reads user id of the account's tenant, and that tenant.
func (s *Server) userAndTenant(ctx context.Context, tx *sql.Tx, id int64) (gen.User, gen.Tenant, error) {
	u, err := s.user(ctx, tx, id)
	if err != nil {
		return u, gen.Tenant{}, err
	}
	t, err := s.tenant(ctx, tx, s.root)
	return u, t, err
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	return s.mutate(w, r, "user.deleted", s.deleteUserChange(id))
}

// deleteUserChange deletes user id.
func (s *Server) deleteUserChange(id int64) changeFunc {
	return func(ctx context.Context, tx *sql.Tx, _ time.Time) (any, error) {
		u, t, err := s.userAndTenant(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM users WHERE tenant_id = ? AND user_id = ?`, s.root, id)
		return userView(u, t), err
	}
}

func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) error {
	p, err := readPatch(w, r, tenantWritable, "tenant")
	if err != nil {
		return err
	}
	if _, ok := p["name"]; !ok {
		return badRequest("name is required to create a tenant")
	}
	fn, err := s.createTenantChange(p)
	if err != nil {
		return err
	}
	return s.mutate(w, r, "tenant.created", fn)
}

// createTenantChange creates a tenant with the fields of p, which must
// hold its name.
func (s *Server) createTenantChange(p patch) (changeFunc, error) {
	t := newTenant(s.mode)
	if err := p.applyTenant(&t); err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx *sql.Tx, now time.Time) (any, error) {
		err := insertTenant(ctx, tx, &t, now)
		return tenantView(t), err
	}, nil
}

// insertTenant stores a new tenant, drawing another tenantId in the rare
// case that its random one is taken.
func insertTenant(ctx context.Context, tx *sql.Tx, t *gen.Tenant, now time.Time) error {
	for {
		err := writeRecord(ctx, tx, t, `INSERT INTO tenants (record, tenant_id, created_at) VALUES (?, ?, ?)`, t.TenantID, now.UnixMilli())
		if !isUniqueViolation(err) {
			return err
		}
		t.TenantID = newTenantID()
	}
}

func (s *Server) listTenants(w http.ResponseWriter, r *http.Request) error {
	return s.listPage(w, r, "tenants", "created_at, tenant_id", nil, func(raw []byte) (json.RawMessage, error) {
		var t gen.Tenant
		if err := decodeJSON(raw, &t); err != nil {
			return nil, err
		}
		return restJSON("tenant", tenantView(t))
	})
}

func (s *Server) getTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := s.tenant(r.Context(), s.db.r, r.PathValue("tenantId"))
	if err != nil {
		return err
	}
	out, err := restJSON("tenant", tenantView(t))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) updateTenant(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("tenantId")
	p, err := readPatch(w, r, tenantWritable, "tenant")
	if err != nil {
		return err
	}
	return s.mutate(w, r, "tenant.updated", s.updateTenantChange(id, p))
}

// updateTenantChange sets the fields of p on tenant id.
func (s *Server) updateTenantChange(id string, p patch) changeFunc {
	return func(ctx context.Context, tx *sql.Tx, _ time.Time) (any, error) {
		t, err := s.tenant(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := p.applyTenant(&t); err != nil {
			return nil, err
		}
		return tenantView(t), writeRecord(ctx, tx, t, `UPDATE tenants SET record = ? WHERE tenant_id = ?`, id)
	}
}

func (s *Server) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("tenantId")
	if id == s.root {
		return &httpError{status: http.StatusForbidden, msg: fmt.Sprintf("Forbidden: %s is the account's own tenant, which holds the users; delete one of the tenants created with POST /v0/tenants instead", id)}
	}
	return s.mutate(w, r, "tenant.deleted", s.deleteTenantChange(id))
}

// deleteTenantChange deletes tenant id and its users.
func (s *Server) deleteTenantChange(id string) changeFunc {
	return func(ctx context.Context, tx *sql.Tx, _ time.Time) (any, error) {
		t, err := s.tenant(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE tenant_id = ?`, id); err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM tenants WHERE tenant_id = ?`, id)
		return tenantView(t), err
	}
}
