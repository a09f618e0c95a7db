package mock

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

// BenchmarkEmitSend measures one delivery of a Userfront event to a
// loopback receiver that answers 204: what the emitter adds to the
// network's cost (building the request, its headers and reading the
// answer).
func BenchmarkEmitSend(b *testing.B) {
	for _, preset := range []string{"unsigned", signature.StandardWebhooks, signature.HMACSHA256, signature.Timestamped} {
		b.Run(preset, func(b *testing.B) { benchSend(b, preset) })
	}
}

// benchSend measures Send, signing with preset unless it is "unsigned", so
// that the cost of signing is the ratio of the sub-benchmarks of one run.
func benchSend(b *testing.B, preset string) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	cfg := Config{Target: srv.URL, Token: token, Mode: "test"}
	if preset != "unsigned" {
		scheme, err := signature.Lookup(preset)
		require.NoError(b, err)
		secret := "a-provider-signing-secret"
		if preset == signature.StandardWebhooks {
			secret = stdSecret
		}
		cfg.Signer, err = signature.NewSigner(scheme, secret)
		require.NoError(b, err)
	}
	e, err := NewEmitter(cfg)
	require.NoError(b, err)
	defer e.Close()
	ev, err := openapi.Lookup("user.created")
	require.NoError(b, err)
	body, err := fake.Payload(ev, fake.Options{Seed: 1, Mode: "test"})
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if r := e.Send(b.Context(), ev, body); !r.OK() {
			b.Fatal(r.Err)
		}
	}
}

// BenchmarkEmitRun measures a run of 200 deliveries, 4 at a time, payloads
// generated on the way.
func BenchmarkEmitRun(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	e, err := NewEmitter(Config{Target: srv.URL, Token: token, Mode: "test", Concurrency: 4})
	require.NoError(b, err)
	defer e.Close()
	evs, err := openapi.Events()
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		sum, err := e.Run(b.Context(), Batch{Events: evs, Count: 200, Seed: 1}, nil)
		require.NoError(b, err)
		require.Equal(b, 200, sum.Sent)
	}
}
