package mock_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/openapi"
)

// Load sends at an arrival rate whatever the receiver does: here 100 a
// second for a fifth of a second, each delivery's latency measured from the
// time it was due.
func ExampleEmitter_Load() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	e, err := mock.NewEmitter(mock.Config{Target: srv.URL, Token: "uf_test_webhook_demo1234", Mode: gen.ModeTest})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	rate, _ := mock.ParseRate("100/s")
	b := mock.Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}, Seed: 1}
	sum, err := e.Load(context.Background(), b, mock.Open{Rate: rate, Duration: 200 * time.Millisecond}, nil)
	if err != nil {
		panic(err)
	}
	fig := sum.Figures()
	fmt.Println(sum.Sent, "sent,", sum.Failed, "failed; statuses", fig.Statuses, "; latencies recorded:", fig.Latency.Count)
	// Output:
	// 20 sent, 0 failed; statuses map[204:20] ; latencies recorded: 20
}
