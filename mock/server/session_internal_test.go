package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock"
)

// TestSessionExpires checks that a session cookie opens the dashboard until
// it expires, and that a cookie tampered with, or made with another admin
// key, never does.
func TestSessionExpires(t *testing.T) {
	cfg := Config{DB: ":memory:", AdminKey: "uf_test_admin_demo1234_59f60f53fa7cc018d8f93deceb0cc8e3", Emitter: mock.Config{Target: "http://127.0.0.1:1/webhooks", Token: "uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"}}
	s, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	cfg.AdminKey += "0"
	other, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, other.Close()) })

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
