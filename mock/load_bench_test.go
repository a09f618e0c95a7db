package mock

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkEmitModels compares the per-delivery cost of the open model
// (Load) with the closed one (Run): the same 200 deliveries, 4 in flight,
// to the same loopback receiver in the same run. Load is given a rate so
// high that every delivery is due at once, so that it is bounded by
// MaxInFlight as Run is by Concurrency, and the difference is its
// scheduler: a goroutine per delivery, the in-flight slots and the
// scheduled-time latency.
func BenchmarkEmitModels(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	e, err := NewEmitter(Config{Target: srv.URL, Token: token, Mode: "test", Concurrency: 4})
	require.NoError(b, err)
	defer e.Close()
	batch := Batch{Events: catalog(b), Count: 200, Seed: 1}
	b.Run("run", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sum, err := e.Run(b.Context(), batch, nil)
			require.NoError(b, err)
			require.Equal(b, 200, sum.Sent)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*200), "ns/delivery")
	})
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		open := Open{Rate: Rate{From: 1e9, To: 1e9}, MaxInFlight: 4}
		for b.Loop() {
			sum, err := e.Load(b.Context(), batch, open, nil)
			require.NoError(b, err)
			require.Equal(b, 200, sum.Sent)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*200), "ns/delivery")
	})
}
