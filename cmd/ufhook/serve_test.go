package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/receiver"
)

const serveToken = "example3c5cc4491eb422d48c8f78c2f"

func TestServeRejectsBadFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"no token", []string{"--target", "http://127.0.0.1:9/"}, "--token is required"},
		{"no target", []string{"--token", serveToken}, "--target"},
		{"bad mode", []string{"--target", "http://127.0.0.1:9/", "--token", serveToken, "--mode", "prod"}, "--mode"},
		{"route without URL", []string{"--route", "user.created", "--token", serveToken}, "EVENT=URL"},
		{"route to unknown event", []string{"--route", "user.exploded=http://127.0.0.1:9/", "--token", serveToken}, "unknown event"},
		{"live over plain HTTP", []string{"--target", "http://127.0.0.1:9/", "--token", serveToken, "--mode", "live"}, "HTTPS"},
		{"bad listen address", []string{"--target", "http://127.0.0.1:9/", "--token", serveToken, "--db", ":memory:", "--listen", "nope"}, "--listen"},
		{"negative retries", []string{"--target", "http://127.0.0.1:9/", "--token", serveToken, "--retries", "-1"}, "--retries"},
		{"unknown flag", []string{"--frobnicate"}, "unknown flag"},
		{"extra argument", []string{"now"}, "unknown command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"serve"}, tc.args...)...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tc.msg)
		})
	}
}

// startServe runs ufhook serve in process until the test ends, and waits
// for its banner.
func startServe(t *testing.T, args ...string) (out *lockedBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), out, errOut) }()
	stopped := false
	stop = func() int {
		cancel()
		if stopped {
			return exitOK
		}
		stopped = true
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			t.Fatal("ufhook serve did not stop within 20s of Ctrl-C")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "Press Ctrl-C") }, 20*time.Second, 10*time.Millisecond,
		"serve prints its banner: %s %s", out, errOut)
	return out, stop
}

// TestServeFiresWebhooks runs ufhook serve against a plain-HTTP test-mode
// receiver, creates a user with the printed admin key, and checks that the
// webhook arrives and that Ctrl-C stops the server cleanly.
func TestServeFiresWebhooks(t *testing.T) {
	got := make(chan receiver.Delivery, 8)
	h, err := receiver.New(receiver.Options{Token: serveToken, TestModeOnly: true}, receiver.Callbacks{OnDelivery: func(d receiver.Delivery) { got <- d }})
	require.NoError(t, err)
	rs := httptest.NewServer(h)
	defer rs.Close()

	out, stop := startServe(t, "--listen", "127.0.0.1:0", "--db", ":memory:", "--target", rs.URL+"/hook", "--token", serveToken)
	banner := out.String()
	m := regexp.MustCompile(`dashboard:  (http://127\.0\.0\.1:\d+)/#key=(uf_test_admin_[0-9a-f]{32})`).FindStringSubmatch(banner)
	require.NotNil(t, m, "the banner prints the dashboard URL with the generated key: %s", banner)
	base, key := m[1], m[2]
	assert.NotContains(t, banner, serveToken, "the webhook token is masked")

	req, err := http.NewRequest(http.MethodPost, base+"/v0/users", strings.NewReader(`{"email":"cli@example.com"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var user map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&user))
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "%v", user)

	select {
	case d := <-got:
		assert.Equal(t, "user.created", d.Event)
		assert.Equal(t, http.StatusNoContent, d.Status)
		assert.Contains(t, string(d.Body), "cli@example.com")
	case <-time.After(20 * time.Second):
		t.Fatal("no webhook reached the receiver")
	}
	assert.Equal(t, exitOK, stop(), "Ctrl-C stops serve with exit code 0")
}

func TestServeMasksAGivenAdminKey(t *testing.T) {
	const key = "uf_test_admin_demo1234_59f60f53fa7cc018d8f93deceb0cc8e3"
	out, _ := startServe(t, "--listen", "127.0.0.1:0", "--db", ":memory:", "--target", "http://127.0.0.1:9/", "--token", serveToken, "--admin-key", key)
	assert.NotContains(t, out.String(), key)
	assert.Contains(t, out.String(), "uf_t…8e3")
}
