package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/server"
)

// BenchmarkCreateUser measures POST /v0/users: decoding, the spec check of
// the webhook, and the transaction that writes the user and its outbox row.
func BenchmarkCreateUser(b *testing.B) {
	for _, db := range []string{"memory", "file"} {
		b.Run(db, func(b *testing.B) {
			path := ":memory:"
			if db == "file" {
				path = filepath.Join(b.TempDir(), "bench.db")
			}
			s, err := server.New(server.Config{DB: path, AdminKey: adminKey, Emitter: mock.Config{Target: "http://127.0.0.1:9/", Token: webhookToken}})
			require.NoError(b, err)
			defer s.Close()
			api := httptest.NewServer(s.Handler())
			defer api.Close()
			client := server.NewClient(api.URL, adminKey, nil)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				res, err := client.Do(ctx, http.MethodPost, "/v0/users", `{"email":"bench@example.com","name":"Bench"}`)
				if err != nil || res.StatusCode != http.StatusOK {
					b.Fatalf("POST /v0/users: %v %v", err, res)
				}
				res.Body.Close()
			}
		})
	}
}

// BenchmarkDeliverOutbox measures the outbox worker: b.N queued webhooks
// delivered over loopback HTTP to a receiver that answers 204, each
// attempt recorded in the file database.
func BenchmarkDeliverOutbox(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(map[int]string{1: "workers=1", 4: "workers=4"}[workers], func(b *testing.B) {
			var got atomic.Int64
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got.Add(1)
				w.WriteHeader(http.StatusNoContent)
			}))
			defer rcv.Close()
			s, err := server.New(server.Config{
				DB: filepath.Join(b.TempDir(), "bench.db"), AdminKey: adminKey, Workers: workers,
				Emitter: mock.Config{Target: rcv.URL, Token: webhookToken},
			})
			require.NoError(b, err)
			defer s.Close()
			api := httptest.NewServer(s.Handler())
			defer api.Close()
			for range b.N {
				_, err := createUser(api.URL, "bench")
				require.NoError(b, err)
			}
			b.ResetTimer()
			require.NoError(b, s.Start(context.Background()))
			for got.Load() < int64(b.N) {
				time.Sleep(time.Millisecond)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err = s.WaitIdle(ctx)
			require.NoError(b, err)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
