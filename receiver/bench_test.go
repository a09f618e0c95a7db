package receiver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/signature"
)

// BenchmarkReceiver measures one request through ServeHTTP, from the token
// check to the callback, for a realistic user.created payload (the spec's
// example plus the fields webhooks drop), with and without schema
// validation, and with validation and a Standard Webhooks signature
// (Options.Signature; compare it with "validation" for the signature's
// cost). The callback reads the decoded event, so decoding cannot be
// skipped. Targets: <= 50 µs with validation, <= 10 µs without.
func BenchmarkReceiver(b *testing.B) {
	body := example(b, "user.created", full("user.created"))
	var got gen.UserCreatedEvent
	cb := receiver.Callbacks{OnUserCreated: func(_ context.Context, ev gen.UserCreatedEvent) error {
		got = ev
		return nil
	}}
	std, err := signature.Lookup(signature.StandardWebhooks)
	if err != nil {
		b.Fatal(err)
	}
	signedAt := time.Now()
	sig, err := signature.Sign(std, whsecA, signedID, signedAt, body)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		skip   bool
		signed bool
	}{{"validation", false, false}, {"no-validation", true, false}, {"validation+standard-webhooks", false, true}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := receiver.Options{Token: liveToken, SkipValidation: bc.skip}
			if bc.signed { // a fixed clock, so that a long -benchtime stays within the tolerance
				opts.Signature = &signature.Verifier{Scheme: std, Secrets: []string{whsecA}, Now: func() time.Time { return signedAt }}
			}
			h, err := receiver.New(opts, cb)
			if err != nil {
				b.Fatal(err)
			}
			auth := bearer.Header(liveToken)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
				req.Header.Set("Authorization", auth)
				if bc.signed {
					for k, v := range sig {
						req.Header[k] = v
					}
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			if got.Record.UserID == 0 || !got.Record.Email.IsSpecified() {
				b.Fatalf("the callback got %+v", got)
			}
		})
	}
}

// BenchmarkFloor measures what the receiver cannot avoid, on the same
// payload: encoding/json decoding into the generated type, and the spec's
// validation (openapi.DecodeJSON plus openapi.ValidateValue). Quote the
// receiver's figures next to these, measured in the same run.
func BenchmarkFloor(b *testing.B) {
	body := example(b, "user.created", full("user.created"))
	b.Run("json.Unmarshal-gen.UserCreatedEvent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var ev gen.UserCreatedEvent
			if err := json.Unmarshal(body, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("openapi.Validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := openapi.Validate(openapi.MustLookup("user.created"), body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
