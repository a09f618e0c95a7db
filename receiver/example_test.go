package receiver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/signature"
)

// A backend mounts one handler for all six webhooks and gets typed events.
func ExampleNew() {
	h, err := receiver.New(receiver.Options{Token: "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"}, receiver.Callbacks{
		OnUserCreated: func(ctx context.Context, ev gen.UserCreatedEvent) error {
			fmt.Println("welcome", ev.Record.Email.MustGet(), "of tenant", ev.Record.TenantID, "in", ev.Mode, "mode")
			return nil // an error here answers 500, so that the sender retries
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/userfront", h) // then http.ListenAndServeTLS(addr, cert, key, mux)

	body := `{"action":"create","model":"user","mode":"test","record":{
		"mode":"test","userId":7,"userUuid":"6b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
		"tenantId":"demo1234","username":null,"email":"sam@example.com","name":"Sam",
		"image":null,"phoneNumber":null,"data":{},"locked":false,
		"isEmailConfirmed":true,"isPhoneNumberConfirmed":false,
		"createdAt":"2024-05-15T23:04:50.787Z","authorization":{}}}`
	for _, auth := range []string{bearer.Header("uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"), "Bearer guess"} {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/userfront", strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// welcome sam@example.com of tenant demo1234 in test mode
	// 204
	// 401
}

// By default, a payload that breaks the spec but can be identified is
// accepted: the callback runs, and sees the differences as warnings.
func ExampleWarnings() {
	h, _ := receiver.New(receiver.Options{Token: "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"}, receiver.Callbacks{
		OnTenantDeleted: func(ctx context.Context, ev gen.TenantDeletedEvent) error {
			fmt.Println("dropping tenant", ev.Record.TenantID)
			for _, w := range receiver.Warnings(ctx) {
				fmt.Println("warning:", w)
			}
			return nil
		},
	})
	body := `{"action":"delete","model":"tenant","mode":"test","record":{"tenantId":"Demo-1234","name":"Old"}}`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Authorization", bearer.Header("uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	fmt.Printf("%+v\n", h.Stats())
	// Output:
	// dropping tenant Demo-1234
	// warning: /record/tenantId: pattern: 'Demo-1234' does not match pattern '^[a-z0-9]{8}$'
	// 204
	// {Accepted:1 Rejected:0 Failed:0 Warned:1 Warnings:1}
}

// Under Strict, a payload that breaks the spec gets a JSON error that names
// the field.
func ExampleHandler_ServeHTTP_invalid() {
	h, _ := receiver.New(receiver.Options{Token: "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f", Strict: true}, receiver.Callbacks{})
	body := `{"action":"delete","model":"tenant","mode":"test","record":{"tenantId":"Demo-1234","name":"Old"}}`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Authorization", bearer.Header("uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	fmt.Print(rec.Body)
	// Output:
	// 400
	// {"error":"tenant.deleted payload does not match the schema: fix the fields listed in problems","event":"tenant.deleted","problems":[{"path":"/record/tenantId","rule":"pattern","message":"'Demo-1234' does not match pattern '^[a-z0-9]{8}$'"}]}
}

// A record that cannot be identified is refused, Strict or not.
func ExampleHandler_ServeHTTP_unidentified() {
	h, _ := receiver.New(receiver.Options{Token: "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"}, receiver.Callbacks{})
	body := `{"action":"delete","model":"tenant","mode":"test","record":{"name":"Old"}}`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Authorization", bearer.Header("uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	fmt.Print(rec.Body)
	// Output:
	// 400
	// {"error":"tenant.deleted payload cannot be identified: send /record/tenantId, of the type the spec gives (see problems)","event":"tenant.deleted","problems":[{"path":"/record/tenantId","rule":"required","message":"missing: the record's tenantId identifies it, and every tenant.deleted webhook carries it"}]}
}

// A receiver verifies signed deliveries with Options.Signature: here the
// Standard Webhooks scheme, with the secret from UFHOOK_SIGNING_SECRET.
// The signature is checked on the raw body before it is parsed; a delivery
// that fails is refused with 401.
func ExampleOptions_signature() {
	secret := os.Getenv("UFHOOK_SIGNING_SECRET") // whsec_… from the provider's settings
	if secret == "" {
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" // a demo secret, so that the example runs
	}
	scheme, err := signature.Lookup(signature.StandardWebhooks)
	if err != nil {
		fmt.Println(err)
		return
	}
	const token = "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
	h, err := receiver.New(receiver.Options{
		Token:     token,
		Signature: &signature.Verifier{Scheme: scheme, Secrets: []string{secret}}, // add the next secret here while rotating
	}, receiver.Callbacks{
		OnTenantDeleted: func(ctx context.Context, ev gen.TenantDeletedEvent) error {
			fmt.Println("dropping tenant", ev.Record.TenantID)
			return nil
		},
		OnDelivery: func(d receiver.Delivery) {
			fmt.Println(d.Status, "signed:", d.Signed, "bad signature:", errors.Is(d.Err, receiver.ErrBadSignature))
		},
	})
	if err != nil {
		fmt.Println(err) // a secret that is not whsec_<base64> fails here, not per request
		return
	}

	body := []byte(`{"action":"delete","model":"tenant","mode":"test","record":{"tenantId":"demo1234","name":"Old"}}`)
	// What the sender does: sign the exact bytes it sends.
	signed, err := signature.Sign(scheme, secret, signature.NewMessageID(), time.Now(), body)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, sig := range []http.Header{signed, {}} {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/userfront", bytes.NewReader(body))
		req.Header.Set("Authorization", bearer.Header(token))
		for k, v := range sig {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Print(rec.Body)
	}
	// Output:
	// dropping tenant demo1234
	// 204 signed: true bad signature: false
	// 401 signed: false bad signature: true
	// {"error":"the webhook signature does not verify: missing signature header: no webhook-signature header: the sender must sign with scheme \"standard-webhooks\""}
}
