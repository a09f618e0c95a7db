package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/receiver"
)

// A user created through the mock's REST API fires user.created at the
// receiver.
func Example() {
	const token = "example3c5cc4491eb422d48c8f78c2f"
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
	api := httptest.NewServer(srv.Handler())
	defer api.Close()
	defer srv.Close()
	if err := srv.Start(context.Background()); err != nil {
		panic(err)
	}

	req, _ := http.NewRequest(http.MethodPost, api.URL+"/v0/users", strings.NewReader(`{"email": "jane@example.com", "name": "Jane"}`))
	req.Header.Set("Authorization", "Bearer uf_test_admin_example")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println("POST /v0/users:", res.Status)
	fmt.Println(<-got)
	// Output:
	// POST /v0/users: 200 OK
	// user.created: userId 1, jane@example.com
}
