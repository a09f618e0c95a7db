package openapi_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// TestConstsTellTheEventsApart checks each event's consts, read from the
// spec, and that every example of the spec matches its own event and no
// other: the three messaging webhooks share model and action, and their
// factor's strategy and channel tell them apart.
func TestConstsTellTheEventsApart(t *testing.T) {
	want := map[string]map[string]string{
		"user.created":          {"/action": "create", "/model": "user"},
		"user.updated":          {"/action": "update", "/model": "user"},
		"user.deleted":          {"/action": "delete", "/model": "user"},
		"tenant.created":        {"/action": "create", "/model": "tenant"},
		"tenant.updated":        {"/action": "update", "/model": "tenant"},
		"tenant.deleted":        {"/action": "delete", "/model": "tenant"},
		"user.login.link.email": {"/action": "login", "/model": "user", "/factor/strategy": "link", "/factor/channel": "email"},
		"user.login.code.email": {"/action": "login", "/model": "user", "/factor/strategy": "verificationCode", "/factor/channel": "email"},
		"user.login.code.sms":   {"/action": "login", "/model": "user", "/factor/strategy": "verificationCode", "/factor/channel": "sms"},
	}
	evs, err := openapi.Events()
	require.NoError(t, err)
	require.Len(t, evs, len(want))
	for _, ev := range evs {
		assert.Equal(t, want[ev.Name], ev.Consts(), ev.Name)
		require.NotEmpty(t, ev.Schema.Examples, ev.Name)
		for i, ex := range ev.Schema.Examples {
			raw, err := json.Marshal(ex)
			require.NoError(t, err)
			v, err := openapi.DecodeJSON(raw)
			require.NoError(t, err)
			var matched []string
			for _, other := range evs {
				if other.Matches(v) {
					matched = append(matched, other.Name)
				}
			}
			assert.Equal(t, []string{ev.Name}, matched, "%s example %d", ev.Name, i)
		}
	}
}

// TestMatches builds bodies from a valid login code by SMS and checks which
// match its event.
func TestMatches(t *testing.T) {
	ev := openapi.MustLookup("user.login.code.sms")
	const base = `{"action":"login","model":"user","mode":"live","factor":{"strategy":"verificationCode","channel":"sms","phoneNumber":"+15555550123","verificationCode":"123456","message":"m"}}`
	cases := []struct {
		name string
		body string
		want bool
	}{
		{"the valid body", base, true},
		{"more fields anywhere", strings.Replace(base, `"mode":"live"`, `"mode":"live","webhookId":"x","extra":{"factor":1}`, 1), true},
		{"another channel", strings.Replace(base, `"channel":"sms"`, `"channel":"email"`, 1), false},
		{"another strategy", strings.Replace(base, `"strategy":"verificationCode"`, `"strategy":"link"`, 1), false},
		{"another action", strings.Replace(base, `"action":"login"`, `"action":"create"`, 1), false},
		{"no factor", `{"action":"login","model":"user","mode":"live"}`, false},
		{"a factor that is no object", `{"action":"login","model":"user","mode":"live","factor":"sms"}`, false},
		{"a const that is no string", strings.Replace(base, `"channel":"sms"`, `"channel":["sms"]`, 1), false},
		{"not an object", `["login","user"]`, false},
		{"null", `null`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := openapi.DecodeJSON([]byte(tc.body))
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev.Matches(v))
		})
	}
	// An Event that does not come from the catalog has no consts and
	// matches nothing.
	v, err := openapi.DecodeJSON([]byte(base))
	require.NoError(t, err)
	assert.False(t, openapi.Event{Name: "user.login.code.sms"}.Matches(v))
	assert.Nil(t, openapi.Event{Name: "user.login.code.sms"}.Consts())
	// Consts is a copy.
	c := ev.Consts()
	c["/factor/channel"] = "fax"
	assert.Equal(t, "sms", ev.Consts()["/factor/channel"])
}

// TestUseRoutesToTheEventWithMostConsts installs a document whose made-up
// webhook has model user and action login and no factor: its consts are in
// every messaging webhook's, which is allowed, and a messaging body matches
// both, the messaging webhook having more consts.
func TestUseRoutesToTheEventWithMostConsts(t *testing.T) {
	data, err := os.ReadFile("testdata/seventh.yaml")
	require.NoError(t, err)
	doc := strings.Replace(string(data), "          const: archive\n", "          const: login\n", 1)
	require.NotEqual(t, string(data), doc)
	require.NoError(t, openapi.Use([]byte(doc)))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })

	v, err := openapi.DecodeJSON([]byte(`{"action":"login","model":"user","mode":"test","factor":{"strategy":"link","channel":"email"}}`))
	require.NoError(t, err)
	archived, link := openapi.MustLookup("user.archived"), openapi.MustLookup("user.login.link.email")
	assert.True(t, archived.Matches(v))
	assert.True(t, link.Matches(v))
	assert.Greater(t, len(link.Consts()), len(archived.Consts()))
}

// TestUseRefusesEventsThatCannotBeToldApart installs documents in which a
// payload could match two webhooks, neither of which has all the other's
// consts.
func TestUseRefusesEventsThatCannotBeToldApart(t *testing.T) {
	data, err := os.ReadFile("testdata/seventh.yaml")
	require.NoError(t, err)
	doc := string(data)
	replace := func(old, new string) []byte {
		t.Helper()
		require.Contains(t, doc, old)
		return []byte(strings.Replace(doc, old, new, 1))
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"the same consts", replace("          const: archive\n", "          const: create\n"),
			`webhooks "user.created" and "user.archived" cannot be told apart`},
		{"the same consts, one level down", replace("          const: sms\n", "          const: email\n"),
			`webhooks "user.login.code.email" and "user.login.code.sms" cannot be told apart`},
		{"consts on different fields", replace("          const: sms\n", "          x-note: no const\n        kind:\n          type: string\n          const: sms\n"),
			`webhooks "user.login.code.email" and "user.login.code.sms" cannot be told apart`},
	}
	before := openapi.Names()
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := openapi.Use(tc.data)
			require.ErrorIs(t, err, openapi.ErrInvalidDocument)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "give one of them a const")
			assert.Equal(t, before, openapi.Names(), "a rejected document changes nothing")
		})
	}
}

// TestFromRecordReadsTheSpec checks which values of each payload the spec
// says come from the record the webhook is about.
func TestFromRecordReadsTheSpec(t *testing.T) {
	want := map[string]map[string]string{
		"user.login.link.email": {"factor.email": "email", "factor.uuid": "userUuid"},
		"user.login.code.email": {"factor.email": "email"},
		"user.login.code.sms":   {"factor.phoneNumber": "phoneNumber"},
	}
	evs, err := openapi.Events()
	require.NoError(t, err)
	for _, ev := range evs {
		assert.Equal(t, want[ev.Name], openapi.FromRecord(ev), ev.Name)
	}
	assert.Nil(t, openapi.FromRecord(openapi.Event{Name: "user.login.code.sms"}), "an Event without a schema has no marks")
}
