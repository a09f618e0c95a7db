package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHealthcheck(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sick" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(up.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String() + "/"
	require.NoError(t, ln.Close())

	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"200 is healthy", []string{"--url", up.URL + "/"}, exitOK, "healthy: GET"},
		{"503 is not", []string{"--url", up.URL + "/sick"}, exitFailed, "answered 503 Service Unavailable, want 200 OK"},
		{"nothing listening", []string{"--url", closed}, exitFailed, "is ufhook serve listening there?"},
		{"bad timeout", []string{"--url", up.URL, "--timeout", "0s"}, exitUsage, "give a positive duration"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"healthcheck"}, tc.args...)...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, stdout+stderr, tc.out)
		})
	}
}

func TestHealthcheckIsHidden(t *testing.T) {
	code, out, _ := runCLI(t, "--help")
	require.Equal(t, exitOK, code)
	assert.NotContains(t, out, "healthcheck")
}
