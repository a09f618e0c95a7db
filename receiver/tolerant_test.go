package receiver_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

// user2022 is a user.updated webhook as Userfront sent it in 2022: its
// record has no isEmailConfirmed or isPhoneNumberConfirmed yet, carries
// confirmedAt: null, and its user has a generated username. See
// userfront-facts.md, "Checked again against every public source".
const user2022 = `{"action":"update","model":"user","mode":"live","record":{
	"mode":"live","userId":318,"userUuid":"5c1f0e4a-2b7d-4c3e-9f6a-8d2e1b0c7a95",
	"username":"fantastic-sun-69l94","email":"morgan.reyes@example.com","name":"Morgan Reyes",
	"image":"https://res.cloudinary.com/component/image/upload/avatars/avatar-plain-9.png",
	"phoneNumber":null,"data":{},"locked":false,"isMfaRequired":false,
	"preferredFirstFactor":{"channel":"email","strategy":"link"},"preferredSecondFactor":null,
	"confirmedAt":null,"isConfirmed":true,"createdAt":"2022-03-14T18:07:21.412Z",
	"authorization":{"p9ny8bdj":{"roles":["member"]}},"tenantId":"p9ny8bdj",
	"uuid":"5c1f0e4a-2b7d-4c3e-9f6a-8d2e1b0c7a95",
	"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}],"secondFactors":[]}}}`

// user2024 is a user.updated webhook of today, from Userfront's captured
// user (packages/node/src/mocks/user-GET.json) less the fields webhooks
// drop: the baseline that the variants change.
const user2024 = `{"action":"update","model":"user","mode":"live","record":{
	"mode":"live","userId":1,"userUuid":"099660af-872d-435f-b9c1-148bb03896b7",
	"username":"mock-user","email":"loremIpsum@userfront.com","name":"",
	"image":"https://res.cloudinary.com/component/image/upload/avatars/avatar-plain-4.png",
	"phoneNumber":null,"data":{},"locked":false,"isMfaRequired":false,
	"preferredFirstFactor":{"channel":"email","strategy":"password"},
	"preferredSecondFactor":{"channel":"authenticator","strategy":"totp"},
	"isEmailConfirmed":true,"isPhoneNumberConfirmed":false,
	"createdAt":"2024-05-15T23:04:50.787Z","authorization":{},"tenantId":"mock1234",
	"isConfirmed":true,"uuid":"099660af-872d-435f-b9c1-148bb03896b7",
	"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}],"secondFactors":[]}}}`

// variant is user2024 with its record changed by change.
func variant(t *testing.T, change func(rec map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(user2024), &m))
	change(m["record"].(map[string]any))
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// paths lists the JSON pointers of problems.
func paths(problems []openapi.Problem) []string {
	out := make([]string, 0, len(problems))
	for _, p := range problems {
		out = append(out, p.Path)
	}
	return out
}

// TestOlderAndVariantRecords is the "done when": older and variant
// records that Userfront really sends are accepted by default, the schema's
// objections to them reported as warnings that the callback sees too, and
// refused under Strict only. Whether a variant breaks the schema depends on
// the spec of the day (a later spec may allow image: "" or a record without
// isEmailConfirmed), so each case asks openapi.Validate first, and expects
// exactly its problems as warnings by default and as the 400's problems
// under Strict; a value that the generated type cannot hold is a warning
// whatever the spec says.
func TestOlderAndVariantRecords(t *testing.T) {
	cases := []struct {
		name string
		body []byte
		// fitWarning is the pointer of a value that does not fit the
		// generated type, and is left at its zero value.
		fitWarning string
		// check looks at what the callback got.
		check func(t *testing.T, ev gen.UserUpdatedEvent)
	}{
		{name: "a 2022 record: no isEmailConfirmed or isPhoneNumberConfirmed, confirmedAt null", body: []byte(user2022),
			check: func(t *testing.T, ev gen.UserUpdatedEvent) {
				assert.Equal(t, 318, ev.Record.UserID)
				assert.Equal(t, "fantastic-sun-69l94", ev.Record.Username.MustGet())
				assert.False(t, ev.Record.IsEmailConfirmed, "absent, so the zero value")
			}},
		{name: "image an empty string", body: variant(t, func(r map[string]any) { r["image"] = "" }),
			check: func(t *testing.T, ev gen.UserUpdatedEvent) { assert.Equal(t, "", ev.Record.Image.MustGet()) }},
		{name: "image a relative path", body: variant(t, func(r map[string]any) { r["image"] = "/avatar.png" }),
			check: func(t *testing.T, ev gen.UserUpdatedEvent) { assert.Equal(t, "/avatar.png", ev.Record.Image.MustGet()) }},
		{name: "authorization with two tenants, the verbose one with permissions []", body: variant(t, func(r map[string]any) {
			r["authorization"] = map[string]any{
				"mock1234": map[string]any{"roles": []any{"admin"}, "tenantId": "mock1234", "name": "Next", "permissions": []any{}},
				"xbrr9qdb": map[string]any{"roles": []any{}},
			}
		}), check: func(t *testing.T, ev gen.UserUpdatedEvent) {
			assert.Len(t, ev.Record.Authorization, 2)
			assert.Equal(t, []string{"admin"}, ev.Record.Authorization["mock1234"].Roles)
		}},
		{name: "an unknown extra field", body: variant(t, func(r map[string]any) { r["lastSignInIp"] = "203.0.113.7" }),
			check: func(t *testing.T, ev gen.UserUpdatedEvent) { assert.Equal(t, 1, ev.Record.UserID) }},
		{name: "isConfirmed a string", body: variant(t, func(r map[string]any) { r["isConfirmed"] = "yes" }), fitWarning: "/record/isConfirmed",
			check: func(t *testing.T, ev gen.UserUpdatedEvent) {
				assert.False(t, ev.Record.IsConfirmed, "a value that does not fit is left at its zero value")
				assert.True(t, ev.Record.IsEmailConfirmed, "and the rest of the record is decoded")
				assert.Equal(t, "mock1234", ev.Record.TenantID)
			}},
		{name: "createdAt that is not RFC 3339, and a role that is a number", body: variant(t, func(r map[string]any) {
			r["createdAt"] = "2022-03-14 18:07:21"
			r["authorization"] = map[string]any{"mock1234": map[string]any{"roles": []any{"admin", 7}}}
		}), fitWarning: "/record/createdAt",
			check: func(t *testing.T, ev gen.UserUpdatedEvent) {
				assert.True(t, ev.Record.CreatedAt.IsZero())
				assert.Equal(t, []string{"admin", ""}, ev.Record.Authorization["mock1234"].Roles, "an item that does not fit keeps its place, as the zero value")
			}},
	}
	for _, strict := range []bool{false, true} {
		for _, tc := range cases {
			name := "default/" + tc.name
			if strict {
				name = "strict/" + tc.name
			}
			t.Run(name, func(t *testing.T) {
				var schema []openapi.Problem
				var verr *openapi.ValidationError
				if err := openapi.Validate(openapi.MustLookup("user.updated"), tc.body); errors.As(err, &verr) {
					schema = verr.Problems
				} else {
					require.NoError(t, err)
				}
				t.Logf("the spec's objections: %v", schema)

				var mu sync.Mutex
				var got []gen.UserUpdatedEvent
				var seen [][]openapi.Problem
				f := newFixture(t, receiver.Options{Token: liveToken, Strict: strict}, receiver.Callbacks{
					OnUserUpdated: func(ctx context.Context, ev gen.UserUpdatedEvent) error {
						mu.Lock()
						defer mu.Unlock()
						got, seen = append(got, ev), append(seen, receiver.Warnings(ctx))
						return nil
					},
				})
				resp := f.post(t, http.MethodPost, bearer.Header(liveToken), tc.body)

				if strict {
					if schema == nil && tc.fitWarning == "" {
						assert.Equal(t, 204, resp.status, "valid by today's spec: %s", resp.body)
						assert.Empty(t, resp.delivery.Warnings)
						return
					}
					assert.Equal(t, 400, resp.status, resp.body)
					assert.ErrorIs(t, resp.delivery.Err, receiver.ErrInvalidPayload)
					assert.Empty(t, got, "a refused payload never reaches the callback")
					assert.Equal(t, "user.updated", resp.delivery.Event)
					assert.Equal(t, gen.ModeLive, resp.delivery.Mode, "a refusal still tells the event and mode")
					var eb struct{ Problems []openapi.Problem }
					require.NoError(t, json.Unmarshal([]byte(resp.body), &eb))
					if schema != nil {
						assert.Equal(t, schema, eb.Problems, "Strict lists the schema's problems")
					}
					return
				}

				assert.Equal(t, 204, resp.status, resp.body)
				assert.NoError(t, resp.delivery.Err)
				require.Len(t, got, 1, "the callback runs")
				tc.check(t, got[0])
				assert.Equal(t, resp.delivery.Warnings, seen[0], "the callback sees the delivery's warnings")
				want := paths(schema)
				if tc.fitWarning != "" && !slices.Contains(want, tc.fitWarning) {
					want = append(want, tc.fitWarning)
					slices.Sort(want)
				}
				if len(want) == 0 {
					want = nil
					assert.Nil(t, resp.delivery.Warnings)
				}
				assert.Equal(t, want, nilIfEmpty(paths(resp.delivery.Warnings)), "the warnings are the schema's problems, plus what did not fit the type")
				for _, w := range resp.delivery.Warnings {
					assert.NotEmpty(t, w.Keyword, w.Path)
					assert.NotEmpty(t, w.Message, w.Path)
					if w.Path == tc.fitWarning {
						assert.Contains(t, w.Message, "zero value")
					}
				}
				if len(want) > 0 {
					assert.Contains(t, f.logs.String(), "level=WARN")
					assert.Contains(t, f.logs.String(), "warnings=")
				}
			})
		}
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestRefusedByDefault covers what the tolerant default still refuses: what
// it cannot route or identify.
func TestRefusedByDefault(t *testing.T) {
	cases := []struct {
		name    string
		body    []byte
		wantErr error
		path    string // a problem of the answer
	}{
		{"userId missing", variant(t, func(r map[string]any) { delete(r, "userId") }), receiver.ErrUnidentified, "/record/userId"},
		{"userId a string", variant(t, func(r map[string]any) { r["userId"] = "1" }), receiver.ErrUnidentified, "/record/userId"},
		{"userId null", variant(t, func(r map[string]any) { r["userId"] = nil }), receiver.ErrUnidentified, "/record/userId"},
		{"userId too large for the generated type", variant(t, func(r map[string]any) { r["userId"] = json.Number("1e400") }), receiver.ErrUnidentified, "/record/userId"},
		{"record missing", []byte(`{"action":"update","model":"user","mode":"live"}`), receiver.ErrUnidentified, "/record/userId"},
		{"broken envelope: not JSON", []byte(user2024[:80]), receiver.ErrMalformedJSON, ""},
		{"broken envelope: an array", []byte(`[` + user2024 + `]`), receiver.ErrMalformedJSON, ""},
		{"broken envelope: mode staging", []byte(strings.Replace(user2024, `"mode":"live"`, `"mode":"staging"`, 1)), receiver.ErrInvalidPayload, "/mode"},
		{"broken envelope: no mode", []byte(strings.Replace(user2024, `"mode":"live",`, ``, 1)), receiver.ErrInvalidPayload, "/mode"},
		{"unknown event", []byte(strings.Replace(user2024, `"action":"update"`, `"action":"archive"`, 1)), receiver.ErrUnknownEvent, ""},
	}
	for _, skip := range []bool{false, true} {
		f := newFixture(t, receiver.Options{Token: liveToken, SkipValidation: skip}, receiver.Callbacks{
			OnUserUpdated: func(context.Context, gen.UserUpdatedEvent) error {
				return errors.New("a refused payload reached the callback")
			},
		})
		for _, tc := range cases {
			t.Run(fmt.Sprintf("validation=%v/%s", !skip, tc.name), func(t *testing.T) {
				resp := f.post(t, http.MethodPost, bearer.Header(liveToken), tc.body)
				assert.Equal(t, 400, resp.status, resp.body)
				assert.ErrorIs(t, resp.delivery.Err, tc.wantErr)
				assert.Empty(t, resp.delivery.Warnings)
				if tc.path != "" {
					var eb struct{ Problems []openapi.Problem }
					require.NoError(t, json.Unmarshal([]byte(resp.body), &eb))
					assert.Equal(t, []string{tc.path}, paths(eb.Problems), resp.body)
				}
			})
		}
	}
}

// TestStats counts what a handler answered, concurrently.
func TestStats(t *testing.T) {
	h, err := receiver.New(receiver.Options{Token: liveToken}, receiver.Callbacks{
		OnUserUpdated: func(_ context.Context, ev gen.UserUpdatedEvent) error {
			if ev.Record.UserID == 13 {
				return errors.New("unlucky")
			}
			return nil
		},
	})
	require.NoError(t, err)
	assert.Equal(t, receiver.Stats{}, h.Stats())
	bodies := [][]byte{
		[]byte(user2024), // accepted
		variant(t, func(r map[string]any) { r["isConfirmed"] = "yes"; r["phoneNumber"] = "555" }), // accepted, 2 warnings
		variant(t, func(r map[string]any) { delete(r, "userId") }),                                // rejected
		variant(t, func(r map[string]any) { r["userId"] = 13 }),                                   // failed
		variant(t, func(r map[string]any) { r["userId"] = 13; r["locked"] = "no" }),               // failed, 1 warning
	}
	const rounds = 20
	var wg sync.WaitGroup
	for range rounds {
		for _, b := range bodies {
			wg.Go(func() { serveOnce(h, b) })
		}
	}
	wg.Wait()
	assert.Equal(t, receiver.Stats{Accepted: 2 * rounds, Rejected: rounds, Failed: 2 * rounds, Warned: 2 * rounds, Warnings: 3 * rounds}, h.Stats())
}

// noteDoc is the embedded spec plus a made-up webhook, note.pinned, whose
// record has no property marked x-identity.
func noteDoc(t *testing.T) []byte {
	t.Helper()
	doc := string(openapi.Spec())
	webhook := `webhooks:
  note.pinned:
    post:
      operationId: notePinned
      summary: A note was pinned
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/NotePinnedEvent'
      responses:
        2XX:
          description: Accepted.
`
	schema := `  schemas:
    NotePinnedEvent:
      type: object
      required: [action, model, mode, record]
      properties:
        action: {type: string, const: pin}
        model: {type: string, const: note}
        mode: {$ref: '#/components/schemas/Mode'}
        record:
          type: object
          required: [text]
          properties:
            text: {type: string}
`
	require.Equal(t, 1, strings.Count(doc, "\nwebhooks:\n"))
	require.Equal(t, 1, strings.Count(doc, "\n  schemas:\n"))
	doc = strings.Replace(doc, "\nwebhooks:\n", "\n"+webhook, 1)
	doc = strings.Replace(doc, "\n  schemas:\n", "\n"+schema, 1)
	return []byte(doc)
}

// TestEventWithoutIdentity receives a made-up webhook whose record has no
// identifying property: its envelope alone identifies it, so that only a
// broken envelope is refused, and RecordID stays empty.
func TestEventWithoutIdentity(t *testing.T) {
	require.NoError(t, openapi.Use(noteDoc(t)))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	ev, err := openapi.Lookup("note.pinned")
	require.NoError(t, err)
	require.Empty(t, ev.Identity())

	cases := []struct {
		name         string
		body         string
		want         int
		wantWarnings []string
	}{
		{"valid", `{"action":"pin","model":"note","mode":"test","record":{"text":"hi"}}`, 204, nil},
		{"record breaks the schema", `{"action":"pin","model":"note","mode":"test","record":{"text":5}}`, 204, []string{"/record/text"}},
		{"no record", `{"action":"pin","model":"note","mode":"test"}`, 204, []string{""}},
		{"mode staging", `{"action":"pin","model":"note","mode":"staging","record":{"text":"hi"}}`, 400, nil},
	}
	for _, skip := range []bool{false, true} {
		var mu sync.Mutex
		var calls []string
		f := newFixture(t, receiver.Options{Token: liveToken, SkipValidation: skip}, receiver.Callbacks{
			OnEvent: func(_ context.Context, ev openapi.Event, body json.RawMessage) error {
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, ev.Name)
				return nil
			},
		})
		for _, tc := range cases {
			t.Run(fmt.Sprintf("validation=%v/%s", !skip, tc.name), func(t *testing.T) {
				resp := f.post(t, http.MethodPost, bearer.Header(liveToken), []byte(tc.body))
				assert.Equal(t, tc.want, resp.status, resp.body)
				if tc.want != 204 {
					return
				}
				assert.Equal(t, "note.pinned", resp.delivery.Event)
				assert.Empty(t, resp.delivery.RecordID)
				if skip {
					assert.Empty(t, resp.delivery.Warnings, "without validation, an event without a type has nothing to warn of")
				} else {
					assert.Equal(t, tc.wantWarnings, nilIfEmpty(paths(resp.delivery.Warnings)))
				}
			})
		}
		assert.Equal(t, []string{"note.pinned", "note.pinned", "note.pinned"}, calls)
	}
}
