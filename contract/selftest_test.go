package contract

// The self-test proves that the suite can fail, and fails for the right
// reason: each faulty receiver below is the reference receiver with one
// defect, and the test asserts the exact set of cases that fail.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

// faultySeed makes the payloads of the faulty runs, and so the expected
// sets, reproducible.
const faultySeed = 42

// ---- helpers for the defects ----

// rightToken rewrites the request's Authorization to the right token, which
// is how a defect makes the reference receiver accept what it should not.
func grant(r *http.Request) { r.Header.Set("Authorization", bearer.Header(selfToken)) }

// authorized reports whether r carries the right token.
func authorized(r *http.Request) bool {
	tok, err := bearer.Parse(r.Header.Get("Authorization"))
	return err == nil && bearer.Equal(tok, selfToken)
}

// peek reads r's body and puts it back.
func peek(r *http.Request) []byte {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// recorded runs next on r into a recorder.
func recorded(next http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

// replay writes a recorded response to w.
func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// defect wraps the reference receiver.
type defect func(next http.Handler) http.Handler

func before(f func(w http.ResponseWriter, r *http.Request) bool) defect {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if f(w, r) {
				next.ServeHTTP(w, r)
			}
		})
	}
}

func after(f func(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder)) defect {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f(w, r, recorded(next, r))
		})
	}
}

// hasNull reports whether a JSON value holds a null at any depth.
func hasNull(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		for _, e := range v {
			if hasNull(e) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, hasNull)
	}
	return false
}

// recordHasNull decodes a payload and looks for a null in what it
// carries: its record, or a messaging webhook's factor.
func recordHasNull(body []byte) bool {
	var env map[string]any
	if json.Unmarshal(body, &env) != nil {
		return false
	}
	for _, key := range []string{"record", "factor"} {
		if v, ok := env[key]; ok && hasNull(v) {
			return true
		}
	}
	return false
}

// knownEvent reports whether a payload's model and action name an event.
func knownEvent(body []byte) bool {
	var env struct{ Model, Action string }
	if json.Unmarshal(body, &env) != nil {
		return false
	}
	for _, ev := range mustEvents() {
		if ev.Model == env.Model && ev.Action == env.Action {
			return true
		}
	}
	return false
}

func mustEvents() []openapi.Event {
	evs, err := openapi.Events()
	if err != nil {
		panic(err)
	}
	return evs
}

// strictDecode decodes a payload into the generated types, refusing any
// field they do not define: the record of a record webhook, or the factor
// of a messaging one.
func strictDecode(body []byte) error {
	var env struct {
		Action, Model, Mode string
		Record              json.RawMessage
		Factor              json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return err
	}
	inner, raw := any(&gen.User{}), env.Record
	switch {
	case env.Factor != nil:
		v, err := openapi.DecodeJSON(body)
		if err != nil {
			return err
		}
		var event string
		for _, ev := range mustEvents() {
			if ev.Matches(v) {
				event = ev.Name
			}
		}
		inner, raw = map[string]any{
			"user.login.link.email": &gen.LoginLinkEmailFactor{},
			"user.login.code.email": &gen.LoginCodeEmailFactor{},
			"user.login.code.sms":   &gen.LoginCodeSmsFactor{},
		}[event], env.Factor
		if inner == nil {
			return errors.New("no messaging webhook has this factor")
		}
	case env.Model == "tenant":
		inner = &gen.Tenant{}
	}
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(inner)
}

// ---- the case sets that defects are expected to fail ----

func idIs(ids ...string) func(Case) bool {
	return func(c Case) bool { return slices.Contains(ids, c.ID) }
}

func idHasPrefix(p string) func(Case) bool {
	return func(c Case) bool { return strings.HasPrefix(c.ID, p) }
}

// sendsRequest reports whether a case sends anything over HTTP.
func sendsRequest(c Case) bool { return !strings.HasPrefix(c.ID, "https/") }

// payloadOf is the body that c sends in the faulty runs.
func payloadOf(t *testing.T, c Case) []byte {
	t.Helper()
	require.NotNil(t, c.payload, "%s sends no fake payload", c.ID)
	b, err := payloadFor(faultySeed, gen.ModeLive, c.ID, c.Event, *c.payload)
	require.NoError(t, err, c.ID)
	return b
}

func ids(cs []Case, keep func(Case) bool) []string {
	var out []string
	for _, c := range cs {
		if keep(c) {
			out = append(out, c.ID)
		}
	}
	slices.Sort(out)
	return out
}

func outcomeIDs(rep Report, o Outcome) []string {
	var out []string
	for _, r := range rep.Results {
		if r.Outcome == o {
			out = append(out, r.Case.ID)
		}
	}
	slices.Sort(out)
	return out
}

// ---- the faulty receivers ----

type serving int

const (
	overTLS     serving = iota // HTTPS with a certificate from the trusted CA
	overHTTP                   // plain HTTP
	untrusted                  // HTTPS with a certificate from another CA
	oldTLS                     // HTTPS limited to TLS 1.1
	perEventMux                // one URL per event, under /hooks/EVENT
	httpAtHTTPS                // plain HTTP, though the target says https://
	connAware                  // like overTLS, with a connState in each request's context
)

// connKey is the context key of a connection's connState, under connAware.
type connKey struct{}

// connState is what a connAware receiver remembers of a connection: whether
// an earlier request on it carried the right token.
type connState struct{ opened atomic.Bool }

type faulty struct {
	name    string
	defect  defect             // wraps the reference receiver; nil for none
	cb      receiver.Callbacks // the reference receiver's callbacks
	serving serving
	config  func(cfg *Config)
	// fails selects the cases that must fail, and no other.
	fails func(t *testing.T, c Case) bool
	// skips selects the cases that must be skipped; nil means the strict
	// cases unless Config.Strict.
	skips func(c Case) bool
	// meant is the case built to catch the defect, and got a piece of its
	// Got that shows it failed for the right reason.
	meant, got string
	// diagnoses are the rules of the report's diagnoses, in order; when
	// there are some, together they explain every failed case. says is a
	// piece of the first diagnosis's text.
	diagnoses []string
	says      string
	// anyDiagnosis leaves the diagnoses unchecked, for a defect whose
	// failed cases depend on the generated payloads.
	anyDiagnosis bool
}

// notReused selects the cases that a faulty run skips besides the strict
// ones: auth/reused-connection, when the right token gets no 2xx or no
// wrong one is refused, so that there is nothing to compare.
func notReused(c Case) bool { return c.Strict || c.ID == idReusedConnection }

// allButReused selects the auth cases that a receiver fails when it accepts
// every request whatever its token.
func allButReused(c Case) bool { return idHasPrefix("auth/")(c) && c.ID != idReusedConnection }

// modeOf returns a payload's mode, or "" when it has none.
func modeOf(body []byte) string {
	var env struct{ Mode string }
	_ = json.Unmarshal(body, &env)
	return env.Mode
}

func faultyReceivers() []faulty {
	var seen sync.Map
	return append(varietyFaulty(), []faulty{
		{
			name:   "no auth check",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool { grant(r); return true }),
			fails:  func(_ *testing.T, c Case) bool { return allButReused(c) },
			skips:  notReused,
			meant:  "auth/missing-token", got: "204",
		},
		{
			name: "any bearer accepted",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				if _, err := bearer.Parse(r.Header.Get("Authorization")); err == nil {
					grant(r)
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool {
				return idIs("auth/wrong-token", "auth/last-char-changed", "auth/extra-chars", "auth/token-prefix", "auth/case-changed",
					"auth/test-payload-wrong-token", "auth/live-payload-test-token")(c)
			},
			meant: "auth/wrong-token", got: "204",
		},
		{
			name: "skips the token check when mode is test",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				if modeOf(peek(r)) == string(gen.ModeTest) {
					grant(r)
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("auth/test-payload-wrong-token")(c) },
			meant: "auth/test-payload-wrong-token", got: "204",
		},
		{
			// The first request with the right token opens the door for
			// every later request on its keep-alive connection.
			name:    "authenticates the connection, not the request",
			serving: connAware,
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				st := r.Context().Value(connKey{}).(*connState)
				if authorized(r) {
					st.opened.Store(true)
				} else if st.opened.Load() {
					grant(r)
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs(idReusedConnection)(c) },
			meant: idReusedConnection, got: "accepted on a connection that had carried an accepted webhook, though refused on a fresh one: auth/missing-token (fresh: 401, reused: 204",
		},
		{
			name: "compares the header with the bare token",
			defect: before(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Header.Get("Authorization") != selfToken {
					http.Error(w, "unauthorized", http.StatusUnauthorized)
					return false
				}
				grant(r)
				return true
			}),
			// Every case that wants the right token accepted, and the
			// bare token, which it accepts.
			fails: func(_ *testing.T, c Case) bool {
				return c.delivers && !idIs("delivery/no-redirect", "delivery/timeout")(c) || idIs(idNoScheme)(c)
			},
			skips: notReused,
			meant: idNoScheme, got: "204",
			diagnoses: []string{"bare-token"}, says: `compare the whole Authorization header with "Bearer <token>"`,
		},
		{
			name: "500 to everything",
			defect: before(func(w http.ResponseWriter, _ *http.Request) bool {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return false
			}),
			// Every case that sends a request, but those content with
			// any answer that is not a redirect.
			fails: func(_ *testing.T, c Case) bool {
				return sendsRequest(c) && !idIs("delivery/no-redirect", "delivery/timeout", idReusedConnection)(c)
			},
			skips: notReused,
			meant: "events/user.created/full", got: "500",
			diagnoses: []string{"server-error"}, says: "every request got 500, whatever its token or body: the receiver fails before it looks at the request: look at its log",
		},
		{
			name: "prefix comparison of the token",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				if tok, err := bearer.Parse(r.Header.Get("Authorization")); err == nil && strings.HasPrefix(selfToken, tok) {
					grant(r)
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("auth/token-prefix")(c) },
			meant: "auth/token-prefix", got: "204",
		},
		{
			name: "compares only as many characters as the token has",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				if tok, err := bearer.Parse(r.Header.Get("Authorization")); err == nil && strings.HasPrefix(tok, selfToken) {
					grant(r)
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("auth/extra-chars")(c) },
			meant: "auth/extra-chars", got: "204",
		},
		{
			name: "case-insensitive token comparison",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				if tok, err := bearer.Parse(r.Header.Get("Authorization")); err == nil && strings.EqualFold(tok, selfToken) {
					grant(r)
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("auth/case-changed")(c) },
			meant: "auth/case-changed", got: "204",
		},
		{
			name: "accepts the token with the Basic scheme",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				if r.Header.Get("Authorization") == "Basic "+selfToken {
					grant(r)
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("auth/basic-scheme")(c) },
			meant: "auth/basic-scheme", got: "204",
		},
		{
			name: "accepts the token without a scheme",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				if r.Header.Get("Authorization") == selfToken {
					grant(r)
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("auth/no-scheme")(c) },
			meant: "auth/no-scheme", got: "204",
		},
		{
			name: "checks the token only when one is sent",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				if _, err := bearer.Parse(r.Header.Get("Authorization")); errors.Is(err, bearer.ErrMissing) || errors.Is(err, bearer.ErrEmpty) {
					grant(r)
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("auth/missing-token", "auth/empty-bearer")(c) },
			meant: "auth/empty-bearer", got: "204",
		},
		{
			name: "200 with an error body on bad auth",
			defect: after(func(w http.ResponseWriter, _ *http.Request, rec *httptest.ResponseRecorder) {
				if rec.Code == http.StatusUnauthorized {
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"error":"unauthorized"}`)
					return
				}
				replay(w, rec)
			}),
			fails: func(_ *testing.T, c Case) bool { return allButReused(c) },
			skips: notReused,
			meant: "auth/wrong-token", got: `200 OK, body: {"error":"unauthorized"}`,
		},
		{
			name: "500 on one event",
			cb: receiver.Callbacks{OnTenantDeleted: func(context.Context, gen.TenantDeletedEvent) error {
				return errors.New("database unavailable")
			}},
			fails: func(_ *testing.T, c Case) bool { return c.delivers && c.Event.Name == "tenant.deleted" },
			meant: "events/tenant.deleted/full", got: "500",
			diagnoses: []string{"event-failed"}, says: "every tenant.deleted case got 500, every other event passed",
		},
		{
			name: "500 on every tenant event",
			cb: receiver.Callbacks{
				OnTenantCreated: func(context.Context, gen.TenantCreatedEvent) error { return errors.New("no tenants table") },
				OnTenantUpdated: func(context.Context, gen.TenantUpdatedEvent) error { return errors.New("no tenants table") },
				OnTenantDeleted: func(context.Context, gen.TenantDeletedEvent) error { return errors.New("no tenants table") },
			},
			fails: func(_ *testing.T, c Case) bool { return c.delivers && c.Event.Model == "tenant" },
			meant: "events/tenant.created/sparse", got: "500",
			diagnoses: []string{"model-failed"}, says: "every tenant event got 500, every user",
		},
		{
			name: "rejects unknown fields",
			defect: before(func(w http.ResponseWriter, r *http.Request) bool {
				if authorized(r) && json.Valid(peek(r)) {
					if err := strictDecode(peek(r)); err != nil {
						http.Error(w, err.Error(), http.StatusBadRequest)
						return false
					}
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return c.delivers && c.hasShape(fake.WithUnknownFields) },
			meant: "events/user.created/unknown-fields", got: "400",
			diagnoses: []string{"variant-failed"}, says: "every payload with unknown fields was refused with 400, every other payload passed",
		},
		{
			name: "crash on a null field",
			defect: before(func(_ http.ResponseWriter, r *http.Request) bool {
				if authorized(r) && recordHasNull(peek(r)) {
					panic("runtime error: invalid memory address or nil pointer dereference")
				}
				return true
			}),
			fails: func(t *testing.T, c Case) bool { return c.delivers && recordHasNull(payloadOf(t, c)) },
			meant: "events/tenant.updated/nulls", got: "no response",
			anyDiagnosis: true,
		},
		{
			name:    "plain HTTP only",
			serving: overHTTP,
			fails:   func(_ *testing.T, c Case) bool { return idIs("https/live-https")(c) },
			skips:   func(c Case) bool { return c.Strict || idIs("https/certificate", "https/tls-version")(c) },
			meant:   "https/live-https", got: "plain HTTP: http://127.0.0.1",
		},
		{
			name:    "certificate from an untrusted CA",
			serving: untrusted,
			fails:   func(_ *testing.T, c Case) bool { return idIs("https/certificate")(c) },
			skips:   func(c Case) bool { return c.Strict || sendsRequest(c) },
			meant:   "https/certificate", got: "certificate signed by unknown authority",
		},
		{
			name:    "TLS 1.1 at most",
			serving: oldTLS,
			fails:   func(_ *testing.T, c Case) bool { return idIs("https/tls-version")(c) },
			skips:   func(c Case) bool { return c.Strict || sendsRequest(c) },
			meant:   "https/tls-version", got: "negotiated TLS 1.1",
		},
		{
			name:    "plain HTTP at an https:// URL",
			serving: httpAtHTTPS,
			fails:   func(_ *testing.T, c Case) bool { return idIs("https/certificate", "https/tls-version")(c) },
			skips:   func(c Case) bool { return c.Strict || sendsRequest(c) },
			meant:   "https/certificate", got: "TLS handshake with https://127.0.0.1",
		},
		{
			name: "a redirect",
			defect: after(func(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder) {
				if rec.Code/100 == 2 {
					http.Redirect(w, r, "/webhook/done", http.StatusSeeOther)
					return
				}
				replay(w, rec)
			}),
			// Every case that wants an answer other than a 3xx.
			fails: func(_ *testing.T, c Case) bool { return c.delivers && c.ID != "delivery/timeout" },
			skips: notReused,
			meant: "delivery/no-redirect", got: "303 See Other, Location: /webhook/done",
			diagnoses: []string{"redirect"}, says: "every event was answered with a redirect (303)",
		},
		{
			// A reply after 12 s. CI must not wait 12 s, so the run's
			// Timeout is 3 s (ample for the cases that get a quick answer,
			// even on a loaded machine) and the receiver sleeps until the
			// client gives up (or 12 s): delivery/timeout fails after 3 s.
			// When the client has given up, the handler aborts instead of
			// answering, so no late answer can race the client's timeout.
			name: "a reply after 12 s",
			defect: after(func(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder) {
				if rec.Code/100 == 2 {
					select {
					case <-r.Context().Done():
						panic(http.ErrAbortHandler)
					case <-time.After(12 * time.Second):
					}
				}
				replay(w, rec)
			}),
			config: func(cfg *Config) { cfg.Timeout = 3 * time.Second },
			fails:  func(_ *testing.T, c Case) bool { return c.delivers },
			skips:  notReused,
			meant:  "delivery/timeout", got: "no response within 3s",
			diagnoses: []string{"timeout"}, says: "no event was answered within the timeout",
		},
		{
			name: "500 on malformed JSON",
			defect: before(func(w http.ResponseWriter, r *http.Request) bool {
				if authorized(r) && !json.Valid(peek(r)) {
					http.Error(w, "internal error", http.StatusInternalServerError)
					return false
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("delivery/malformed-json")(c) },
			meant: "delivery/malformed-json", got: "500",
		},
		{
			name: "accepts malformed JSON",
			defect: before(func(w http.ResponseWriter, r *http.Request) bool {
				if authorized(r) && !json.Valid(peek(r)) {
					w.WriteHeader(http.StatusNoContent)
					return false
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("delivery/malformed-json")(c) },
			meant: "delivery/malformed-json", got: "204",
		},
		{
			name: "500 on an unknown action or model",
			defect: before(func(w http.ResponseWriter, r *http.Request) bool {
				if body := peek(r); authorized(r) && json.Valid(body) && !knownEvent(body) {
					http.Error(w, "unhandled event", http.StatusInternalServerError)
					return false
				}
				return true
			}),
			fails: func(_ *testing.T, c Case) bool { return idIs("delivery/unknown-action", "delivery/unknown-model")(c) },
			meant: "delivery/unknown-model", got: "500",
		},
		{
			name: "409 on a repeated delivery",
			defect: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					sum := sha256.Sum256(peek(r))
					rec := recorded(next, r)
					if rec.Code/100 == 2 {
						if _, dup := seen.LoadOrStore(sum, true); dup {
							http.Error(w, "already processed", http.StatusConflict)
							return
						}
					}
					replay(w, rec)
				})
			},
			fails: func(_ *testing.T, c Case) bool { return idIs("delivery/duplicate")(c) },
			meant: "delivery/duplicate", got: "second: 409",
		},
		{
			name: "one event missing from the per-event URLs",
			// The routes send every event to its own URL, but tenant.deleted
			// has none: it goes to the target, user.created's URL.
			serving: perEventMux,
			config:  func(cfg *Config) { delete(cfg.Routes, "tenant.deleted") },
			fails:   func(_ *testing.T, c Case) bool { return c.delivers && c.Event.Name == "tenant.deleted" },
			meant:   "events/tenant.deleted/full", got: "400",
			diagnoses: []string{"event-failed"}, says: "every tenant.deleted case was refused with 400",
		},
		{
			name: "200 on GET (strict)",
			defect: before(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodGet {
					_, _ = io.WriteString(w, "ok")
					return false
				}
				return true
			}),
			config: func(cfg *Config) { cfg.Strict = true },
			fails:  func(_ *testing.T, c Case) bool { return idIs("strict/method-not-allowed")(c) },
			meant:  "strict/method-not-allowed", got: "200 OK, body: ok",
		},
		{
			name: "401 without WWW-Authenticate (strict)",
			defect: after(func(w http.ResponseWriter, _ *http.Request, rec *httptest.ResponseRecorder) {
				rec.Header().Del("WWW-Authenticate")
				replay(w, rec)
			}),
			config: func(cfg *Config) { cfg.Strict = true },
			fails:  func(_ *testing.T, c Case) bool { return idIs("strict/www-authenticate")(c) },
			meant:  "strict/www-authenticate", got: "401",
		},
		{
			name: "case-sensitive Bearer scheme (strict)",
			defect: before(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") && r.Header.Get("Authorization") != "" {
					w.WriteHeader(http.StatusUnauthorized)
					return false
				}
				return true
			}),
			config: func(cfg *Config) { cfg.Strict = true },
			fails:  func(_ *testing.T, c Case) bool { return idIs("strict/lowercase-bearer")(c) },
			meant:  "strict/lowercase-bearer", got: "401",
		},
	}...)
}

// serve starts the receiver of f and returns the Config to check it with.
func (f faulty) serve(t *testing.T, ca *hooktest.CA) Config {
	t.Helper()
	var h http.Handler = reference(t, receiver.Options{}, f.cb)
	if f.defect != nil {
		h = f.defect(h)
	}
	cfg := Config{Token: selfToken, RootCAs: ca.Pool(), Seed: faultySeed}
	switch f.serving {
	case overTLS:
		cfg.Target = serveTLS(t, h, ca).URL + "/webhook"
	case connAware:
		tc, err := ca.ServerTLS()
		require.NoError(t, err)
		srv := quietServer(h)
		srv.TLS = tc
		srv.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, &connState{})
		}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		cfg.Target = srv.URL + "/webhook"
	case overHTTP, httpAtHTTPS:
		srv := quietServer(h)
		srv.Start()
		t.Cleanup(srv.Close)
		cfg.Target = srv.URL + "/webhook"
		if f.serving == httpAtHTTPS {
			cfg.Target = "https" + strings.TrimPrefix(cfg.Target, "http")
		}
	case untrusted:
		other := hooktest.NewCA(t)
		cfg.Target = serveTLS(t, h, other).URL + "/webhook"
	case oldTLS:
		tc, err := ca.ServerTLS()
		require.NoError(t, err)
		tc.MinVersion, tc.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
		srv := quietServer(h)
		srv.TLS = tc
		srv.StartTLS()
		t.Cleanup(srv.Close)
		cfg.Target = srv.URL + "/webhook"
	case perEventMux:
		// Each event's URL is served by the generated interface's method
		// for it, Handle<OperationId>Webhook, found from the catalog.
		ref := reflect.ValueOf(h.(*receiver.Handler))
		mux := http.NewServeMux()
		for _, ev := range mustEvents() {
			m := ref.MethodByName("Handle" + strings.ToUpper(ev.OperationID[:1]) + ev.OperationID[1:] + "Webhook")
			require.True(t, m.IsValid(), "the receiver has no per-event method for %s", ev.Name)
			mux.HandleFunc("/hooks/"+ev.Name, m.Interface().(func(http.ResponseWriter, *http.Request)))
		}
		base := serveTLS(t, mux, ca).URL
		cfg.Target = base + "/hooks/" + mustEvents()[0].Name
		cfg.Routes = map[string]string{}
		for _, ev := range mustEvents() {
			cfg.Routes[ev.Name] = base + "/hooks/" + ev.Name
		}
	}
	if f.config != nil {
		f.config(&cfg)
	}
	return cfg
}

// TestFaultyReceivers runs every case against receivers with one defect
// each, and asserts the exact cases that fail: the suite can fail, and fails
// for the right reason.
func TestFaultyReceivers(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	cases := Cases()
	for _, f := range faultyReceivers() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel() // at most -parallel (GOMAXPROCS) at once; overlaps the slow receiver's wait
			cfg := f.serve(t, ca)
			rep, err := Run(t.Context(), cfg)
			require.NoError(t, err)
			require.Len(t, rep.Results, len(cases))

			wantFail := ids(cases, func(c Case) bool { return f.fails(t, c) && (cfg.Strict || !c.Strict) })
			require.NotEmpty(t, wantFail, "a defect must be caught by some case")
			if !assert.Equal(t, wantFail, outcomeIDs(rep, Fail), "failed cases") {
				for _, r := range rep.Results {
					if (r.Outcome == Fail) != slices.Contains(wantFail, r.Case.ID) {
						t.Logf("%s: %s, got %s (%v)", r.Case.ID, r.Outcome, r.Got, r.Duration)
					}
				}
			}
			skips := f.skips
			if skips == nil {
				skips = func(c Case) bool { return c.Strict && !cfg.Strict }
			}
			assert.Equal(t, ids(cases, skips), outcomeIDs(rep, Skip), "skipped cases")
			assert.True(t, rep.Failed())

			i := slices.IndexFunc(rep.Results, func(r Result) bool { return r.Case.ID == f.meant })
			require.GreaterOrEqual(t, i, 0, "no case %s", f.meant)
			r := rep.Results[i]
			assert.Equal(t, Fail, r.Outcome, "the case meant for the defect")
			assert.Contains(t, r.Got, f.got, "the case meant for the defect must fail for the right reason")
			assert.NotEmpty(t, r.Want)
			assert.Contains(t, r.Explain(), "requirement: "+r.Case.Requirement)

			diags := rep.Diagnose()
			for _, d := range diags {
				t.Log(d)
			}
			if f.anyDiagnosis {
				return
			}
			var rules, explained []string
			for _, d := range diags {
				rules = append(rules, d.Rule)
				explained = append(explained, d.Cases...)
			}
			assert.Equal(t, f.diagnoses, rules, "diagnoses")
			if len(diags) > 0 {
				slices.Sort(explained)
				assert.Equal(t, wantFail, slices.Compact(explained), "the diagnoses explain every failed case")
				assert.Contains(t, diags[0].String(), f.says)
			}
		})
	}
}
