package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/openapi"
)

// messagingUsers creates the users of the messaging tests: Jane has an
// email and a phone number, Sam an email only, and Pat a phone number only.
func messagingUsers(t *testing.T, srv *mockServer, sk *sink) (jane, sam, pat gen.User) {
	t.Helper()
	c := server.NewClient(srv.URL, adminKey, nil)
	ctx := context.Background()
	var err error
	jane, err = c.CreateUser(ctx, server.Fields{"email": "jane.doe@example.com", "name": "Jane Doe", "phoneNumber": "+15555550123"})
	require.NoError(t, err)
	sam, err = c.CreateUser(ctx, server.Fields{"email": "sam.lee@example.org", "name": "Sam Lee"})
	require.NoError(t, err)
	pat, err = c.CreateUser(ctx, server.Fields{"phoneNumber": "+447700900123", "username": "pat"})
	require.NoError(t, err)
	for range 3 {
		require.Equal(t, "user.created", sk.next(t).Event)
	}
	return jane, sam, pat
}

// total is the number of deliveries in the outbox, in any state.
func total(t *testing.T, srv *mockServer) int {
	t.Helper()
	c, err := srv.Counts(context.Background())
	require.NoError(t, err)
	return c["pending"] + c["delivered"] + c["failed"]
}

// factorOf returns the factor of a delivered messaging webhook.
func factorOf(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var env struct {
		Action, Model, Mode string
		Factor              map[string]any
	}
	require.NoError(t, json.Unmarshal(body, &env), "%s", body)
	assert.Equal(t, "login", env.Action)
	assert.Equal(t, "user", env.Model)
	assert.Equal(t, "test", env.Mode, "the server's mode")
	require.NotNil(t, env.Factor, "%s", body)
	return env.Factor
}

// TestAuthCallsFireTheMessagingWebhooks asks for login links and codes
// through /v0/auth/link and /v0/auth/code, as a user on a login page does:
// each call that finds its user fires its webhook, made for that user, and
// every refusal is a 4xx in Userfront's error body that fires nothing.
func TestAuthCallsFireTheMessagingWebhooks(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	jane, sam, _ := messagingUsers(t, srv, sk)

	cases := []struct {
		name       string
		key        string // "" sends no admin key
		path       string
		body       any
		want       int
		wantMsg    string // in the error's message
		wantResult map[string]any
		event      string // the webhook fired, for a 200
		check      func(t *testing.T, f map[string]any)
	}{
		{name: "login link", path: "/v0/auth/link", body: map[string]any{"email": "jane.doe@example.com", "tenantId": srv.RootTenant()},
			want: 200, wantResult: map[string]any{"email": "jane.doe@example.com"}, event: "user.login.link.email",
			check: func(t *testing.T, f map[string]any) {
				assert.Equal(t, "jane.doe@example.com", f["email"])
				assert.Equal(t, jane.UserUUID.String(), f["uuid"], "the link is for the user who asked")
				u, err := url.Parse(f["url"].(string))
				require.NoError(t, err)
				assert.Equal(t, jane.UserUUID.String(), u.Query().Get("uuid"))
				assert.Equal(t, f["token"], u.Query().Get("token"))
				assert.Contains(t, f["message"], f["url"])
			}},
		{name: "login link, the email in another case", path: "/v0/auth/link", body: map[string]any{"email": "Jane.Doe@EXAMPLE.com"},
			want: 200, event: "user.login.link.email",
			check: func(t *testing.T, f map[string]any) {
				assert.Equal(t, "jane.doe@example.com", f["email"], "the address is the user's, as stored")
			}},
		{name: "login link, fields that create a user are ignored", path: "/v0/auth/link",
			body: map[string]any{"email": "sam.lee@example.org", "name": "Other", "username": "x", "data": map[string]any{}, "options": map[string]any{"a": 1}},
			want: 200, event: "user.login.link.email",
			check: func(t *testing.T, f map[string]any) { assert.Equal(t, sam.UserUUID.String(), f["uuid"]) }},
		{name: "code by email", path: "/v0/auth/code", body: map[string]any{"channel": "email", "email": "sam.lee@example.org"},
			want: 200, wantResult: map[string]any{"channel": "email", "email": "sam.lee@example.org"}, event: "user.login.code.email",
			check: func(t *testing.T, f map[string]any) {
				assert.Equal(t, "sam.lee@example.org", f["email"])
				assert.Regexp(t, `^[0-9]{6}$`, f["verificationCode"])
				assert.Contains(t, f["message"], f["verificationCode"])
			}},
		{name: "code by SMS", path: "/v0/auth/code", body: map[string]any{"channel": "sms", "phoneNumber": "+15555550123"},
			want: 200, wantResult: map[string]any{"channel": "sms", "phoneNumber": "+15555550123"}, event: "user.login.code.sms",
			check: func(t *testing.T, f map[string]any) {
				assert.Equal(t, "+15555550123", f["phoneNumber"])
				assert.Contains(t, f["message"], f["verificationCode"])
			}},
		{name: "code by SMS for a user without an email", path: "/v0/auth/code", body: map[string]any{"channel": "sms", "phoneNumber": "+447700900123", "email": nil},
			want: 200, event: "user.login.code.sms",
			check: func(t *testing.T, f map[string]any) { assert.Equal(t, "+447700900123", f["phoneNumber"]) }},

		{name: "unknown email", path: "/v0/auth/link", body: map[string]any{"email": "nobody@example.com"}, want: 404, wantMsg: `no user has the email "nobody@example.com"`},
		{name: "unknown email for a code", path: "/v0/auth/code", body: map[string]any{"channel": "email", "email": "nobody@example.com"}, want: 404, wantMsg: "create one with POST /v0/users"},
		{name: "a phone number no user has", path: "/v0/auth/code", body: map[string]any{"channel": "sms", "phoneNumber": "+15555550999"}, want: 404, wantMsg: `no user has the phone number "+15555550999"`},
		{name: "link without an email", path: "/v0/auth/link", body: map[string]any{"tenantId": srv.RootTenant()}, want: 400, wantMsg: `A login link needs "email"`},
		{name: "email code without an email", path: "/v0/auth/code", body: map[string]any{"channel": "email", "phoneNumber": "+15555550123"}, want: 400, wantMsg: `Email verification code requires "email"`},
		{name: "SMS code without a phone number", path: "/v0/auth/code", body: map[string]any{"channel": "sms", "email": "jane.doe@example.com"}, want: 400, wantMsg: `SMS verification code requires "phoneNumber"`},
		{name: "no channel", path: "/v0/auth/code", body: map[string]any{"email": "jane.doe@example.com"}, want: 400, wantMsg: `Invalid channel ""`},
		{name: "unknown channel", path: "/v0/auth/code", body: map[string]any{"channel": "fax", "email": "jane.doe@example.com"}, want: 400, wantMsg: `Invalid channel "fax"`},
		{name: "unknown field", path: "/v0/auth/link", body: map[string]any{"email": "jane.doe@example.com", "redirect": "/x"}, want: 400, wantMsg: `Unknown field "redirect"`},
		{name: "a field of the wrong type", path: "/v0/auth/link", body: map[string]any{"email": 7}, want: 400, wantMsg: "email must be a string"},
		{name: "not a JSON object", path: "/v0/auth/code", body: "[1]", want: 400, wantMsg: "must be a JSON object"},
		{name: "another tenant", path: "/v0/auth/link", body: map[string]any{"email": "jane.doe@example.com", "tenantId": "zzzz9999"}, want: 404, wantMsg: `tenant "zzzz9999" holds no users here`},
		{name: "no admin key", key: "-", path: "/v0/auth/link", body: map[string]any{"email": "jane.doe@example.com"}, want: 401},
		{name: "GET is no route", path: "/v0/auth/link?email=jane.doe@example.com", want: 404, wantMsg: "POST /v0/auth/link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := total(t, srv)
			key, method := adminKey, http.MethodPost
			if tc.key == "-" {
				key = ""
			}
			if tc.body == nil {
				method = http.MethodGet
			}
			status, out := call(t, srv.URL, key, method, tc.path, tc.body)
			require.Equal(t, tc.want, status, "%v", out)
			if tc.want != http.StatusOK {
				assert.Equal(t, float64(tc.want), out["statusCode"], "Userfront's error body")
				assert.Contains(t, out["message"], tc.wantMsg)
				assert.Equal(t, before, total(t, srv), "a refused call fires nothing")
				return
			}
			assert.Equal(t, "OK", out["message"])
			if tc.wantResult != nil {
				assert.Equal(t, tc.wantResult, out["result"])
			}
			d := sk.next(t)
			require.NoError(t, d.Err, "the reference receiver accepts it")
			assert.Equal(t, tc.event, d.Event)
			assert.Empty(t, d.RecordID, "a messaging webhook carries no record")
			require.NoError(t, openapi.Validate(openapi.MustLookup(tc.event), d.Body))
			assert.Equal(t, []string{"action", "model", "mode", "factor"}, keysInOrder(t, d.Body))
			tc.check(t, factorOf(t, d.Body))
		})
	}
}

// TestDashboardSendsForAUser fires the messaging webhooks from a user's
// row of the dashboard, and refuses what cannot be sent.
func TestDashboardSendsForAUser(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	jane, sam, pat := messagingUsers(t, srv, sk)
	path := func(u gen.User) string { return "/ui/users/" + strconv.Itoa(u.UserID) + "/send" }

	cases := []struct {
		name    string
		path    string
		body    any
		want    int
		wantMsg string
		check   func(t *testing.T, f map[string]any)
	}{
		{"login link", path(jane), map[string]any{"event": "user.login.link.email"}, 200, "",
			func(t *testing.T, f map[string]any) {
				assert.Equal(t, "jane.doe@example.com", f["email"])
				assert.Equal(t, jane.UserUUID.String(), f["uuid"])
			}},
		{"code by email", path(sam), map[string]any{"event": "user.login.code.email"}, 200, "",
			func(t *testing.T, f map[string]any) { assert.Equal(t, "sam.lee@example.org", f["email"]) }},
		{"code by SMS", path(pat), map[string]any{"event": "user.login.code.sms"}, 200, "",
			func(t *testing.T, f map[string]any) { assert.Equal(t, "+447700900123", f["phoneNumber"]) }},
		{"code by SMS for a user without a phone number", path(sam), map[string]any{"event": "user.login.code.sms"}, 400,
			"User " + strconv.Itoa(sam.UserID) + " has no phoneNumber, which user.login.code.sms is sent to: give the user one with PUT /v0/users/" + strconv.Itoa(sam.UserID), nil},
		{"login link for a user without an email", path(pat), map[string]any{"event": "user.login.link.email"}, 400, "has no email", nil},
		{"an event not sent for a user", path(jane), map[string]any{"event": "user.created"}, 400, "user.created is not sent for a user", nil},
		{"an unknown event", path(jane), map[string]any{"event": "user.exploded"}, 400, "unknown event", nil},
		{"no event", path(jane), "nope", 400, `Send {"event"`, nil},
		{"an unknown user", "/ui/users/999/send", map[string]any{"event": "user.login.link.email"}, 404, "no user has userId 999", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := total(t, srv)
			status, out := call(t, srv.URL, adminKey, http.MethodPost, tc.path, tc.body)
			require.Equal(t, tc.want, status, "%v", out)
			if tc.want != http.StatusOK {
				assert.Contains(t, out["message"], tc.wantMsg)
				assert.Equal(t, before, total(t, srv), "a refused send fires nothing")
				return
			}
			d := sk.next(t)
			require.NoError(t, d.Err)
			tc.check(t, factorOf(t, d.Body))
			detail := waitState(t, srv, jsonID(out["id"]), "delivered")
			assert.Equal(t, "dashboard", detail["source"])
			assert.Equal(t, d.Event, detail["event"])
			assert.NotEmpty(t, detail["label"], "the delivery is labelled with its address")
		})
	}

	// The dashboard learns which events are sent for a user, and what they
	// need of the user.
	status, info := call(t, srv.URL, adminKey, http.MethodGet, "/ui/info", nil)
	require.Equal(t, http.StatusOK, status)
	forUser := map[string]any{}
	for _, e := range info["events"].([]any) {
		ev := e.(map[string]any)
		if f, ok := ev["forUser"]; ok {
			forUser[ev["name"].(string)] = f
		}
	}
	assert.Equal(t, map[string]any{
		"user.login.link.email": []any{"email", "userUuid"},
		"user.login.code.email": []any{"email"},
		"user.login.code.sms":   []any{"phoneNumber"},
	}, forUser)
}

// TestClientSendsLinksAndCodes calls the three messaging calls through the
// client, and gets a 404 as an *APIError.
func TestClientSendsLinksAndCodes(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	messagingUsers(t, srv, sk)
	c := server.NewClient(srv.URL, adminKey, nil)
	ctx := context.Background()

	require.NoError(t, c.SendLoginLink(ctx, "jane.doe@example.com"))
	assert.Equal(t, "user.login.link.email", sk.next(t).Event)
	require.NoError(t, c.SendEmailCode(ctx, "sam.lee@example.org"))
	assert.Equal(t, "user.login.code.email", sk.next(t).Event)
	require.NoError(t, c.SendSMSCode(ctx, "+447700900123"))
	assert.Equal(t, "user.login.code.sms", sk.next(t).Event)

	assertAPIError(t, c.SendLoginLink(ctx, "nobody@example.com"), http.StatusNotFound, "no user has the email")
	assertAPIError(t, c.SendEmailCode(ctx, ""), http.StatusBadRequest, `requires "email"`)
	assertAPIError(t, c.SendSMSCode(ctx, "+15555550999"), http.StatusNotFound, "no user has the phone number")
}
