package receiver_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/receiver"
)

// firstReadBody is a request body that counts the handler's first read from
// it, which comes after the handler has made its buffer.
type firstReadBody struct {
	io.ReadCloser
	once *sync.Once
	wg   *sync.WaitGroup
}

func (b firstReadBody) Read(p []byte) (int, error) {
	b.once.Do(b.wg.Done)
	return b.ReadCloser.Read(p)
}

// TestClaimedLengthIsNotAllocatedAhead holds many authenticated requests
// that claim a 1 MiB body and send one byte, and checks that the heap grows
// with what arrived, not with what was claimed: before the fix, each
// handler made a 1 MiB buffer at once, and 2,000 such connections took a
// receiver from 20 MiB to 915 MiB.
func TestClaimedLengthIsNotAllocatedAhead(t *testing.T) {
	const (
		conns   = 200
		claimed = 1 << 20
		// bound is what the held requests may add to the heap in all: an
		// eighth of what they claim, several times what they need (a
		// first read buffer, bufio and the request).
		bound = conns * claimed / 8
	)
	h, err := receiver.New(receiver.Options{Token: liveToken, MaxBodyBytes: 2 * claimed}, receiver.Callbacks{})
	require.NoError(t, err)
	var reading sync.WaitGroup
	reading.Add(conns)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = firstReadBody{ReadCloser: r.Body, once: new(sync.Once), wg: &reading}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	base := liveHeap()
	head := fmt.Sprintf("POST /webhooks HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n{", srv.Listener.Addr(), liveToken, claimed)
	held := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range held {
			_ = c.Close()
		}
	}()
	for range conns {
		c, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 5*time.Second)
		require.NoError(t, err)
		held = append(held, c)
		_, err = io.WriteString(c, head)
		require.NoError(t, err)
	}
	done := make(chan struct{})
	go func() { reading.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the receiver did not start reading all %d bodies within 30s", conns)
	}

	grown := int64(liveHeap()) - int64(base)
	t.Logf("%d requests holding a 1 MiB claim with 1 byte sent: the live heap grew by %.1f MiB", conns, float64(grown)/(1<<20))
	assert.Less(t, grown, int64(bound),
		"the live heap grew by %d bytes while %d requests each claimed %d bytes and sent 1: the receiver allocates the claimed length before the bytes arrive", grown, conns, claimed)
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
