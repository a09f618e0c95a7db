package endpoint_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/receiver/endpoint"
)

// Listen and Serve run the handler on its own until the context ends; ufhook
// receive is built on them. Without PlainHTTP it serves HTTPS with a
// certificate from a fresh local CA, and Server.CAFile tells where the CA is.
func ExampleListen() {
	srv, err := endpoint.Listen(endpoint.Config{
		Listen:  "127.0.0.1:0",
		Options: receiver.Options{Token: "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"},
		Callbacks: receiver.Callbacks{OnDelivery: func(d receiver.Delivery) {
			fmt.Println(d.Event, d.Status)
		}},
		PlainHTTP: true, // test-mode webhooks only; drop it for HTTPS
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a real program cancels on SIGINT
	fmt.Println(strings.HasPrefix(srv.URL(), "http://127.0.0.1:"), srv.Serve(ctx))
	// Output:
	// true <nil>
}
