package contract

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/receiver"
)

// BenchmarkRun is the whole suite, strict cases included, against the
// reference receiver served in process over TLS: the figure that
// docs/benchmarks.md records (target: under 3 s with the default timeout).
func BenchmarkRun(b *testing.B) {
	ca := hooktest.NewCA(b)
	srv := serveTLS(b, reference(b, receiver.Options{}, receiver.Callbacks{}), ca)
	cfg := Config{Target: srv.URL + "/webhook", Token: selfToken, RootCAs: ca.Pool(), Strict: true, Seed: 1}
	for b.Loop() {
		rep, err := Run(context.Background(), cfg)
		if err != nil || rep.Failed() {
			b.Fatalf("the reference receiver must pass: %v %s", err, rep.Summary())
		}
	}
}

// TestRunInterrupted checks that a run whose context ends midway says so
// with an error, instead of blaming the receiver.
func TestRunInterrupted(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ref := reference(t, receiver.Options{}, receiver.Callbacks{})
	srv := serveTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the person pressed Ctrl+C while the first request was on its way
		ref.ServeHTTP(w, r)
	}), ca)
	rep, err := Run(ctx, Config{Target: srv.URL, Token: selfToken, RootCAs: ca.Pool()})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "interrupted")
	assert.Len(t, rep.Results, len(Cases()))
}
