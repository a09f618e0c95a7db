package mock_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// An Emitter delivers webhooks the way Userfront does. Here it sends one to
// a local HTTPS receiver that answers 503 once, then 200.
func ExampleEmitter_Send() {
	calls := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Println("got", r.Header.Get("Content-Type"), r.Header.Get("User-Agent"))
	}))
	defer srv.Close()

	e, err := mock.NewEmitter(mock.Config{
		Target:  srv.URL + "/webhook",
		Token:   "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f",
		Mode:    gen.ModeLive,
		RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs,
		Retry:   mock.RetryPolicy{Retries: 3, Base: time.Millisecond},
	})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	created := openapi.MustLookup("user.created")
	body, _ := fake.Payload(created, fake.Options{Seed: 1, Mode: gen.ModeLive})
	r := e.Send(context.Background(), created, body)
	fmt.Println(r.OK(), r.Status, len(r.Attempts), "attempts")
	// Output:
	// got application/json ufhook/dev
	// true 200 2 attempts
}

// Live webhooks must use HTTPS: the emitter refuses before sending anything.
func ExampleNewEmitter_liveOverHTTP() {
	_, err := mock.NewEmitter(mock.Config{Target: "http://localhost:8080/webhook", Token: "t", Mode: gen.ModeLive})
	fmt.Println(err)
	// Output:
	// target http://localhost:8080/webhook uses plain HTTP: live webhooks must use HTTPS, as the provider refuses to send live webhooks over HTTP (test mode allows HTTP: use --mode test for a local receiver)
}
