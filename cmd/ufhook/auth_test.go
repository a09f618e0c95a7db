package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/contract"
	"github.com/ufhook/ufhook/openapi"
)

// TestNoTokenWithoutSecurity: emit and check take no key for a document
// whose webhooks declare no security, and check's summary says that there
// were no auth cases; a document with security still needs one.
func TestNoTokenWithoutSecurity(t *testing.T) {
	restoreSpec(t)
	t.Setenv("UFHOOK_TOKEN", "")
	doc := filepath.Join("..", "..", "contract", "testdata", "nosecurity.yaml")
	var withAuth atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			withAuth.Add(1)
		}
		if !json.Valid(peekBody(r)) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	code, out, errOut := runCLI(t, "emit", "--all", "--spec", doc, "--target", srv.URL)
	assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "2 sent")

	code, out, errOut = runCLI(t, "check", "--spec", doc, "--target", srv.URL)
	assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, contract.NoAuthNote+"\n")
	assert.NotContains(t, out, "auth/")
	assert.Zero(t, withAuth.Load(), "no credentials were sent")

	require.NoError(t, openapi.Use(openapi.Spec()))
	code, _, errOut = runCLI(t, "check", "--target", srv.URL)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no webhook API key")
}

// peekBody reads the body of r, at most 1 MiB.
func peekBody(r *http.Request) []byte {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return b
}
