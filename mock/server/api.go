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
	TotalCount int   `json:"totalCount"`
	TotalPages int   `json:"totalPages"`
	Page       int   `json:"page"`
	Limit      int   `json:"limit"`
	Results    []any `json:"results"`
}

func (s *Server) routeAPI(mux *http.ServeMux) {
	h := func(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ok, msg := s.authorized(r); !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ufhook"`)
				writeError(w, &httpError{status: http.StatusUnauthorized, msg: msg})
				return
			}
			if err := fn(w, r); err != nil {
				writeError(w, err)
			}
		})
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
	mux.Handle("/v0/", h(func(w http.ResponseWriter, r *http.Request) error {
		return notFound("Not Found: %s %s is not a route of this mock; it serves GET and POST /v0/users, GET, PUT and DELETE /v0/users/{userId}, and the same for /v0/tenants", r.Method, r.URL.Path)
	}))
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

// change is what one API call wrote, to announce after the commit.
type change struct {
	outboxID int64
	model    string
}

// fire validates the webhook for event with record against the spec and
// writes it to the outbox in tx.
func (s *Server) fire(ctx context.Context, tx *sql.Tx, event, action, model string, record any, source string, now time.Time) (int64, error) {
	body, err := json.Marshal(envelope{Action: action, Model: model, Mode: s.mode, Record: record})
	if err != nil {
		return 0, err
	}
	if err := openapi.Validate(event, body); err != nil {
		return 0, invalidRecord(err)
	}
	return enqueue(ctx, tx, event, body, label(body), source, 0, now.UnixMilli())
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

// announce wakes the worker and tells the dashboard after a commit.
func (s *Server) announce(ctx context.Context, c change) {
	s.wake()
	s.events.publish("records", map[string]string{"model": c.model})
	s.publishDelivery(ctx, c.outboxID)
}

func (s *Server) tenant(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (tenantRecord, error) {
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT record FROM tenants WHERE tenant_id = ?`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return tenantRecord{}, notFound("Not Found: no tenant has tenantId %q (list them with GET /v0/tenants)", id)
	}
	if err != nil {
		return tenantRecord{}, err
	}
	var t tenantRecord
	return t, json.Unmarshal(raw, &t)
}

func (s *Server) user(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (userRecord, error) {
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT record FROM users WHERE tenant_id = ? AND user_id = ?`, s.root, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return userRecord{}, notFound("Not Found: no user has userId %d (list them with GET /v0/users)", id)
	}
	if err != nil {
		return userRecord{}, err
	}
	var u userRecord
	return u, json.Unmarshal(raw, &u)
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
	ctx := r.Context()
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	p, err := decodePatch(body, userWritable, "user")
	if err != nil {
		return err
	}
	now := time.Now()
	u := newUser(s.mode, s.root, now)
	if err := p.applyUser(&u); err != nil {
		return err
	}
	var c change
	var t tenantRecord
	err = s.db.tx(ctx, func(tx *sql.Tx) error {
		if t, err = s.tenant(ctx, tx, s.root); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `UPDATE tenants SET next_user_id = next_user_id + 1 WHERE tenant_id = ? RETURNING next_user_id - 1`, s.root).Scan(&u.UserID); err != nil {
			return err
		}
		rec, err := json.Marshal(u)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (tenant_id, user_id, record) VALUES (?, ?, ?)`, s.root, u.UserID, rec); err != nil {
			return err
		}
		c = change{model: "user"}
		c.outboxID, err = s.fire(ctx, tx, "user.created", "create", "user", u.webhookView(), "api", now)
		return err
	})
	if err != nil {
		return err
	}
	s.announce(ctx, c)
	writeJSON(w, http.StatusOK, u.apiView(t))
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	page, limit, err := paging(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	t, err := s.tenant(ctx, s.db.r, s.root)
	if err != nil {
		return err
	}
	var total int
	if err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE tenant_id = ?`, s.root).Scan(&total); err != nil {
		return err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT record FROM users WHERE tenant_id = ? ORDER BY user_id LIMIT ? OFFSET ?`, s.root, limit, (page-1)*limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := list{TotalCount: total, TotalPages: (total + limit - 1) / limit, Page: page, Limit: limit, Results: []any{}}
	for rows.Next() {
		var raw []byte
		var u userRecord
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &u); err != nil {
			return err
		}
		out.Results = append(out.Results, u.apiView(t))
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
	writeJSON(w, http.StatusOK, u.apiView(t))
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	p, err := decodePatch(body, userWritable, "user")
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := time.Now()
	var u userRecord
	var t tenantRecord
	var c change
	err = s.db.tx(ctx, func(tx *sql.Tx) error {
		if u, err = s.user(ctx, tx, id); err != nil {
			return err
		}
		if t, err = s.tenant(ctx, tx, s.root); err != nil {
			return err
		}
		if err := p.applyUser(&u); err != nil {
			return err
		}
		u.UpdatedAt = stamp(now)
		rec, err := json.Marshal(u)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET record = ? WHERE tenant_id = ? AND user_id = ?`, rec, s.root, id); err != nil {
			return err
		}
		c = change{model: "user"}
		c.outboxID, err = s.fire(ctx, tx, "user.updated", "update", "user", u.webhookView(), "api", now)
		return err
	})
	if err != nil {
		return err
	}
	s.announce(ctx, c)
	writeJSON(w, http.StatusOK, u.apiView(t))
	return nil
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := time.Now()
	var u userRecord
	var t tenantRecord
	var c change
	err = s.db.tx(ctx, func(tx *sql.Tx) error {
		if u, err = s.user(ctx, tx, id); err != nil {
			return err
		}
		if t, err = s.tenant(ctx, tx, s.root); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE tenant_id = ? AND user_id = ?`, s.root, id); err != nil {
			return err
		}
		c = change{model: "user"}
		c.outboxID, err = s.fire(ctx, tx, "user.deleted", "delete", "user", u.webhookView(), "api", now)
		return err
	})
	if err != nil {
		return err
	}
	s.announce(ctx, c)
	writeJSON(w, http.StatusOK, u.apiView(t))
	return nil
}

func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	p, err := decodePatch(body, tenantWritable, "tenant")
	if err != nil {
		return err
	}
	if _, ok := p["name"]; !ok {
		return badRequest("name is required to create a tenant")
	}
	t := newTenant(s.mode)
	if err := p.applyTenant(&t); err != nil {
		return err
	}
	ctx := r.Context()
	now := time.Now()
	var c change
	err = s.db.tx(ctx, func(tx *sql.Tx) error {
		for {
			rec, err := json.Marshal(t)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO tenants (tenant_id, record, created_at) VALUES (?, ?, ?)`, t.TenantID, rec, now.UnixMilli())
			if isUniqueViolation(err) {
				t.TenantID = newTenantID()
				continue
			}
			if err != nil {
				return err
			}
			break
		}
		c = change{model: "tenant"}
		c.outboxID, err = s.fire(ctx, tx, "tenant.created", "create", "tenant", t.webhookView(), "api", now)
		return err
	})
	if err != nil {
		return err
	}
	s.announce(ctx, c)
	writeJSON(w, http.StatusOK, t.apiView())
	return nil
}

func (s *Server) listTenants(w http.ResponseWriter, r *http.Request) error {
	page, limit, err := paging(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var total int
	if err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM tenants`).Scan(&total); err != nil {
		return err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT record FROM tenants ORDER BY created_at, tenant_id LIMIT ? OFFSET ?`, limit, (page-1)*limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := list{TotalCount: total, TotalPages: (total + limit - 1) / limit, Page: page, Limit: limit, Results: []any{}}
	for rows.Next() {
		var raw []byte
		var t tenantRecord
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return err
		}
		out.Results = append(out.Results, t.apiView())
	}
	if err := rows.Err(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := s.tenant(r.Context(), s.db.r, r.PathValue("tenantId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t.apiView())
	return nil
}

func (s *Server) updateTenant(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("tenantId")
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	p, err := decodePatch(body, tenantWritable, "tenant")
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := time.Now()
	var t tenantRecord
	var c change
	err = s.db.tx(ctx, func(tx *sql.Tx) error {
		if t, err = s.tenant(ctx, tx, id); err != nil {
			return err
		}
		if err := p.applyTenant(&t); err != nil {
			return err
		}
		rec, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET record = ? WHERE tenant_id = ?`, rec, id); err != nil {
			return err
		}
		c = change{model: "tenant"}
		c.outboxID, err = s.fire(ctx, tx, "tenant.updated", "update", "tenant", t.webhookView(), "api", now)
		return err
	})
	if err != nil {
		return err
	}
	s.announce(ctx, c)
	writeJSON(w, http.StatusOK, t.apiView())
	return nil
}

func (s *Server) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("tenantId")
	if id == s.root {
		return &httpError{status: http.StatusForbidden, msg: fmt.Sprintf("Forbidden: %s is the account's own tenant, which holds the users; delete one of the tenants created with POST /v0/tenants instead", id)}
	}
	ctx := r.Context()
	now := time.Now()
	var t tenantRecord
	var c change
	err := s.db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = s.tenant(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE tenant_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tenants WHERE tenant_id = ?`, id); err != nil {
			return err
		}
		c = change{model: "tenant"}
		c.outboxID, err = s.fire(ctx, tx, "tenant.deleted", "delete", "tenant", t.webhookView(), "api", now)
		return err
	})
	if err != nil {
		return err
	}
	s.announce(ctx, c)
	writeJSON(w, http.StatusOK, t.apiView())
	return nil
}
