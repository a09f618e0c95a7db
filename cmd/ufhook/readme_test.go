package main

// The README's Go snippets, compiled and run: TestREADMEGoSnippets checks
// that each ```go block of README.md appears, line for line, in one of the
// examples below, and go test runs the examples against their output.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/signature"
)

// readmeGoBlocks returns the ```go blocks of the README, each as its lines
// without leading and trailing white space, blank lines dropped.
func readmeGoBlocks(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("../../README.md")
	require.NoError(t, err)
	defer f.Close()
	var blocks [][]string
	var cur []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case !in && line == "```go":
			in, cur = true, nil
		case in && line == "```":
			in = false
			blocks = append(blocks, cur)
		case in && line != "":
			cur = append(cur, line)
		}
	}
	require.NoError(t, sc.Err())
	require.False(t, in, "README.md has an unclosed ```go block")
	return blocks
}

// TestREADMEGoSnippets checks that every Go snippet of the README is part
// of an example of this file, so that it compiles and runs: a snippet that
// no example holds fails, with its first line.
func TestREADMEGoSnippets(t *testing.T) {
	blocks := readmeGoBlocks(t)
	require.NotEmpty(t, blocks, "README.md has Go snippets")
	src, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(string(src), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	joined := "\n" + strings.Join(lines, "\n") + "\n"
	for _, b := range blocks {
		assert.Contains(t, joined, "\n"+strings.Join(b, "\n")+"\n",
			"the README's Go snippet starting %q is not in an example of cmd/ufhook/readme_test.go: copy it into one, so that it compiles and runs", b[0])
	}
}

// A user who signed up by SMS has no email: the README's snippet reads the
// nullable field without panicking.
func Example_readmeNullableField() {
	handle := func(body []byte) error {
		var ev gen.UserCreatedEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			return err
		}
		// Nullable fields are nullable.Nullable. Userfront sends null in them (no email
		// for a user who signed up by SMS): Get errors then, where MustGet would panic.
		if email, err := ev.Record.Email.Get(); err == nil {
			fmt.Println("user", ev.Record.UserID, "has email", email)
		} else {
			fmt.Println("user", ev.Record.UserID, "has no email")
		}
		return nil
	}
	for _, email := range []string{`"sam@example.com"`, `null`} {
		body := `{"action":"create","model":"user","mode":"test","record":{"userId":7,"email":` + email + `}}`
		if err := handle([]byte(body)); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// user 7 has email sam@example.com
	// user 7 has no email
}

// readmeDB and readmeMailer stand for the reader's database and mailer in
// the README's receiver snippet.
type readmeDB struct{}

func (readmeDB) AddUser(_ context.Context, id int, email nullable.Nullable[openapi_types.Email]) error {
	fmt.Println("add user", id, "null email:", email.IsNull())
	return nil
}

func (readmeDB) DropTenant(_ context.Context, id string) error {
	fmt.Println("drop tenant", id)
	return nil
}

type readmeMailer struct{}

func (readmeMailer) Send(_ context.Context, to, message string) error {
	fmt.Println("mail", to)
	return nil
}

// The README's receiver snippet, serving a webhook with a null email.
func Example_readmeReceiver() {
	const token = "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
	for k, v := range map[string]string{"UFHOOK_TOKEN": token, "UFHOOK_TEST_TOKEN": ""} {
		old, had := os.LookupEnv(k)
		os.Setenv(k, v)
		if had {
			defer os.Setenv(k, old)
		} else {
			defer os.Unsetenv(k)
		}
	}
	var db readmeDB
	var mailer readmeMailer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))

	h, err := receiver.New(receiver.Options{
		Token:     os.Getenv("UFHOOK_TOKEN"),      // the live-mode token
		TestToken: os.Getenv("UFHOOK_TEST_TOKEN"), // optional
		Logger:    slog.Default(),                 // never logs the token
	}, receiver.Callbacks{
		OnUserCreated: func(ctx context.Context, ev gen.UserCreatedEvent) error {
			return db.AddUser(ctx, ev.Record.UserID, ev.Record.Email) // an error answers 500
		},
		OnTenantDeleted: func(ctx context.Context, ev gen.TenantDeletedEvent) error {
			return db.DropTenant(ctx, ev.Record.TenantID)
		},
		OnLoginLinkEmail: func(ctx context.Context, ev gen.LoginLinkEmailEvent) error {
			return mailer.Send(ctx, string(ev.Factor.Email), ev.Factor.Message) // Userfront sent no email
		},
	})
	if err != nil {
		log.Fatal(err) // wraps receiver.ErrNoToken without a token
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/userfront", h) // one URL for every event

	body := `{"action":"create","model":"user","mode":"live","record":{
		"mode":"live","userId":7,"userUuid":"6b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
		"tenantId":"demo1234","username":null,"email":null,"name":"Sam",
		"image":null,"phoneNumber":"+15555550123","data":{},"locked":false,
		"isEmailConfirmed":false,"isPhoneNumberConfirmed":true,
		"createdAt":"2024-05-15T23:04:50.787Z","authorization":{}}}`
	req := httptest.NewRequest(http.MethodPost, "/webhooks/userfront", strings.NewReader(body))
	req.Header.Set("Authorization", bearer.Header(token))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// add user 7 null email: true
	// 204
}

// The README's signed-receiver snippet: a delivery signed with the secret
// is accepted, the same one unsigned is refused.
func Example_readmeSignedReceiver() {
	const token = "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	for k, v := range map[string]string{"UFHOOK_TOKEN": token, "UFHOOK_SIGNING_SECRET": secret} {
		old, had := os.LookupEnv(k)
		os.Setenv(k, v)
		if had {
			defer os.Setenv(k, old)
		} else {
			defer os.Unsetenv(k)
		}
	}

	scheme, err := signature.Lookup(signature.StandardWebhooks) // or hmac-sha256, timestamped, signature.Parse("custom ...")
	if err != nil {
		log.Fatal(err)
	}
	signed, err := receiver.New(receiver.Options{
		Token: os.Getenv("UFHOOK_TOKEN"),
		Signature: &signature.Verifier{
			Scheme:  scheme,
			Secrets: []string{os.Getenv("UFHOOK_SIGNING_SECRET")}, // whsec_…; add the next one while rotating
		},
	}, receiver.Callbacks{})
	if err != nil {
		log.Fatal(err) // a secret that is not whsec_<base64> fails here, not per request
	}

	body := []byte(`{"action":"delete","model":"tenant","mode":"live","record":{"tenantId":"demo1234","name":"Old"}}`)
	sig, err := signature.Sign(scheme, secret, signature.NewMessageID(), time.Now(), body)
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range []http.Header{sig, {}} {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/userfront", bytes.NewReader(body))
		req.Header.Set("Authorization", bearer.Header(token))
		for k, v := range h {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		signed.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// 204
	// 401
}
