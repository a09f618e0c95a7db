package fake_test

import (
	"encoding/json"
	"fmt"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// A payload is fixed by its options: the same seed gives the same bytes.
func ExamplePayload() {
	created := openapi.MustLookup("user.created")
	body, err := fake.Payload(created, fake.Options{Seed: 1, Mode: gen.ModeLive})
	if err != nil {
		panic(err)
	}
	var ev gen.UserCreatedEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		panic(err)
	}
	again, _ := fake.Payload(created, fake.Options{Seed: 1, Mode: gen.ModeLive})
	fmt.Println(ev.Action, ev.Model, ev.Mode, ev.Record.Mode)
	fmt.Println("valid:", openapi.Validate(created, body) == nil)
	fmt.Println("same bytes again:", string(again) == string(body))
	// Output:
	// create user live live
	// valid: true
	// same bytes again: true
}

// The Sparse shape leaves every nullable field null: the payload that
// receivers most often fail on.
func ExamplePayload_sparse() {
	body, _ := fake.Payload(openapi.MustLookup("tenant.deleted"), fake.Options{Seed: 3, Shape: fake.Sparse})
	fmt.Println(string(body))
	// Output:
	// {"action":"delete","model":"tenant","mode":"test","record":{"tenantId":"5rzb4drg","name":""}}
}

// A lifecycle is one record created, updated and deleted, with the same ids.
func ExampleLifecycle() {
	hooks, err := fake.Lifecycle("user", fake.Options{Seed: 7})
	if err != nil {
		panic(err)
	}
	for _, h := range hooks {
		var env struct {
			Record gen.User `json:"record"`
		}
		_ = json.Unmarshal(h.Body, &env)
		fmt.Println(h.Event.Name, env.Record.UserID == 0, openapi.Validate(h.Event, h.Body) == nil)
	}
	// Output:
	// user.created false true
	// user.updated false true
	// user.deleted false true
}

// Override sets fields by path; values are JSON when they parse as JSON.
func ExampleOverride() {
	body := []byte(`{"action":"create","model":"user","mode":"test","record":{"email":"x@example.com","data":{}}}`)
	out, err := fake.Override(body, []string{"record.email=a@b.co", "record.data.plan=pro", "record.data.seats=3"})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"action":"create","model":"user","mode":"test","record":{"email":"a@b.co","data":{"plan":"pro","seats":3}}}
}

// A Faker is a stream: its users share a tenant and get sequential ids.
func ExampleFaker_User() {
	f := fake.New(5)
	a, b := f.User(gen.ModeTest), f.User(gen.ModeTest)
	fmt.Println(b.UserID-a.UserID, a.TenantID == b.TenantID, len(a.TenantID))
	// Output:
	// 1 true 8
}
