package main

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// TestDemoOnce runs the README's first command in process: every event
// through the mock's API to the reference receiver, then the suite.
func TestDemoOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite; skipped with -short")
	}
	code, out, stderr := runCLI(t, "demo", "--once", "--listen", "127.0.0.1:0")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	for _, ev := range openapi.Names() {
		assert.Regexp(t, `(?m)^  `+regexp.QuoteMeta(ev)+` +delivered$`, out)
	}
	for _, call := range []string{"POST   /v0/auth/link", "POST   /v0/auth/code        -> code by email", "POST   /v0/auth/code        -> code by SMS"} {
		assert.Contains(t, out, call)
	}
	assert.Contains(t, out, fmt.Sprintf("outbox: %d delivered, 0 pending, 0 failed", len(openapi.Names())))
	assert.Regexp(t, `(?m)^\d+ passed, 0 failed, \d+ skipped$`, out)
	assert.Regexp(t, `(?m)^receiver:   https://\S+ \(.*webhook API key uf_l…[0-9a-f]{3}\)$`, out, "the demo makes up a live webhook API key of Userfront's form, and shows it masked")
	assert.Regexp(t, `(?m)^dashboard:  http://127\.0\.0\.1:\d+/ui/login\?code=[0-9a-f]{64}  `, out, "the dashboard link carries a login code")
	for name, printed := range map[string]string{"stdout": out, "stderr": stderr} {
		assert.NotRegexp(t, `uf_(live|test)_admin_[0-9a-f]{32}`, printed, "%s never holds the whole admin key", name)
		assert.NotRegexp(t, `uf_(live|test)_webhook_[0-9a-z]{8}_[0-9a-f]{32}`, printed, "%s never holds the whole webhook API key", name)
		assert.NotContains(t, printed, "#key=", "%s has no key in a URL", name)
	}
}

func TestDemoRejectsBadFlags(t *testing.T) {
	code, _, stderr := runCLI(t, "demo", "--wait", "0s")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--wait")
	code, _, _ = runCLI(t, "demo", "extra")
	assert.Equal(t, exitUsage, code)
	// A bad --listen is refused before anything starts, not replaced by a
	// random port.
	for _, listen := range []string{"bad", "127.0.0.1:http-alt", "127.0.0.1:70000"} {
		code, stdout, stderr := runCLI(t, "demo", "--once", "--listen", listen)
		assert.Equal(t, exitUsage, code, stderr)
		assert.Contains(t, stderr, "--listen "+strconv.Quote(listen))
		assert.Empty(t, stdout, "nothing was started")
	}
}
