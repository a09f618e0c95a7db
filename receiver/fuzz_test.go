package receiver_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

// FuzzReceiver sends arbitrary bodies with the right token. The handler must
// never panic and never answer 5xx (the callbacks succeed). Under Strict it
// must never answer 2xx to a payload that openapi.Validate rejects for the
// event it dispatched; by default it may, but then with warnings, and only
// for a record that the event's identifying properties identify. Without
// validation it must still never panic or answer 5xx.
//
//	go test ./receiver -run '^$' -fuzz FuzzReceiver -fuzztime 2m
func FuzzReceiver(f *testing.F) {
	for _, ev := range openapi.Names() {
		f.Add(example(f, ev, nil))
		f.Add(example(f, ev, sparse(ev)))
		f.Add(example(f, ev, full(ev)))
	}
	for _, s := range []string{
		``, `{`, `null`, `[]`, `"x"`, `{}`, `{"action":"create","model":"user"}`,
		`{"action":"create","model":"user","mode":"test","record":null}`,
		`{"action":"create","model":"tenant","mode":"live","record":{"tenantId":"abcd1234","name":""}}`,
		`{"action":"create","model":"tenant","mode":"live","record":{"tenantId":"abcd1234","name":"","TENANTID":7}}`,
		`{"action":"delete","model":"tenant","mode":"test","record":{"tenantId":"abcd1234","name":"x"},"ACTION":"create"}`,
		`{"action":"update","model":"user","mode":"test","record":{"userId":1e400}}`,
		`{"action":"login","model":"user","mode":"test","factor":{"strategy":"link","channel":"sms"}}`,
		`{"action":"login","model":"user","mode":"live","factor":{"strategy":"verificationCode","channel":"sms","STRATEGY":"link"}}`,
		`{"action":"update","model":"user","mode":"test","record":{"userId":42.0,"isConfirmed":"yes"}}`,
		`{"action":"update","model":"user","mode":"live","record":{"userId":7,"createdAt":"yesterday","USERID":8,"authorization":{"a":{"roles":[1]}}}}`,
	} {
		f.Add([]byte(s))
	}

	cb := receiver.Callbacks{ // callbacks that succeed, so that dispatch runs
		OnUserCreated:    func(context.Context, gen.UserCreatedEvent) error { return nil },
		OnUserUpdated:    func(context.Context, gen.UserUpdatedEvent) error { return nil },
		OnUserDeleted:    func(context.Context, gen.UserDeletedEvent) error { return nil },
		OnTenantCreated:  func(context.Context, gen.TenantCreatedEvent) error { return nil },
		OnTenantUpdated:  func(context.Context, gen.TenantUpdatedEvent) error { return nil },
		OnTenantDeleted:  func(context.Context, gen.TenantDeletedEvent) error { return nil },
		OnLoginLinkEmail: func(context.Context, gen.LoginLinkEmailEvent) error { return nil },
		OnLoginCodeEmail: func(context.Context, gen.LoginCodeEmailEvent) error { return nil },
		OnLoginCodeSms:   func(context.Context, gen.LoginCodeSmsEvent) error { return nil },
	}
	var last receiver.Delivery
	cb.OnDelivery = func(d receiver.Delivery) { last = d }
	handler := func(opts receiver.Options) *receiver.Handler {
		opts.Token, opts.MaxBodyBytes = liveToken, 64<<10
		h, err := receiver.New(opts, cb)
		if err != nil {
			f.Fatal(err)
		}
		return h
	}
	validating := handler(receiver.Options{Strict: true})
	tolerant := handler(receiver.Options{})
	lax := handler(receiver.Options{SkipValidation: true})
	laxStrict := handler(receiver.Options{SkipValidation: true, Strict: true})
	auth := bearer.Header(liveToken)
	send := func(h http.Handler, body []byte) int {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		status := send(validating, body)
		if status >= 500 {
			t.Fatalf("validating receiver answered %d to %q", status, body)
		}
		if status/100 == 2 {
			if last.Event == "" || !strings.Contains(last.Event, ".") {
				t.Fatalf("2xx without an event for %q", body)
			}
			if err := openapi.Validate(openapi.MustLookup(last.Event), body); err != nil {
				t.Fatalf("answered %d to a payload that the spec rejects as %s: %v\n%q", status, last.Event, err, body)
			}
		}
		status = send(tolerant, body)
		if status >= 500 {
			t.Fatalf("tolerant receiver answered %d to %q", status, body)
		}
		if status/100 == 2 {
			ev, err := openapi.Lookup(last.Event)
			if err != nil {
				t.Fatalf("2xx without an event of the catalog for %q: %v", body, err)
			}
			if err := openapi.Validate(openapi.MustLookup(last.Event), body); err != nil && len(last.Warnings) == 0 {
				t.Fatalf("answered %d without warnings to a payload that the spec rejects as %s: %v\n%q", status, last.Event, err, body)
			}
			v, err := openapi.DecodeJSON(body)
			if err != nil {
				t.Fatalf("answered %d to a body that is not JSON: %q", status, body)
			}
			if id, problems := ev.Identify(v); problems != nil || id != last.RecordID {
				t.Fatalf("answered %d to a record identified as %q, with problems %v, reported as %q: %q", status, id, problems, last.RecordID, body)
			}
		}
		for _, h := range []http.Handler{lax, laxStrict} {
			if status := send(h, body); status >= 500 {
				t.Fatalf("receiver without validation answered %d to %q", status, body)
			}
		}
	})
}
