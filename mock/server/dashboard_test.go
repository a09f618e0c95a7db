package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/openapi"
)

func get(t *testing.T, client *http.Client, url string) (int, string, http.Header) {
	t.Helper()
	res, err := client.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b), res.Header
}

// TestDashboardIsSelfContained checks that the page and its assets are
// served from the binary and fetch nothing from the network.
func TestDashboardIsSelfContained(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import|fetch\(\s*["']https?:`)
	for _, tc := range []struct{ path, contentType, contains string }{
		{"/", "text/html", `name="viewport"`},
		{"/static/app.js", "javascript", "EventSource"},
		{"/static/app.css", "text/css", "@media"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			status, body, h := get(t, http.DefaultClient, srv.URL+tc.path)
			require.Equal(t, http.StatusOK, status)
			assert.Contains(t, h.Get("Content-Type"), tc.contentType)
			assert.Contains(t, body, tc.contains)
			assert.NotRegexp(t, external, body, "no network fetches")
			assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'self'")
		})
	}
}

func TestDashboardLogin(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar}

	status, _, _ := get(t, browser, srv.URL+"/ui/info")
	assert.Equal(t, http.StatusUnauthorized, status, "the dashboard's data needs a login")

	res, err := browser.Post(srv.URL+"/ui/login", "application/json", strings.NewReader(`{"key":"wrong"}`))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)

	res, err = browser.Post(srv.URL+"/ui/login", "application/json", strings.NewReader(`{"key":"`+adminKey+`"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	cookie := res.Header.Get("Set-Cookie")
	assert.Contains(t, cookie, "HttpOnly")
	assert.Contains(t, cookie, "SameSite=Strict")
	assert.NotContains(t, cookie, adminKey, "the cookie does not carry the key")

	status, body, _ := get(t, browser, srv.URL+"/ui/info")
	require.Equal(t, http.StatusOK, status)
	assert.NotContains(t, body, webhookToken, "the token is masked")
	assert.Contains(t, body, "uf_t…c2f")
	var info struct {
		Events []struct{ Name, URL string }
	}
	require.NoError(t, json.Unmarshal([]byte(body), &info))
	assert.Len(t, info.Events, len(openapi.Names()))

	status, _, _ = get(t, browser, srv.URL+"/v0/users")
	assert.Equal(t, http.StatusUnauthorized, status, "the REST API takes the admin key only, not the dashboard cookie")
}

// TestDashboardLoginLink opens the printed login link: the right code sets
// the session cookie and redirects to the dashboard; any other code gets
// 401 and no cookie.
func TestDashboardLoginLink(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	link := srv.LoginPath()
	code, ok := strings.CutPrefix(link, "/ui/login?code=")
	require.True(t, ok, "LoginPath is /ui/login?code=...: %s", link)
	require.GreaterOrEqual(t, len(code), 32, "the code has at least 128 bits, hex-encoded")
	assert.NotContains(t, link, adminKey, "the link does not carry the admin key")
	assert.NotContains(t, link, webhookToken, "the link does not carry the webhook token")
	assert.NotEqual(t, link, newServer(t, serverConfig(sk)).LoginPath(), "each server makes its own code")

	cases := []struct {
		name       string
		path       string
		wantStatus int
	}{
		{"right code", link, http.StatusSeeOther},
		{"wrong code", "/ui/login?code=" + strings.Repeat("0", len(code)), http.StatusUnauthorized},
		{"code with one more character", link + "0", http.StatusUnauthorized},
		{"code without its last character", link[:len(link)-1], http.StatusUnauthorized},
		{"the admin key as code", "/ui/login?code=" + adminKey, http.StatusUnauthorized},
		{"empty code", "/ui/login?code=", http.StatusUnauthorized},
		{"no code", "/ui/login", http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			jar, err := cookiejar.New(nil)
			require.NoError(t, err)
			browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			status, body, h := get(t, browser, srv.URL+tc.path)
			require.Equal(t, tc.wantStatus, status, body)
			assert.Equal(t, "no-store", h.Get("Cache-Control"))
			infoStatus, _, _ := get(t, browser, srv.URL+"/ui/info")
			if tc.wantStatus != http.StatusSeeOther {
				assert.Empty(t, h.Values("Set-Cookie"), "no cookie for a wrong code")
				assert.Contains(t, body, "not valid")
				assert.Equal(t, http.StatusUnauthorized, infoStatus, "still logged out")
				return
			}
			assert.Equal(t, "/", h.Get("Location"), "redirects to the dashboard, dropping the code from the address bar")
			cookie := h.Get("Set-Cookie")
			assert.Contains(t, cookie, "ufhook_session=")
			assert.Contains(t, cookie, "HttpOnly")
			assert.Contains(t, cookie, "SameSite=Strict")
			assert.NotContains(t, cookie, code, "the cookie is not the code")
			assert.NotContains(t, cookie, adminKey, "the cookie is not the key")
			assert.Equal(t, http.StatusOK, infoStatus, "the cookie opens the dashboard")
			apiStatus, _, _ := get(t, browser, srv.URL+"/v0/users")
			assert.Equal(t, http.StatusUnauthorized, apiStatus, "the login link opens the dashboard, not the REST API")
		})
	}
}

// TestFireResendAndDetail fires a fake webhook from the dashboard, reads
// its detail (the token masked), and resends it. Before each messaging
// webhook, a user with an email address and a phone number is created for
// it to go to.
func TestFireResendAndDetail(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	for _, ev := range openapi.Names() {
		t.Run(ev, func(t *testing.T) {
			if len(openapi.FromRecord(openapi.MustLookup(ev))) > 0 {
				must(t, srv.URL, http.MethodPost, "/v0/users", map[string]any{"email": "jane@example.com", "phoneNumber": "+15555550123"})
				require.Equal(t, "user.created", sk.next(t).Event)
			}
			status, fired := call(t, srv.URL, adminKey, http.MethodPost, "/ui/fire", map[string]any{"event": ev})
			require.Equal(t, http.StatusOK, status, "%v", fired)
			d := sk.next(t)
			require.NoError(t, d.Err)
			assert.Equal(t, ev, d.Event)

			id := jsonID(fired["id"])
			detail := waitState(t, srv, id, "delivered")
			req := detail["request"].(map[string]any)
			assert.Equal(t, "POST", req["method"])
			assert.Equal(t, sk.URL, req["url"])
			auth := req["headers"].(map[string]any)["Authorization"].(string)
			assert.NotContains(t, auth, webhookToken)
			assert.Equal(t, "Bearer uf_t…c2f", auth)
			body, err := json.Marshal(req["body"])
			require.NoError(t, err)
			assert.JSONEq(t, string(d.Body), string(body))
			attempts := detail["attempts"].([]any)
			require.Len(t, attempts, 1)
			assert.Equal(t, 204.0, attempts[0].(map[string]any)["status"])
			assert.Equal(t, "dashboard", detail["source"])

			status, again := call(t, srv.URL, adminKey, http.MethodPost, "/ui/deliveries/"+id+"/resend", nil)
			require.Equal(t, http.StatusOK, status)
			d2 := sk.next(t)
			assert.Equal(t, string(d.Body), string(d2.Body), "a resend sends the same body")
			resent := waitState(t, srv, jsonID(again["id"]), "delivered")
			assert.Equal(t, "resend", resent["source"])
			assert.Equal(t, fired["id"], resent["resendOf"])
		})
	}
	status, body := call(t, srv.URL, adminKey, http.MethodPost, "/ui/fire", map[string]any{"event": "user.exploded"})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body["message"], "unknown event")
	status, _ = call(t, srv.URL, adminKey, http.MethodPost, "/ui/deliveries/9999/resend", nil)
	assert.Equal(t, http.StatusNotFound, status)
}

// jsonID formats a decoded JSON number as a delivery id.
func jsonID(v any) string { return strconv.FormatInt(int64(v.(float64)), 10) }

// waitState polls a delivery until it reaches state.
func waitState(t *testing.T, srv *mockServer, id, state string) map[string]any {
	t.Helper()
	var detail map[string]any
	require.Eventually(t, func() bool {
		var status int
		status, detail = call(t, srv.URL, adminKey, http.MethodGet, "/ui/deliveries/"+id, nil)
		return status == http.StatusOK && detail["state"] == state
	}, patience, 10*time.Millisecond, "delivery %s reaches %s: %v", id, state, detail)
	return detail
}

// TestStreamSendsDeliveryUpdates reads the server-sent events while an API
// call fires a webhook, until the delivery shows up as delivered.
func TestStreamSendsDeliveryUpdates(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/ui/stream", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))

	must(t, srv.URL, http.MethodPost, "/v0/users", map[string]any{"email": "stream@example.com"})
	sc := bufio.NewScanner(res.Body)
	var event string
	var states []string
	sawRecords := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "records":
			sawRecords = true
		case strings.HasPrefix(line, "data: ") && event == "delivery":
			var d struct {
				Event, State, Label string
				Status              int
			}
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d))
			assert.Equal(t, "user.created", d.Event)
			assert.Contains(t, d.Label, "stream@example.com")
			states = append(states, d.State)
			if d.State == "delivered" {
				assert.Equal(t, 204, d.Status)
				cancel()
			}
		}
	}
	require.NotEmpty(t, states)
	assert.Equal(t, "delivered", states[len(states)-1])
	for _, st := range states[:len(states)-1] {
		assert.Equal(t, "pending", st, "states only move forward: %v", states)
	}
	assert.True(t, sawRecords, "a records event tells the page to reload the users")
	sk.next(t)
}

// TestRetriesAndFailures checks that a 503 is retried until the receiver
// accepts, with every attempt recorded, and that a 400 fails at once.
func TestRetriesAndFailures(t *testing.T) {
	var calls atomic.Int64
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if calls.Add(1) <= 2 {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer flaky.Close()
	srv := newServer(t, server.Config{Emitter: mock.Config{
		Target: flaky.URL, Token: webhookToken, Timeout: 5 * time.Second,
		Retry: mock.RetryPolicy{Retries: 3, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond},
	}})
	_, fired := call(t, srv.URL, adminKey, http.MethodPost, "/ui/fire", map[string]any{"event": "tenant.updated"})
	detail := waitState(t, srv, jsonID(fired["id"]), "delivered")
	attempts := detail["attempts"].([]any)
	require.Len(t, attempts, 3)
	for i, want := range []float64{503, 503, 204} {
		a := attempts[i].(map[string]any)
		assert.Equal(t, want, a["status"])
		assert.Equal(t, float64(i+1), a["n"])
	}
	assert.Contains(t, attempts[0].(map[string]any)["excerpt"], "warming up")

	rejecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		http.Error(w, `{"error":"bad payload"}`, http.StatusBadRequest)
	}))
	defer rejecting.Close()
	srv2 := newServer(t, server.Config{Emitter: mock.Config{
		Target: rejecting.URL, Token: webhookToken,
		Retry: mock.RetryPolicy{Retries: 3, Base: 5 * time.Millisecond},
	}})
	_, fired = call(t, srv2.URL, adminKey, http.MethodPost, "/ui/fire", map[string]any{"event": "user.created"})
	detail = waitState(t, srv2, jsonID(fired["id"]), "failed")
	require.Len(t, detail["attempts"], 1, "a 4xx is not retried")
	assert.Equal(t, 400.0, detail["status"])
}

// TestRestartKeepsTheDatabase checks that a file database keeps users,
// tenants and the userId sequence across a restart, and :memory: keeps
// nothing.
func TestRestartKeepsTheDatabase(t *testing.T) {
	sk := newSink(t)
	db := filepath.Join(t.TempDir(), "ufhook.db")
	cfg := serverConfig(sk)
	cfg.DB = db

	first, err := server.New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(first.Handler())
	must(t, ts.URL, http.MethodPost, "/v0/users", map[string]any{"email": "kept@example.com"})
	root := first.RootTenant()
	ts.Close()
	require.NoError(t, first.Close())

	cfg.Seed = 99 // a different seed must not change the account's tenant
	second := newServer(t, cfg)
	assert.Equal(t, root, second.RootTenant())
	got := must(t, second.URL, http.MethodGet, "/v0/users/1", nil)
	assert.Equal(t, "kept@example.com", got["email"])
	next := must(t, second.URL, http.MethodPost, "/v0/users", nil)
	assert.Equal(t, 2.0, next["userId"])
	// The webhook queued by the first run, never started, is delivered now.
	for range 2 {
		d := sk.next(t)
		assert.Equal(t, "user.created", d.Event)
	}

	mem := newServer(t, serverConfig(sk))
	list := must(t, mem.URL, http.MethodGet, "/v0/users", nil)
	assert.Equal(t, 0.0, list["totalCount"], ":memory: keeps nothing")
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := mock.Config{Target: "http://127.0.0.1:1/hook", Token: webhookToken}
	cases := []struct {
		name string
		cfg  server.Config
		msg  string
	}{
		{"no database", server.Config{AdminKey: adminKey, Emitter: good}, "--db"},
		{"no admin key", server.Config{DB: ":memory:", Emitter: good}, "admin key"},
		{"no token", server.Config{DB: ":memory:", AdminKey: adminKey, Emitter: mock.Config{Target: good.Target}}, "webhook API key"},
		{"no target", server.Config{DB: ":memory:", AdminKey: adminKey, Emitter: mock.Config{Token: webhookToken}}, "target"},
		{"live over http", server.Config{DB: ":memory:", AdminKey: adminKey, Emitter: mock.Config{Target: good.Target, Token: webhookToken, Mode: "live"}}, "HTTPS"},
		{"too many workers", server.Config{DB: ":memory:", AdminKey: adminKey, Emitter: good, Workers: 1000}, "at most 64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := server.New(tc.cfg)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.True(t, errors.Is(err, server.ErrConfig), "%v wraps ErrConfig", err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	_, err := server.New(server.Config{DB: filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), AdminKey: adminKey, Emitter: good})
	assert.Error(t, err, "an unopenable database")
}

func TestStartTwiceAndAfterClose(t *testing.T) {
	s, err := server.New(server.Config{DB: ":memory:", AdminKey: adminKey, Emitter: mock.Config{Target: "http://127.0.0.1:1/", Token: webhookToken}})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.Start(ctx))
	assert.ErrorIs(t, s.Start(ctx), server.ErrStarted)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	assert.ErrorIs(t, s.Start(ctx), server.ErrClosed)
}

// TestCloseLeavesNoGoroutines checks that Close ends the worker and the
// open event streams, so that an embedding program can stop cleanly.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var got atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	s, err := server.New(server.Config{DB: ":memory:", AdminKey: adminKey, Emitter: mock.Config{Target: rcv.URL, Token: webhookToken}})
	require.NoError(t, err)
	api := httptest.NewServer(s.Handler())
	defer api.Close()
	require.NoError(t, s.Start(context.Background()))

	req, err := http.NewRequest(http.MethodGet, api.URL+"/ui/stream", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	client := &http.Client{}
	defer client.CloseIdleConnections()
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	_, fired := call(t, api.URL, adminKey, http.MethodPost, "/ui/fire", map[string]any{"event": "user.created"})
	waitState(t, &mockServer{Server: s, URL: api.URL}, jsonID(fired["id"]), "delivered")
	assert.Equal(t, int64(1), got.Load())

	require.NoError(t, s.Close())
	rest, err := io.ReadAll(res.Body) // Close ends the stream
	require.NoError(t, err)
	assert.Contains(t, string(rest), "event: delivery")
	http.DefaultClient.CloseIdleConnections()
}

// TestFiredUsersAreFresh checks that a user.created fired from the
// dashboard says its user was created moments before it was sent.
func TestFiredUsersAreFresh(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	before := time.Now().Add(-3 * time.Second)
	status, fired := call(t, srv.URL, adminKey, http.MethodPost, "/ui/fire", map[string]any{"event": "user.created"})
	require.Equal(t, http.StatusOK, status, "%v", fired)
	d := sk.next(t)
	require.NoError(t, d.Err)
	var env struct {
		Record struct {
			CreatedAt time.Time `json:"createdAt"`
		} `json:"record"`
	}
	require.NoError(t, json.Unmarshal(d.Body, &env))
	assert.True(t, env.Record.CreatedAt.After(before) && env.Record.CreatedAt.Before(time.Now()), "createdAt %s is moments before the delivery", env.Record.CreatedAt)
}
