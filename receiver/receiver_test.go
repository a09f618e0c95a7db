package receiver_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

const (
	liveToken = hooktest.Token
	testToken = "test9f1e2d3c4b5a69788796a5b4c3d2e1"
)

// fixture is a receiver behind a real loopback server.
type fixture struct {
	srv        *httptest.Server
	deliveries chan receiver.Delivery
	logs       *hooktest.LockedBuffer
}

func newFixture(t *testing.T, opts receiver.Options, cb receiver.Callbacks) *fixture {
	t.Helper()
	f := &fixture{deliveries: make(chan receiver.Delivery, 16), logs: &hooktest.LockedBuffer{}}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	cb.OnDelivery = func(d receiver.Delivery) { f.deliveries <- d }
	h, err := receiver.New(opts, cb)
	require.NoError(t, err)
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// response is what post got back.
type response struct {
	status   int
	header   http.Header
	body     string
	delivery receiver.Delivery
}

// post sends body with the given Authorization header ("" sends none).
func (f *fixture) post(t *testing.T, method, auth string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+"/webhooks", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return f.do(t, req)
}

func (f *fixture) do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := f.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var d receiver.Delivery
	select {
	case d = <-f.deliveries:
	case <-time.After(10 * time.Second): // a hang guard, not a speed check
		t.Fatal("OnDelivery was not called")
	}
	assert.Equal(t, resp.StatusCode, d.Status, "Delivery.Status must be the status answered")
	return response{status: resp.StatusCode, header: resp.Header, body: string(b), delivery: d}
}

func TestNewNeedsToken(t *testing.T) {
	_, err := receiver.New(receiver.Options{TestToken: testToken}, receiver.Callbacks{})
	require.ErrorIs(t, err, receiver.ErrNoToken)
	assert.Contains(t, err.Error(), "Options.Token")
}

func TestAuth(t *testing.T) {
	liveBody := example(t, "user.updated", nil) // the spec's example is live
	testBody := example(t, "user.created", nil) // and this one is test
	oneToken := receiver.Options{Token: liveToken}
	twoTokens := receiver.Options{Token: liveToken, TestToken: testToken}
	flip := func(s string) string { // the token with its letters' case changed
		var b strings.Builder
		for _, r := range s {
			switch {
			case r >= 'a' && r <= 'z':
				b.WriteRune(r - 'a' + 'A')
			case r >= 'A' && r <= 'Z':
				b.WriteRune(r - 'A' + 'a')
			default:
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	lastChanged := liveToken[:len(liveToken)-1] + "g"

	cases := []struct {
		name    string
		opts    receiver.Options
		auth    string
		body    []byte
		want    int
		wantErr error
	}{
		{"missing header", oneToken, "", liveBody, 401, bearer.ErrMissing},
		{"wrong token", oneToken, "Bearer wrong-token-0123456789abcdef", liveBody, 401, receiver.ErrUnauthorized},
		{"last character changed", oneToken, "Bearer " + lastChanged, liveBody, 401, receiver.ErrUnauthorized},
		{"token plus extra characters", oneToken, "Bearer " + liveToken + "x", liveBody, 401, receiver.ErrUnauthorized},
		{"prefix of the token", oneToken, "Bearer " + liveToken[:len(liveToken)-4], liveBody, 401, receiver.ErrUnauthorized},
		{"letters' case changed", oneToken, "Bearer " + flip(liveToken), liveBody, 401, receiver.ErrUnauthorized},
		{"Basic scheme", oneToken, "Basic " + liveToken, liveBody, 401, bearer.ErrScheme},
		{"no scheme", oneToken, liveToken, liveBody, 401, bearer.ErrScheme},
		{"empty bearer", oneToken, "Bearer ", liveBody, 401, bearer.ErrEmpty},
		{"bearer without a space", oneToken, "Bearer", liveBody, 401, bearer.ErrEmpty},
		{"lower-case bearer is accepted", oneToken, "bearer " + liveToken, liveBody, 204, nil},
		{"upper-case BEARER is accepted", oneToken, "BEARER " + liveToken, liveBody, 204, nil},
		{"right token", oneToken, bearer.Header(liveToken), liveBody, 204, nil},
		{"one token serves test mode too", oneToken, bearer.Header(liveToken), testBody, 204, nil},
		{"test token on a live payload", twoTokens, bearer.Header(testToken), liveBody, 401, receiver.ErrModeMismatch},
		{"live token on a test payload", twoTokens, bearer.Header(liveToken), testBody, 401, receiver.ErrModeMismatch},
		{"test token on a test payload", twoTokens, bearer.Header(testToken), testBody, 204, nil},
		{"live token on a live payload", twoTokens, bearer.Header(liveToken), liveBody, 204, nil},
		{"test token on a receiver with one token", oneToken, bearer.Header(testToken), testBody, 401, receiver.ErrUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.opts, receiver.Callbacks{})
			got := f.post(t, http.MethodPost, tc.auth, tc.body)
			assert.Equal(t, tc.want, got.status, got.body)
			if tc.wantErr == nil {
				assert.NoError(t, got.delivery.Err)
				return
			}
			assert.ErrorIs(t, got.delivery.Err, tc.wantErr)
			assert.ErrorIs(t, got.delivery.Err, receiver.ErrUnauthorized)
			assert.True(t, strings.HasPrefix(got.header.Get("WWW-Authenticate"), "Bearer"), "WWW-Authenticate: %q", got.header.Get("WWW-Authenticate"))
			assert.Equal(t, "application/json", got.header.Get("Content-Type"))
			var eb struct{ Error string }
			require.NoError(t, json.Unmarshal([]byte(got.body), &eb))
			assert.NotEmpty(t, eb.Error)
			assert.NotContains(t, got.body, `\u003c`, "the JSON is for people and programs, not HTML-escaped")
			for _, secret := range []string{liveToken, testToken, flip(liveToken), lastChanged, liveToken[:len(liveToken)-4]} {
				assert.NotContains(t, got.body, secret, "the body must not echo a token")
				assert.NotContains(t, f.logs.String(), secret, "the log must not hold a token")
				assert.NotContains(t, got.delivery.Err.Error(), secret, "the error must not hold a token")
			}
		})
	}
}

func TestMethod(t *testing.T) {
	f := newFixture(t, receiver.Options{Token: liveToken}, receiver.Callbacks{})
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead, http.MethodOptions} {
		t.Run(m, func(t *testing.T) {
			got := f.post(t, m, bearer.Header(liveToken), example(t, "user.created", nil))
			assert.Equal(t, http.StatusMethodNotAllowed, got.status)
			assert.Equal(t, "POST", got.header.Get("Allow"))
			assert.ErrorIs(t, got.delivery.Err, receiver.ErrMethod)
		})
	}
}

// sparse makes every optional field of a payload null or empty, and drops
// every field that may be absent.
func sparse(event string) func(m map[string]any) {
	return func(m map[string]any) {
		if slices.Contains(messaging, event) {
			return // a messaging webhook's factor has nothing optional
		}
		r := record(m)
		if strings.HasPrefix(event, "user.") {
			for _, k := range []string{"username", "email", "image", "phoneNumber", "preferredFirstFactor", "preferredSecondFactor"} {
				r[k] = nil
			}
			r["name"] = ""
			r["data"] = map[string]any{}
			r["authorization"] = map[string]any{}
			// uuid, isConfirmed, isMfaRequired and authentication are
			// always sent today, so the spec requires them; records
			// without them are older ones (tolerant_test.go).
			return
		}
		r["aliasId"], r["image"], r["loginRedirectPath"], r["logoutRedirectPath"] = nil, nil, nil, nil
		r["data"] = map[string]any{}
		r["name"] = ""
		for _, k := range []string{"uuid", "type", "mode", "roles"} {
			delete(r, k)
		}
	}
}

// full adds the fields that webhooks drop but a receiver must tolerate; to
// a messaging webhook's factor, fields that Userfront's pages do not show.
func full(event string) func(m map[string]any) {
	return func(m map[string]any) {
		if slices.Contains(messaging, event) {
			factor(m)["subject"] = "Your login link"
			factor(m)["name"] = "Jane Doe"
			return
		}
		r := record(m)
		if strings.HasPrefix(event, "user.") {
			r["lastActiveAt"] = "2024-05-16T00:49:42.077Z"
			r["lastMessagedAt"] = nil
			r["updatedAt"] = "2024-05-15T23:04:50.787+00:00"
			r["tenant"] = map[string]any{"tenantId": "mock1234", "aliasId": nil, "name": "Next", "image": nil, "loginRedirectPath": "/dashboard", "logoutRedirectPath": nil}
			r["authentication"] = map[string]any{"firstFactors": []any{}, "secondFactors": []any{}}
			return
		}
		r["testTenantId"] = nil
		r["roles"] = []any{}
	}
}

// TestBodies sends good and bad bodies to a receiver in each of its four
// modes: Strict refuses every schema problem, as the tolerant default
// refuses only what it cannot route or identify, and accepts the rest with
// warnings; each with and without validation against the spec.
func TestBodies(t *testing.T) {
	userCreated := example(t, "user.created", nil)
	big := example(t, "user.created", func(m map[string]any) {
		record(m)["data"] = map[string]any{"blob": strings.Repeat("x", int(receiver.DefaultMaxBodyBytes))}
	})
	type tc struct {
		name         string
		body         []byte
		chunked      bool  // send without Content-Length
		want         int   // with validation, under Strict
		wantSkip     int   // with SkipValidation, under Strict; 0 means the same as want
		wantTolerant int   // by default, with or without validation; 0 means wantSkip, then want
		wantErr      error // of the refusals answered want
		unidentified bool  // the tolerant refusal wraps ErrUnidentified
		wantProblem  string
		wantWarning  string // a JSON pointer among the tolerant warnings, with validation
		fitWarning   bool   // wantWarning is there without validation too: the Go type cannot hold the value
		wantEvent    string
		wantLaxEvent string // without validation; "" means wantEvent
		wantRecordID string
	}
	cases := []tc{
		{name: "malformed", body: []byte(`{"action":"create","model":`), want: 400, wantErr: receiver.ErrMalformedJSON},
		{name: "empty", body: nil, want: 400, wantErr: receiver.ErrMalformedJSON},
		{name: "trailing data", body: append(append([]byte{}, userCreated...), []byte(` {}`)...), want: 400, wantErr: receiver.ErrMalformedJSON},
		{name: "an array", body: []byte(`[1,2]`), want: 400},
		{name: "a string", body: []byte(`"user.created"`), want: 400},
		{name: "null", body: []byte(`null`), want: 400},
		{name: "too large", body: big, want: 413, wantErr: receiver.ErrTooLarge},
		{name: "too large, chunked", body: big, chunked: true, want: 413, wantErr: receiver.ErrTooLarge},
		{name: "unknown action", body: example(t, "user.created", func(m map[string]any) { m["action"] = "publish" }), want: 400, wantErr: receiver.ErrUnknownEvent},
		{name: "unknown model", body: example(t, "user.created", func(m map[string]any) { m["model"] = "organization" }), want: 400, wantErr: receiver.ErrUnknownEvent},
		{name: "no action", body: example(t, "user.created", func(m map[string]any) { delete(m, "action") }), want: 400, wantErr: receiver.ErrUnknownEvent},
		{name: "action of another type", body: example(t, "user.created", func(m map[string]any) { m["action"] = 1 }), want: 400},
		{name: "invalid: userId a string", body: example(t, "user.created", func(m map[string]any) { record(m)["userId"] = "one" }), want: 400, wantErr: receiver.ErrInvalidPayload, unidentified: true, wantProblem: "/record/userId"},
		{name: "invalid: tenantId pattern", body: example(t, "tenant.created", func(m map[string]any) { record(m)["tenantId"] = "Not An Id" }), want: 400, wantSkip: 204, wantTolerant: 204, wantErr: receiver.ErrInvalidPayload, wantProblem: "/record/tenantId",
			wantWarning: "/record/tenantId", wantEvent: "tenant.created", wantRecordID: "Not An Id"},
		{name: "invalid: phone number not E.164", body: example(t, "user.created", func(m map[string]any) { record(m)["phoneNumber"] = "555-0123" }), want: 400, wantSkip: 204, wantTolerant: 204, wantErr: receiver.ErrInvalidPayload, wantProblem: "/record/phoneNumber",
			wantWarning: "/record/phoneNumber", wantEvent: "user.created", wantRecordID: "1"},
		{name: "invalid: mode staging", body: example(t, "user.created", func(m map[string]any) { m["mode"] = "staging" }), want: 400, wantErr: receiver.ErrInvalidPayload, wantProblem: "/mode"},
		{name: "invalid: no record", body: example(t, "tenant.deleted", func(m map[string]any) { delete(m, "record") }), want: 400, wantErr: receiver.ErrInvalidPayload, unidentified: true},
		{name: "invalid: record null", body: example(t, "tenant.deleted", func(m map[string]any) { m["record"] = nil }), want: 400, wantErr: receiver.ErrInvalidPayload, unidentified: true},
		{name: "invalid: required email missing", body: example(t, "user.deleted", func(m map[string]any) { delete(record(m), "email") }), want: 400, wantSkip: 204, wantTolerant: 204, wantErr: receiver.ErrInvalidPayload, wantProblem: "/record",
			wantWarning: "/record", wantEvent: "user.deleted", wantRecordID: "7"},
		{name: "invalid: locked a string", body: example(t, "user.updated", func(m map[string]any) { record(m)["locked"] = "yes" }), want: 400, wantTolerant: 204, wantErr: receiver.ErrInvalidPayload, wantProblem: "/record/locked",
			wantWarning: "/record/locked", fitWarning: true, wantEvent: "user.updated", wantRecordID: "42"},
		{name: "ambiguous action keys", body: []byte(strings.Replace(string(userCreated), `"action":"create"`, `"action":"create","ACTION":"delete"`, 1)), want: 400, wantSkip: 204, wantTolerant: 204, wantErr: receiver.ErrInvalidPayload,
			wantWarning: "/ACTION", wantEvent: "user.created", wantRecordID: "1",
			// The case-folded key check needs the generic form, which only
			// validation makes: without it, encoding/json reads ACTION.
			wantLaxEvent: "user.deleted"},
		{name: "invalid: record empty", body: example(t, "tenant.deleted", func(m map[string]any) { m["record"] = map[string]any{} }), want: 400, wantErr: receiver.ErrInvalidPayload, unidentified: true},
		{name: "invalid: record a string", body: example(t, "tenant.deleted", func(m map[string]any) { m["record"] = "p9ny8bdj" }), want: 400, wantErr: receiver.ErrInvalidPayload, unidentified: true},
		// encoding/json and the validator both let the last of two equal keys
		// win, so this is a tenant.created whose record has a tenantId and a
		// name, and extra fields.
		{name: "model repeated at the end", body: []byte(strings.TrimSuffix(string(userCreated), "}") + `,"model":"tenant"}`), want: 204, wantEvent: "tenant.created", wantRecordID: "demo1234"},
		{name: "login with an unknown strategy", body: example(t, "user.login.link.email", func(m map[string]any) { factor(m)["strategy"] = "magic" }), want: 400, wantErr: receiver.ErrUnknownEvent},
		{name: "login with an unknown channel", body: example(t, "user.login.code.sms", func(m map[string]any) { factor(m)["channel"] = "whatsapp" }), want: 400, wantErr: receiver.ErrUnknownEvent},
		{name: "login without a factor", body: example(t, "user.login.code.email", func(m map[string]any) { delete(m, "factor") }), want: 400, wantErr: receiver.ErrUnknownEvent},
		{name: "login with a factor that is no object", body: example(t, "user.login.code.email", func(m map[string]any) { m["factor"] = "email" }), want: 400, wantErr: receiver.ErrUnknownEvent},
		// The channel routes the body to the code by email, whose schema
		// wants an email address.
		{name: "invalid: code by SMS sent as a code by email", body: example(t, "user.login.code.sms", func(m map[string]any) { factor(m)["channel"] = "email" }), want: 400, wantSkip: 204, wantTolerant: 204, wantErr: receiver.ErrInvalidPayload, wantProblem: "/factor",
			wantWarning: "/factor", wantEvent: "user.login.code.email"},
		{name: "invalid: verification code of five digits", body: example(t, "user.login.code.sms", func(m map[string]any) { factor(m)["verificationCode"] = "12345" }), want: 400, wantSkip: 204, wantTolerant: 204, wantErr: receiver.ErrInvalidPayload, wantProblem: "/factor/verificationCode",
			wantWarning: "/factor/verificationCode", wantEvent: "user.login.code.sms"},
		{name: "invalid: verification code a number", body: example(t, "user.login.code.email", func(m map[string]any) { factor(m)["verificationCode"] = 985571 }), want: 400, wantTolerant: 204, wantErr: receiver.ErrInvalidPayload, wantProblem: "/factor/verificationCode",
			wantWarning: "/factor/verificationCode", fitWarning: true, wantEvent: "user.login.code.email"},
		{name: "invalid: link without a token", body: example(t, "user.login.link.email", func(m map[string]any) { delete(factor(m), "token") }), want: 400, wantSkip: 204, wantTolerant: 204, wantErr: receiver.ErrInvalidPayload, wantProblem: "/factor",
			wantWarning: "/factor", wantEvent: "user.login.link.email"},
		{name: "unknown fields", body: example(t, "user.created", func(m map[string]any) {
			m["eventId"] = "evt_1"
			record(m)["shoeSize"] = 44
			record(m)["preferences"] = map[string]any{"theme": "dark"}
		}), want: 204, wantEvent: "user.created", wantRecordID: "1"},
	}
	for _, ev := range openapi.Names() {
		if slices.Contains(messaging, ev) {
			// A messaging webhook carries no record, so Delivery.RecordID
			// stays "", and fields the spec does not show are ignored.
			cases = append(cases,
				tc{name: ev, body: example(t, ev, nil), want: 204, wantEvent: ev},
				tc{name: ev + " with fields the spec does not show", body: example(t, ev, func(m map[string]any) {
					m["webhookId"] = "wh_1"
					factor(m)["subject"] = "Log in to Acme"
					factor(m)["name"] = "Jane Doe"
				}), want: 204, wantEvent: ev},
			)
			continue
		}
		id := map[string]string{"user.created": "1", "user.updated": "42", "user.deleted": "7", "tenant.created": "demo1234", "tenant.updated": "wn9mwypn", "tenant.deleted": "p9ny8bdj"}[ev]
		cases = append(cases,
			tc{name: ev, body: example(t, ev, nil), want: 204, wantEvent: ev, wantRecordID: id},
			tc{name: ev + " with null and empty optional fields", body: example(t, ev, sparse(ev)), want: 204, wantEvent: ev, wantRecordID: id},
			tc{name: ev + " with the fields webhooks drop", body: example(t, ev, full(ev)), want: 204, wantEvent: ev, wantRecordID: id},
		)
	}
	for _, mode := range []struct {
		name           string
		strict, skip   bool
		want           func(tc) int
		warningPointer func(tc) string
	}{
		{"strict", true, false, func(c tc) int { return c.want }, func(tc) string { return "" }},
		{"strict-no-validation", true, true, func(c tc) int { return cmp.Or(c.wantSkip, c.want) }, func(tc) string { return "" }},
		{"tolerant", false, false, func(c tc) int { return cmp.Or(c.wantTolerant, c.want) }, func(c tc) string { return c.wantWarning }},
		{"tolerant-no-validation", false, true, func(c tc) int { return cmp.Or(c.wantTolerant, c.wantSkip, c.want) }, func(c tc) string {
			if c.fitWarning {
				return c.wantWarning
			}
			return ""
		}},
	} {
		f := newFixture(t, receiver.Options{Token: liveToken, Strict: mode.strict, SkipValidation: mode.skip}, receiver.Callbacks{})
		for _, tc := range cases {
			t.Run(mode.name+"/"+tc.name, func(t *testing.T) {
				if tc.want == 204 {
					require.NoError(t, openapi.Validate(openapi.MustLookup(tc.wantEvent), tc.body), "a case that wants 204 under Strict must be valid")
				}
				req, err := http.NewRequest(http.MethodPost, f.srv.URL, bytes.NewReader(tc.body))
				require.NoError(t, err)
				if tc.chunked {
					req.ContentLength = -1
					req.Body = io.NopCloser(bytes.NewReader(tc.body))
				}
				req.Header.Set("Authorization", bearer.Header(liveToken))
				got := f.do(t, req)
				want := mode.want(tc)
				assert.Equal(t, want, got.status, got.body)
				if mode.strict {
					assert.Nil(t, got.delivery.Warnings, "Strict has no warnings: it refuses")
				}
				if want == 204 {
					assert.Empty(t, got.body)
					assert.NoError(t, got.delivery.Err)
					assert.Equal(t, tc.body, got.delivery.Body)
					if tc.wantEvent != "" {
						wantEvent := tc.wantEvent
						if mode.skip && tc.wantLaxEvent != "" {
							wantEvent = tc.wantLaxEvent
						}
						assert.Equal(t, wantEvent, got.delivery.Event)
						assert.Equal(t, tc.wantRecordID, got.delivery.RecordID)
					}
					if p := mode.warningPointer(tc); p != "" {
						var paths []string
						for _, w := range got.delivery.Warnings {
							paths = append(paths, w.Path)
							assert.NotEmpty(t, w.Message)
						}
						assert.Contains(t, paths, p)
					} else {
						assert.Empty(t, got.delivery.Warnings)
					}
					return
				}
				assert.Less(t, got.status, 500, "a bad body is never 5xx")
				assert.Empty(t, got.delivery.Warnings, "a refusal lists its problems in the answer")
				var eb struct {
					Error    string
					Problems []openapi.Problem
				}
				require.NoError(t, json.Unmarshal([]byte(got.body), &eb), got.body)
				assert.NotEmpty(t, eb.Error)
				if tc.wantErr != nil && want == tc.want {
					assert.ErrorIs(t, got.delivery.Err, tc.wantErr)
				}
				if tc.unidentified && !mode.strict {
					assert.ErrorIs(t, got.delivery.Err, receiver.ErrUnidentified)
					assert.Contains(t, eb.Error, "cannot be identified")
				}
				if tc.wantProblem != "" && !mode.skip {
					var paths []string
					for _, p := range eb.Problems {
						paths = append(paths, p.Path)
					}
					assert.Contains(t, paths, tc.wantProblem, got.body)
				}
			})
		}
	}
}

// TestTypedDecoding checks that each callback gets the payload decoded into
// its generated type, nulls and all.
func TestTypedDecoding(t *testing.T) {
	var mu sync.Mutex
	got := map[string]any{}
	keep := func(name string, ev any) error {
		mu.Lock()
		defer mu.Unlock()
		got[name] = ev
		return nil
	}
	f := newFixture(t, receiver.Options{Token: liveToken}, receiver.Callbacks{
		OnUserCreated:   func(_ context.Context, ev gen.UserCreatedEvent) error { return keep("user.created", ev) },
		OnUserUpdated:   func(_ context.Context, ev gen.UserUpdatedEvent) error { return keep("user.updated", ev) },
		OnUserDeleted:   func(_ context.Context, ev gen.UserDeletedEvent) error { return keep("user.deleted", ev) },
		OnTenantCreated: func(_ context.Context, ev gen.TenantCreatedEvent) error { return keep("tenant.created", ev) },
		OnTenantUpdated: func(_ context.Context, ev gen.TenantUpdatedEvent) error { return keep("tenant.updated", ev) },
		OnTenantDeleted: func(_ context.Context, ev gen.TenantDeletedEvent) error { return keep("tenant.deleted", ev) },
		OnLoginLinkEmail: func(_ context.Context, ev gen.LoginLinkEmailEvent) error {
			return keep("user.login.link.email", ev)
		},
		OnLoginCodeEmail: func(_ context.Context, ev gen.LoginCodeEmailEvent) error {
			return keep("user.login.code.email", ev)
		},
		OnLoginCodeSms: func(_ context.Context, ev gen.LoginCodeSmsEvent) error { return keep("user.login.code.sms", ev) },
	})
	for _, ev := range openapi.Names() {
		resp := f.post(t, http.MethodPost, bearer.Header(liveToken), example(t, ev, sparse(ev)))
		require.Equal(t, 204, resp.status, resp.body)
	}
	require.Len(t, got, len(openapi.Names()))

	uc := got["user.created"].(gen.UserCreatedEvent)
	assert.Equal(t, gen.UserCreatedEventActionCreate, uc.Action)
	assert.Equal(t, gen.UserCreatedEventModelUser, uc.Model)
	assert.Equal(t, gen.ModeTest, uc.Mode)
	assert.Equal(t, 1, uc.Record.UserID)
	assert.Equal(t, "demo1234", uc.Record.TenantID)
	assert.True(t, uc.Record.Email.IsNull(), "email was sent as null")
	assert.True(t, uc.Record.PhoneNumber.IsNull())
	assert.True(t, uc.Record.PreferredFirstFactor.IsNull())
	assert.Equal(t, "", uc.Record.Name)
	assert.Equal(t, time.Date(2024, 5, 15, 23, 4, 50, 787000000, time.UTC), uc.Record.CreatedAt.UTC())

	uu := got["user.updated"].(gen.UserUpdatedEvent)
	assert.Equal(t, gen.ModeLive, uu.Mode)
	assert.Equal(t, 42, uu.Record.UserID)
	assert.True(t, uu.Record.Locked)

	ud := got["user.deleted"].(gen.UserDeletedEvent)
	assert.Equal(t, gen.UserDeletedEventActionDelete, ud.Action)
	assert.Equal(t, "wn9mwypn", ud.Record.TenantID)

	tc := got["tenant.created"].(gen.TenantCreatedEvent)
	assert.Equal(t, gen.TenantCreatedEventModelTenant, tc.Model)
	assert.Equal(t, "demo1234", tc.Record.TenantID)
	assert.True(t, tc.Record.Image.IsNull())
	assert.Nil(t, tc.Record.Roles)

	tu := got["tenant.updated"].(gen.TenantUpdatedEvent)
	assert.Equal(t, gen.TenantUpdatedEventActionUpdate, tu.Action)
	assert.Equal(t, "wn9mwypn", tu.Record.TenantID)

	td := got["tenant.deleted"].(gen.TenantDeletedEvent)
	assert.Equal(t, gen.TenantDeletedEventActionDelete, td.Action)
	assert.Equal(t, "p9ny8bdj", td.Record.TenantID)

	link := got["user.login.link.email"].(gen.LoginLinkEmailEvent)
	assert.Equal(t, gen.LoginLinkEmailEventActionLogin, link.Action)
	assert.Equal(t, gen.LoginLinkEmailEventModelUser, link.Model)
	assert.Equal(t, gen.LoginLinkEmailFactorStrategyLink, link.Factor.Strategy)
	assert.Equal(t, gen.LoginLinkEmailFactorChannelEmail, link.Factor.Channel)
	assert.Equal(t, "jane.doe@example.com", string(link.Factor.Email))
	assert.Equal(t, "099660af-872d-435f-b9c1-148bb03896b7", link.Factor.UUID.String())
	assert.Contains(t, link.Factor.URL, "token="+link.Factor.Token.String())
	assert.Contains(t, link.Factor.Message, link.Factor.URL)

	ce := got["user.login.code.email"].(gen.LoginCodeEmailEvent)
	assert.Equal(t, gen.ModeTest, ce.Mode)
	assert.Equal(t, gen.LoginCodeEmailFactorStrategyVerificationCode, ce.Factor.Strategy)
	assert.Equal(t, "985571", ce.Factor.VerificationCode)
	assert.Equal(t, "Your Acme Group verification code is: 985571", ce.Factor.Message)

	cs := got["user.login.code.sms"].(gen.LoginCodeSmsEvent)
	assert.Equal(t, gen.LoginCodeSmsFactorChannelSms, cs.Factor.Channel)
	assert.Equal(t, "+447700900123", cs.Factor.PhoneNumber)
	assert.Equal(t, "041239", cs.Factor.VerificationCode, "the leading zero stays")
}

func TestCallbackFailures(t *testing.T) {
	errDB := errors.New("database is down")
	cases := []struct {
		name    string
		cb      func(context.Context, gen.TenantCreatedEvent) error
		want    int
		wantErr error
		wantLog string
	}{
		{"success", func(context.Context, gen.TenantCreatedEvent) error { return nil }, 204, nil, "level=INFO"},
		{"error", func(context.Context, gen.TenantCreatedEvent) error { return errDB }, 500, receiver.ErrCallback, "database is down"},
		{"panic", func(context.Context, gen.TenantCreatedEvent) error { panic("nil map write") }, 500, receiver.ErrCallbackPanic, "webhook callback panicked"},
		{"nil pointer panic", func(_ context.Context, ev gen.TenantCreatedEvent) error {
			_ = *ev.Record.Type // the sparse payload has no type
			return nil
		}, 500, receiver.ErrCallbackPanic, "nil pointer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, receiver.Options{Token: liveToken}, receiver.Callbacks{OnTenantCreated: tc.cb})
			got := f.post(t, http.MethodPost, bearer.Header(liveToken), example(t, "tenant.created", sparse("tenant.created")))
			assert.Equal(t, tc.want, got.status)
			assert.Contains(t, f.logs.String(), tc.wantLog)
			assert.NotContains(t, f.logs.String(), liveToken)
			if tc.wantErr == nil {
				assert.NoError(t, got.delivery.Err)
				return
			}
			assert.ErrorIs(t, got.delivery.Err, tc.wantErr)
			assert.NotContains(t, got.body, "database is down", "internal errors stay out of the response")
			if tc.name == "error" {
				assert.ErrorIs(t, got.delivery.Err, errDB)
			}
		})
	}
}

// TestOnEvent checks the generic callback: it receives, validated, every
// event that has no typed callback, and none that has one.
func TestOnEvent(t *testing.T) {
	errQueue := errors.New("queue is down")
	type call struct {
		event string
		body  string
	}
	cases := []struct {
		name    string
		event   string
		body    []byte
		ret     error // what OnEvent returns
		panics  bool
		want    int
		wantErr error
		want1   bool // OnEvent ran once, with the body as sent
	}{
		{"event without typed callback", "tenant.updated", example(t, "tenant.updated", nil), nil, false, 204, nil, true},
		{"sparse payload", "user.deleted", example(t, "user.deleted", sparse("user.deleted")), nil, false, 204, nil, true},
		{"event with a typed callback", "user.created", example(t, "user.created", nil), nil, false, 204, nil, false},
		{"error", "tenant.created", example(t, "tenant.created", nil), errQueue, false, 500, receiver.ErrCallback, true},
		{"panic", "tenant.created", example(t, "tenant.created", nil), nil, true, 500, receiver.ErrCallbackPanic, true},
		{"invalid payload never reaches it", "user.updated", example(t, "user.updated", func(m map[string]any) { record(m)["userId"] = "42" }), nil, false, 400, receiver.ErrInvalidPayload, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var calls []call
			typed := 0
			f := newFixture(t, receiver.Options{Token: liveToken}, receiver.Callbacks{
				OnUserCreated: func(context.Context, gen.UserCreatedEvent) error { typed++; return nil },
				OnEvent: func(_ context.Context, ev openapi.Event, body json.RawMessage) error {
					mu.Lock()
					calls = append(calls, call{ev.Name, string(body)})
					mu.Unlock()
					if tc.panics {
						panic("boom")
					}
					return tc.ret
				},
			})
			got := f.post(t, http.MethodPost, bearer.Header(liveToken), tc.body)
			assert.Equal(t, tc.want, got.status, got.body)
			assert.Equal(t, tc.event, got.delivery.Event)
			if tc.wantErr != nil {
				assert.ErrorIs(t, got.delivery.Err, tc.wantErr)
				assert.NotContains(t, got.body, "queue is down", "internal errors stay out of the response")
			} else {
				assert.NoError(t, got.delivery.Err)
			}
			if tc.want1 {
				assert.Equal(t, []call{{tc.event, string(tc.body)}}, calls)
			} else {
				assert.Empty(t, calls)
			}
			wantTyped := 0
			if tc.event == "user.created" {
				wantTyped = 1
			}
			assert.Equal(t, wantTyped, typed, "the typed callback runs for its event only")
		})
	}
}

// TestPerEventURLs mounts one URL per event with the generated handlers.
func TestPerEventURLs(t *testing.T) {
	var calls []string
	var mu sync.Mutex
	h, err := receiver.New(receiver.Options{Token: liveToken}, receiver.Callbacks{
		OnUserCreated: func(context.Context, gen.UserCreatedEvent) error {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, "user.created")
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/user-created", gen.UserCreatedWebhookHandler(h, nil))
	mux.Handle("/tenant-deleted", gen.TenantDeletedWebhookHandler(h, nil))
	mux.Handle("/login-code-sms", gen.UserLoginCodeSmsWebhookHandler(h, nil))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cases := []struct {
		path, event string
		want        int
	}{
		{"/user-created", "user.created", 204},
		{"/user-created", "tenant.created", 400},
		{"/tenant-deleted", "tenant.deleted", 204},
		{"/tenant-deleted", "user.deleted", 400},
		{"/login-code-sms", "user.login.code.sms", 204},
		{"/login-code-sms", "user.login.code.email", 400},
		{"/login-code-sms", "user.login.link.email", 400},
	}
	for _, tc := range cases {
		t.Run(tc.path+"/"+tc.event, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+tc.path, bytes.NewReader(example(t, tc.event, nil)))
			require.NoError(t, err)
			req.Header.Set("Authorization", bearer.Header(liveToken))
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, tc.want, resp.StatusCode, string(body))
			if tc.want == 400 {
				assert.Contains(t, string(body), "this URL receives")
			}
		})
	}
	assert.Equal(t, []string{"user.created"}, calls)
}

// TestUnknownEventSaysWhatTellsEventsApart checks the 400 of a body that
// no event matches: it names the model/action pairs, and for a pair that
// several events share, the fields that tell them apart.
func TestUnknownEventSaysWhatTellsEventsApart(t *testing.T) {
	f := newFixture(t, receiver.Options{Token: liveToken}, receiver.Callbacks{})
	cases := []struct {
		name string
		body []byte
		want []string
	}{
		{"unknown model", example(t, "user.created", func(m map[string]any) { m["model"] = "organization" }),
			[]string{`no webhook has model "organization" and action "create"`, "user/create", "user/login (factor.channel=sms, factor.strategy=verificationCode)"}},
		{"unknown factor", example(t, "user.login.link.email", func(m map[string]any) { factor(m)["strategy"] = "password" }),
			[]string{`no webhook with model "user" and action "login" has this body's other values (factor.channel, factor.strategy)`, "user/login (factor.channel=email, factor.strategy=link)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := f.post(t, http.MethodPost, bearer.Header(liveToken), tc.body)
			assert.Equal(t, http.StatusBadRequest, got.status)
			assert.ErrorIs(t, got.delivery.Err, receiver.ErrUnknownEvent)
			var eb struct{ Error string }
			require.NoError(t, json.Unmarshal([]byte(got.body), &eb))
			for _, w := range tc.want {
				assert.Contains(t, eb.Error, w)
			}
		})
	}
}

func TestTestModeOnly(t *testing.T) {
	f := newFixture(t, receiver.Options{Token: liveToken, TestModeOnly: true}, receiver.Callbacks{})
	live := f.post(t, http.MethodPost, bearer.Header(liveToken), example(t, "user.updated", nil))
	assert.Equal(t, http.StatusForbidden, live.status)
	assert.ErrorIs(t, live.delivery.Err, receiver.ErrLiveOverHTTP)
	assert.Contains(t, live.body, "HTTPS")
	test := f.post(t, http.MethodPost, bearer.Header(liveToken), example(t, "user.created", nil))
	assert.Equal(t, http.StatusNoContent, test.status)
}

func TestSmallLimit(t *testing.T) {
	body := example(t, "tenant.deleted", nil)
	cases := []struct {
		name  string
		limit int64
		want  int
	}{
		{"limit is the body size", int64(len(body)), 204},
		{"limit one byte short", int64(len(body)) - 1, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, receiver.Options{Token: liveToken, MaxBodyBytes: tc.limit}, receiver.Callbacks{})
			got := f.post(t, http.MethodPost, bearer.Header(liveToken), body)
			assert.Equal(t, tc.want, got.status, got.body)
		})
	}
}

// TestCaseFoldedKeys checks that what a callback sees is what was validated:
// encoding/json matches keys case-insensitively, so a second key that
// differs only in letter case must not slip an unvalidated value past the
// schema. Under Strict it is refused; by default it is ignored, with a
// warning.
func TestCaseFoldedKeys(t *testing.T) {
	cases := []struct {
		name     string
		mutate   func(m map[string]any)
		want     int // under Strict; by default, 204
		wantPath string
	}{
		{"record key in upper case", func(m map[string]any) { record(m)["USERID"] = 999 }, 400, "/record/USERID"},
		{"Kelvin sign folds to k", func(m map[string]any) { record(m)["loc\u212aed"] = true }, 400, "/record/loc\u212aed"},
		{"envelope key in another case", func(m map[string]any) { m["Record"] = map[string]any{} }, 400, "/Record"},
		{"nested in a nullable", func(m map[string]any) {
			record(m)["preferredFirstFactor"] = map[string]any{"channel": "email", "strategy": "password", "Strategy": ""}
		}, 400, "/record/preferredFirstFactor/Strategy"},
		{"nested in a map", func(m map[string]any) {
			record(m)["authorization"] = map[string]any{"demo1234": map[string]any{"roles": []any{"admin"}, "ROLES": []any{}}}
		}, 400, "/record/authorization/demo1234/ROLES"},
		{"free-form data may use any case", func(m map[string]any) { record(m)["data"] = map[string]any{"UserId": 5, "userid": 6} }, 204, ""},
		{"an unknown key is fine", func(m map[string]any) { record(m)["userIdentifier"] = "x" }, 204, ""},
	}
	for _, strict := range []bool{true, false} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			var got []gen.UserCreatedEvent
			var mu sync.Mutex
			f := newFixture(t, receiver.Options{Token: liveToken, Strict: strict}, receiver.Callbacks{
				OnUserCreated: func(_ context.Context, ev gen.UserCreatedEvent) error {
					mu.Lock()
					defer mu.Unlock()
					got = append(got, ev)
					return nil
				},
			})
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					resp := f.post(t, http.MethodPost, bearer.Header(liveToken), example(t, "user.created", tc.mutate))
					if strict {
						assert.Equal(t, tc.want, resp.status, resp.body)
						if tc.wantPath != "" {
							assert.ErrorIs(t, resp.delivery.Err, receiver.ErrInvalidPayload)
							assert.Contains(t, resp.body, `"path":"`+tc.wantPath+`"`)
						}
						return
					}
					assert.Equal(t, 204, resp.status, resp.body)
					if tc.wantPath == "" {
						assert.Empty(t, resp.delivery.Warnings)
						return
					}
					require.Len(t, resp.delivery.Warnings, 1)
					assert.Equal(t, tc.wantPath, resp.delivery.Warnings[0].Path)
					assert.Equal(t, "key", resp.delivery.Warnings[0].Keyword)
					assert.Contains(t, resp.delivery.Warnings[0].Message, "only in letter case")
				})
			}
			var ids []int
			for _, ev := range got {
				ids = append(ids, ev.Record.UserID)
			}
			if strict {
				assert.Equal(t, []int{1, 1}, ids, "only the validated userId reaches the callback")
				return
			}
			require.Len(t, got, len(cases))
			assert.Equal(t, []int{1, 1, 1, 1, 1, 1, 1}, ids, "only the validated userId reaches the callback")
			assert.False(t, got[1].Record.Locked, "the Kelvin-sign key is ignored")
			assert.Equal(t, "password", got[3].Record.PreferredFirstFactor.MustGet().Strategy, "the folded Strategy is ignored")
			assert.Equal(t, []string{"admin"}, got[4].Record.Authorization["demo1234"].Roles, "the folded ROLES is ignored")
		})
	}
}

// TestPanicLoggedWithoutLogger checks that a callback's panic is never lost:
// without Options.Logger it goes to slog.Default().
func TestPanicLoggedWithoutLogger(t *testing.T) {
	var buf hooktest.LockedBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	h, err := receiver.New(receiver.Options{Token: liveToken}, receiver.Callbacks{
		OnTenantDeleted: func(context.Context, gen.TenantDeletedEvent) error { panic("boom") },
	})
	require.NoError(t, err)
	status, _ := serveOnce(h, example(t, "tenant.deleted", nil))
	assert.Equal(t, 500, status)
	assert.Contains(t, buf.String(), "webhook callback panicked")
	assert.Contains(t, buf.String(), "boom")
	assert.NotContains(t, buf.String(), liveToken)
}
