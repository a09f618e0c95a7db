package mock

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// TestHandshakesAreBounded: a burst of deliveries to a receiver whose TLS
// handshakes are slow makes at most maxHandshakes of them at once, and
// every delivery still arrives, most on connections made for others.
func TestHandshakesAreBounded(t *testing.T) {
	var mu sync.Mutex
	var now, most, total int
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		now++
		total++
		most = max(most, now)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // a slow handshake, as on a busy receiver
		mu.Lock()
		now--
		mu.Unlock()
		return nil, nil
	}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	e := newEmitter(t, Config{Target: srv.URL, RootCAs: poolOf(srv), Mode: "test", Concurrency: 200})
	evs := []openapi.Event{openapi.MustLookup("user.created")}
	sum, err := e.Run(context.Background(), Batch{Events: evs, Count: 400, Seed: 1}, nil)
	require.NoError(t, err)
	assert.Equal(t, 400, sum.Sent)
	mu.Lock()
	defer mu.Unlock()
	assert.LessOrEqual(t, most, maxHandshakes, "at most %d handshakes at once", maxHandshakes)
	assert.Greater(t, most, 1, "handshakes do run side by side")
	assert.Less(t, total, 400, "deliveries share connections")
}
