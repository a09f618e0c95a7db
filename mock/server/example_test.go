package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/receiver"
)

// A user created through the mock's REST API, with its Client, fires
// user.created at the receiver.
func Example() {
	const token = "uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
	got := make(chan string, 1)
	h, err := receiver.New(receiver.Options{Token: token, TestModeOnly: true}, receiver.Callbacks{
		OnUserCreated: func(_ context.Context, ev gen.UserCreatedEvent) error {
			email, _ := ev.Record.Email.Get()
			got <- fmt.Sprintf("user.created: userId %d, %s", ev.Record.UserID, email)
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	backend := httptest.NewServer(h)
	defer backend.Close()

	srv, err := server.New(server.Config{
		DB:       ":memory:",
		AdminKey: "uf_test_admin_example",
		Emitter:  mock.Config{Target: backend.URL + "/webhooks", Token: token, Mode: gen.ModeTest},
	})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Close()
	if err := srv.Start(context.Background()); err != nil {
		panic(err)
	}

	api := server.NewClient(ts.URL, "uf_test_admin_example", nil)
	u, err := api.CreateUser(context.Background(), server.Fields{"email": "jane@example.com", "name": "Jane"})
	if err != nil {
		panic(err)
	}
	fmt.Println("created: userId", u.UserID, "name", u.Name)
	fmt.Println(<-got)

	// An error answer carries Userfront's status and message.
	_, err = api.GetUser(context.Background(), 99)
	var ae *server.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.StatusCode, ae.Message)
	}
	// Output:
	// created: userId 1 name Jane
	// user.created: userId 1, jane@example.com
	// 404 Not Found: no user has userId 99 (list them with GET /v0/users)
}
