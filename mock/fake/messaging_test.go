package fake_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

var codeRE = regexp.MustCompile(`^[0-9]{6}$`)

// factor returns the factor of a messaging payload.
func factor(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var env map[string]any
	require.NoError(t, json.Unmarshal(body, &env), "%s", body)
	f, ok := env["factor"].(map[string]any)
	require.True(t, ok, "%s", body)
	return f
}

// TestMessagingPayloadsAreCoherent checks, over many seeds and every
// shape, what the spec's hints promise of the three messaging webhooks: a
// login link carries the token and the uuid of its factor, and the message
// carries the link or the six-digit code.
func TestMessagingPayloadsAreCoherent(t *testing.T) {
	shapes := []fake.Shape{fake.Realistic, fake.Full, fake.Sparse, fake.WithUnknownFields, fake.Nulls}
	for seed := range uint64(300) {
		shape := shapes[seed%uint64(len(shapes))]
		link := factor(t, mustPayload(t, "user.login.link.email", fake.Options{Seed: seed, Shape: shape}))
		u, err := url.Parse(link["url"].(string))
		require.NoError(t, err)
		assert.Equal(t, "https", u.Scheme, "%v", link)
		assert.Equal(t, "/login", u.Path, "%v", link)
		assert.Equal(t, link["token"], u.Query().Get("token"), "the link carries the token: %v", link)
		assert.Equal(t, link["uuid"], u.Query().Get("uuid"), "the link carries the uuid: %v", link)
		assert.NotEqual(t, link["token"], link["uuid"])
		assert.True(t, strings.HasPrefix(link["message"].(string), "Your "), "%v", link)
		assert.True(t, strings.HasSuffix(link["message"].(string), " login link: "+link["url"].(string)), "the message carries the link: %v", link)

		for _, name := range []string{"user.login.code.email", "user.login.code.sms"} {
			f := factor(t, mustPayload(t, name, fake.Options{Seed: seed, Shape: shape}))
			code, _ := f["verificationCode"].(string)
			assert.Regexp(t, codeRE, code, "%v", f)
			assert.True(t, strings.HasSuffix(f["message"].(string), " verification code is: "+code), "the message carries the code: %v", f)
		}
		sms := factor(t, mustPayload(t, "user.login.code.sms", fake.Options{Seed: seed, Shape: shape}))
		assert.Regexp(t, e164RE, sms["phoneNumber"], "%v", sms)
	}
}

func mustPayload(t *testing.T, event string, opts fake.Options) []byte {
	t.Helper()
	ev := openapi.MustLookup(event)
	body, err := fake.Payload(ev, opts)
	require.NoError(t, err)
	require.NoError(t, openapi.Validate(ev, body), "%s", body)
	return body
}

// TestSetFixesValuesBeforeTheDraw fixes values of a payload with
// Options.Set: what refers to them follows, the rest of the payload is the
// seed's, and paths that the payload does not draw are set as Override
// sets them.
func TestSetFixesValuesBeforeTheDraw(t *testing.T) {
	const uuid = "099660af-872d-435f-b9c1-148bb03896b7"
	link := openapi.MustLookup("user.login.link.email")
	cases := []struct {
		name  string
		event openapi.Event
		opts  fake.Options
		check func(t *testing.T, env map[string]any)
	}{
		{"a value that a link refers to", link,
			fake.Options{Seed: 3, Set: []string{"factor.uuid=" + uuid, "factor.email=jane@example.com"}},
			func(t *testing.T, env map[string]any) {
				f := env["factor"].(map[string]any)
				assert.Equal(t, uuid, f["uuid"])
				assert.Equal(t, "jane@example.com", f["email"])
				assert.Contains(t, f["url"], "uuid="+uuid, "the link is made from the fixed uuid")
				assert.Contains(t, f["message"], "uuid="+uuid, "and so is the message")
			}},
		{"a quoted JSON string", openapi.MustLookup("user.login.code.sms"),
			fake.Options{Seed: 3, Shape: fake.Sparse, Set: []string{`factor.phoneNumber="+15555550123"`, "factor.verificationCode=\"012345\""}},
			func(t *testing.T, env map[string]any) {
				f := env["factor"].(map[string]any)
				assert.Equal(t, "+15555550123", f["phoneNumber"])
				assert.Equal(t, "012345", f["verificationCode"])
				assert.True(t, strings.HasSuffix(f["message"].(string), "is: 012345"), "the message carries the fixed code: %v", f)
			}},
		{"a record webhook", openapi.MustLookup("user.created"),
			fake.Options{Seed: 3, Mode: gen.ModeLive, Set: []string{"record.email=sam@example.org", "record.userUuid=" + uuid}},
			func(t *testing.T, env map[string]any) {
				rec := env["record"].(map[string]any)
				assert.Equal(t, "sam@example.org", rec["email"])
				assert.Equal(t, uuid, rec["uuid"], "the deprecated uuid is the same as userUuid (x-same-as)")
				assert.Equal(t, "live", rec["mode"])
			}},
		{"paths the payload does not draw", link,
			fake.Options{Seed: 3, Set: []string{"factor.subject=Log in", "webhookId=42"}},
			func(t *testing.T, env map[string]any) {
				assert.Equal(t, "Log in", env["factor"].(map[string]any)["subject"])
				assert.Equal(t, 42.0, env["webhookId"])
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, err := fake.Payload(tc.event, tc.opts)
			require.NoError(t, err)
			require.NoError(t, openapi.Validate(tc.event, body), "%s", body)
			var env map[string]any
			require.NoError(t, json.Unmarshal(body, &env))
			tc.check(t, env)

			again, err := fake.Payload(tc.event, tc.opts)
			require.NoError(t, err)
			assert.Equal(t, string(body), string(again), "the same options give the same bytes")

			// Without the sets, the payload differs only where they reach.
			plain := tc.opts
			plain.Set = nil
			unset, err := fake.Payload(tc.event, plain)
			require.NoError(t, err)
			assert.NotEqual(t, string(unset), string(body))
		})
	}
}

func TestSetRefusesMalformedSets(t *testing.T) {
	ev := openapi.MustLookup("user.login.code.email")
	for _, set := range []string{"factor.email", "=x", "factor..email=x"} {
		t.Run(set, func(t *testing.T) {
			_, err := fake.Payload(ev, fake.Options{Set: []string{set}})
			require.ErrorIs(t, err, fake.ErrBadOverride)
		})
	}
}
