package mock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/openapi"
)

// A payload is fixed by its options: the same seed gives the same bytes.
func ExamplePayload() {
	body, err := mock.Payload("user.created", mock.Options{Seed: 1, Mode: gen.ModeLive})
	if err != nil {
		panic(err)
	}
	var ev gen.UserCreatedEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		panic(err)
	}
	again, _ := mock.Payload("user.created", mock.Options{Seed: 1, Mode: gen.ModeLive})
	fmt.Println(ev.Action, ev.Model, ev.Mode, ev.Record.Mode)
	fmt.Println("valid:", openapi.Validate("user.created", body) == nil)
	fmt.Println("same bytes again:", string(again) == string(body))
	// Output:
	// create user live live
	// valid: true
	// same bytes again: true
}

// The Sparse shape leaves every nullable field null: the payload that
// receivers most often fail on.
func ExamplePayload_sparse() {
	body, _ := mock.Payload("tenant.deleted", mock.Options{Seed: 3, Shape: mock.Sparse})
	fmt.Println(string(body))
	// Output:
	// {"action":"delete","model":"tenant","mode":"test","record":{"tenantId":"tzrq6vra","name":""}}
}

// A lifecycle is one record created, updated and deleted, with the same ids.
func ExampleLifecycle() {
	hooks, err := mock.Lifecycle("user", mock.Options{Seed: 7})
	if err != nil {
		panic(err)
	}
	for _, h := range hooks {
		var env struct {
			Record gen.User `json:"record"`
		}
		_ = json.Unmarshal(h.Body, &env)
		fmt.Println(h.Event, env.Record.UserID == 0, openapi.Validate(h.Event, h.Body) == nil)
	}
	// Output:
	// user.created false true
	// user.updated false true
	// user.deleted false true
}

// Override sets fields by path; values are JSON when they parse as JSON.
func ExampleOverride() {
	body := []byte(`{"action":"create","model":"user","mode":"test","record":{"email":"x@example.com","data":{}}}`)
	out, err := mock.Override(body, []string{"record.email=a@b.co", "record.data.plan=pro", "record.data.seats=3"})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"action":"create","model":"user","mode":"test","record":{"email":"a@b.co","data":{"plan":"pro","seats":3}}}
}

// A Faker is a stream: its users share a tenant and get sequential ids.
func ExampleFaker_User() {
	f := mock.NewFaker(5)
	a, b := f.User(gen.ModeTest), f.User(gen.ModeTest)
	fmt.Println(b.UserID-a.UserID, a.TenantID == b.TenantID, len(a.TenantID))
	// Output:
	// 1 true 8
}

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
		Token:   "example3c5cc4491eb422d48c8f78c2f",
		Mode:    gen.ModeLive,
		RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs,
		Retry:   mock.RetryPolicy{Retries: 3, Base: time.Millisecond},
	})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	body, _ := mock.Payload("user.created", mock.Options{Seed: 1, Mode: gen.ModeLive})
	r := e.Send(context.Background(), "user.created", body)
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
	// target http://localhost:8080/webhook uses plain HTTP: live webhooks must use HTTPS, as Userfront refuses to send live webhooks over HTTP (test mode allows HTTP: use --mode test for a local receiver)
}
