package server_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loggedIn returns a client whose cookie jar holds a dashboard session.
func loggedIn(t *testing.T, base string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	res, err := c.Post(base+"/ui/login", "application/json", strings.NewReader(`{"key":"`+adminKey+`"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	return c
}

// post sends one POST with the given headers and returns the status and
// body.
func post(t *testing.T, c *http.Client, url, body string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

// TestDashboardRefusesForgedRequests forges the requests that a page on
// another origin (another port of this machine is enough, and SameSite does
// not stop it) could make a logged-in browser send: each is refused and
// fires nothing, while the dashboard's own requests, and scripts with the
// admin key, still work.
func TestDashboardRefusesForgedRequests(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	c := loggedIn(t, srv.URL)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	self := "http://" + u.Host
	other := "http://" + u.Hostname() + ":1"
	fire := `{"event":"tenant.updated"}`
	cases := []struct {
		name    string
		path    string
		body    string
		headers map[string]string
		want    int
		message string
	}{
		{"another port's fetch", "/ui/fire", fire, map[string]string{"Origin": other, "Content-Type": "application/json"}, http.StatusForbidden, "its own page"},
		{"another port's form, text/plain", "/ui/fire", fire, map[string]string{"Origin": other, "Content-Type": "text/plain"}, http.StatusForbidden, other},
		{"a form without Origin", "/ui/fire", fire, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType, "application/json"},
		{"no-cors fetch, text/plain", "/ui/fire", fire, map[string]string{"Content-Type": "text/plain;charset=UTF-8"}, http.StatusUnsupportedMediaType, "application/json"},
		{"a sandboxed page's null origin", "/ui/fire", fire, map[string]string{"Origin": "null", "Content-Type": "application/json"}, http.StatusForbidden, "null"},
		{"a same-site page", "/ui/fire", fire, map[string]string{"Sec-Fetch-Site": "same-site", "Content-Type": "application/json"}, http.StatusForbidden, "same-site"},
		{"a cross-site page", "/ui/fire", fire, map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}, http.StatusForbidden, "cross-site"},
		{"a resend from another port", "/ui/deliveries/1/resend", `{}`, map[string]string{"Origin": other, "Content-Type": "application/json"}, http.StatusForbidden, "its own page"},
		{"a send from another port", "/ui/users/1/send", `{"event":"user.login.link.email"}`, map[string]string{"Origin": other, "Content-Type": "application/json"}, http.StatusForbidden, "its own page"},
		{"a logout from another port", "/ui/logout", `{}`, map[string]string{"Origin": other, "Content-Type": "application/json"}, http.StatusForbidden, "its own page"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, c, srv.URL+tc.path, tc.body, tc.headers)
			assert.Equal(t, tc.want, status, body)
			assert.Contains(t, body, tc.message)
		})
	}
	sk.none(t, 200*time.Millisecond)
	counts, err := srv.Counts(t.Context())
	require.NoError(t, err)
	assert.Zero(t, counts["pending"]+counts["delivered"]+counts["failed"], "no forged request queued a webhook")

	status, body := post(t, c, srv.URL+"/ui/fire", fire, map[string]string{"Origin": self, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"})
	assert.Equal(t, http.StatusOK, status, "the dashboard's own page fires: %s", body)
	assert.Equal(t, "tenant.updated", sk.next(t).Event)
	status, body = post(t, http.DefaultClient, srv.URL+"/ui/fire", fire, map[string]string{"Origin": other, "Authorization": "Bearer " + adminKey, "Content-Type": "application/json"})
	assert.Equal(t, http.StatusOK, status, "the admin key, which no page can make a browser send, is not a forgery: %s", body)
	assert.Equal(t, "tenant.updated", sk.next(t).Event)
	status, body = post(t, &http.Client{}, srv.URL+"/ui/login", `{"key":"`+adminKey+`"}`, map[string]string{"Origin": other, "Content-Type": "application/json"})
	assert.Equal(t, http.StatusForbidden, status, "no other page logs a browser in: %s", body)
}

// TestDashboardLogout logs out: the cookie is cleared, and the old cookie,
// replayed, no longer opens the dashboard. A session lasts 12 hours.
func TestDashboardLogout(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	res, err := c.Post(srv.URL+"/ui/login", "application/json", strings.NewReader(`{"key":"`+adminKey+`"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	set := res.Cookies()
	require.Len(t, set, 1)
	old := set[0]
	assert.Equal(t, 12*60*60, old.MaxAge, "the session cookie expires after 12 hours")

	status, _, _ := get(t, c, srv.URL+"/ui/info")
	require.Equal(t, http.StatusOK, status)
	res, err = c.Post(srv.URL+"/ui/logout", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Len(t, res.Cookies(), 1)
	assert.Equal(t, -1, res.Cookies()[0].MaxAge, "logout clears the cookie")

	status, _, _ = get(t, c, srv.URL+"/ui/info")
	assert.Equal(t, http.StatusUnauthorized, status, "logged out")
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/ui/info", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: old.Name, Value: old.Value})
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "the old cookie, replayed, is refused")
	assert.Contains(t, string(b), "session has ended")

	c2 := loggedIn(t, srv.URL)
	status, _, _ = get(t, c2, srv.URL+"/ui/info")
	assert.Equal(t, http.StatusOK, status, "logging out ends that session only")
}
