// Package hooktest provides utilities for webhook testing: an HTTPS server on
// loopback whose certificate a fresh local CA signed, a request recorder, a
// buffer safe for concurrent writers, and the token the tests share. It is
// the ufhook counterpart of net/http/httptest, and sits low in the import
// graph (standard library, localca and bearer only), so that the tests of
// every package can use it.
package hooktest

import (
	"bytes"
	"sync"
)

// Token is the webhook API key of the tests: the receivers under test
// expect it and the emitters send it. It has the form of Userfront's test-mode
// keys, uf_test_webhook_<tenantId>_<32 hex digits>, with Userfront's own demo
// tenant id, so that it is plainly fake; it is long enough for every check
// (at least 8 characters).
const Token = "uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"

// LockedBuffer is a bytes.Buffer safe for concurrent use: a command or a
// server writes to it from its goroutines while the test reads it. The zero
// value is ready to use.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer. It never errors.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
