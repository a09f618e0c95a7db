package server

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock"
)

// newTestServer is a server that delivers nowhere, closed with the test.
func newTestServer(t *testing.T, adminKey string) *Server {
	t.Helper()
	s, err := New(Config{DB: ":memory:", AdminKey: adminKey, Emitter: mock.Config{Target: "http://127.0.0.1:1/webhooks", Token: "uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// TestStreamEndsWithTheSession opens the dashboard's event stream with the
// session cookie, logs out, and checks that the stream ends at its next
// ping, while a stream opened with the admin key stays open.
func TestStreamEndsWithTheSession(t *testing.T) {
	const key = "uf_test_admin_demo1234_59f60f53fa7cc018d8f93deceb0cc8e3"
	s := newTestServer(t, key)
	s.ping = 20 * time.Millisecond
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	cookie, err := s.newSession(time.Now())
	require.NoError(t, err)

	open := func(auth func(*http.Request)) *http.Response {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/ui/stream", nil)
		require.NoError(t, err)
		auth(req)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { res.Body.Close() })
		require.Equal(t, http.StatusOK, res.StatusCode)
		return res
	}
	byCookie := open(func(r *http.Request) { r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie}) })
	byKey := open(func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) })

	req, err := http.NewRequest(http.MethodPost, ts.URL+"/ui/logout", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, byCookie.Body); ended <- err }()
	select {
	case err := <-ended:
		assert.NoError(t, err, "the stream ended cleanly")
	case <-time.After(30 * time.Second): // a hang guard: the ping is every 20 ms
		t.Fatal("the stream opened with the session cookie is still open 30 s after logout")
	}
	sc := bufio.NewScanner(byKey.Body)
	pinged := false
	for !pinged && sc.Scan() {
		pinged = sc.Text() == ": ping"
	}
	assert.True(t, pinged, "the stream opened with the admin key goes on after the logout: %v", sc.Err())
}

// TestSessionExpires checks that a session cookie opens the dashboard until
// it expires, and that a cookie tampered with, or made with another admin
// key, never does.
func TestSessionExpires(t *testing.T) {
	const key = "uf_test_admin_demo1234_59f60f53fa7cc018d8f93deceb0cc8e3"
	s := newTestServer(t, key)
	other := newTestServer(t, key+"0")

	now := time.Now()
	fresh, err := s.newSession(now)
	require.NoError(t, err)
	old, err := s.newSession(now.Add(-sessionTTL - time.Second))
	require.NoError(t, err)
	nearlyOld, err := s.newSession(now.Add(-sessionTTL + time.Minute))
	require.NoError(t, err)
	foreign, err := other.newSession(now)
	require.NoError(t, err)
	cases := []struct {
		name   string
		cookie string
		want   int
	}{
		{"fresh", fresh, http.StatusOK},
		{"a minute from its end", nearlyOld, http.StatusOK},
		{"older than the session's life", old, http.StatusUnauthorized},
		{"made with another admin key", foreign, http.StatusUnauthorized},
		{"its expiry pushed back", fresh[:33] + "9999999999" + fresh[len(fresh)-65:], http.StatusUnauthorized},
		{"the old, unexpiring cookie", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", http.StatusUnauthorized},
	}
	h := s.Handler()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/ui/info", nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tc.cookie})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tc.want, rec.Code, rec.Body.String())
		})
	}
}
