package main

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ufhook/ufhook/hooktest"
)

// TestRouteFlagIsOneParser checks that check, emit and serve parse --route
// EVENT=URL alike (all three use mock.Routes): the same bad value gets the
// same message and exit code 2 from each, before anything is sent.
func TestRouteFlagIsOneParser(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	commands := map[string][]string{
		"check": {"check", "--target", srv.URL, "--token", hooktest.Token, "--mode", "test"},
		"emit":  {"emit", "--all", "--target", srv.URL, "--token", hooktest.Token},
		"serve": {"serve", "--target", srv.URL, "--token", hooktest.Token, "--db", ":memory:", "--listen", "127.0.0.1:0"},
	}
	routes := []struct {
		name  string
		route []string
		want  string
	}{
		{"no equals sign", []string{"user.created"}, `bad route "user.created": write EVENT=URL`},
		{"unknown event", []string{"user.archived=" + srv.URL}, `bad route for user.archived: unknown event "user.archived": known events are`},
		{"not an http URL", []string{"user.created=ftp://example.com/x"}, `bad route for user.created: bad target URL: "ftp://example.com/x" is not an http:// or https:// URL`},
		{"credentials in the URL", []string{"user.created=https://u:p@example.com/x"}, "remove user:password@ from the URL"},
		{"an event twice", []string{"user.created=" + srv.URL + "/a", "user.created=" + srv.URL + "/b"}, "bad route for user.created: it already goes to " + srv.URL + "/a"},
	}
	for name, args := range commands {
		for _, tc := range routes {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				a := append([]string(nil), args...)
				for _, r := range tc.route {
					a = append(a, "--route", r)
				}
				code, _, stderr := runCLI(t, a...)
				assert.Equal(t, exitUsage, code, stderr)
				assert.Contains(t, stderr, tc.want)
				if tc.name != "unknown event" { // checked once --spec has named the document
					assert.Contains(t, stderr, `for "--route" flag`)
				}
			})
		}
	}
	assert.Zero(t, hits.Load(), "a bad route must stop the command before it sends anything")
}
