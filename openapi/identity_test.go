package openapi_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// TestIdentityReadsTheSpec checks the identifying properties that the
// embedded spec marks x-identity, for every event: each model's record
// schema carries the mark, so every event of the model shares it.
func TestIdentityReadsTheSpec(t *testing.T) {
	want := map[string][]string{
		"user":   {"/record/userId"},
		"tenant": {"/record/tenantId"},
	}
	evs, err := openapi.Events()
	require.NoError(t, err)
	for _, ev := range evs {
		t.Run(ev.Name, func(t *testing.T) {
			if ev.Schema.Properties["record"] == nil {
				assert.Empty(t, ev.Identity(), "a messaging webhook carries no record to identify")
			} else {
				assert.Equal(t, want[ev.Model], ev.Identity())
			}
			looked, err := openapi.Lookup(ev.Name)
			require.NoError(t, err)
			assert.Equal(t, ev.Identity(), looked.Identity())
			assert.True(t, ev == looked, "events stay comparable, and equal when looked up again")
		})
	}
}

// TestIdentityOfTheSeventhWebhook checks that a webhook added to the spec
// with an existing record schema shares that record's marks.
func TestIdentityOfTheSeventhWebhook(t *testing.T) {
	useSeventh(t)
	ev, err := openapi.Lookup("user.archived")
	require.NoError(t, err)
	assert.Equal(t, []string{"/record/userId"}, ev.Identity())
}

// decoded is body decoded as openapi.DecodeJSON decodes it.
func decoded(t *testing.T, body string) any {
	t.Helper()
	v, err := openapi.DecodeJSON([]byte(body))
	require.NoError(t, err)
	return v
}

func TestIdentify(t *testing.T) {
	user, err := openapi.Lookup("user.updated")
	require.NoError(t, err)
	tenant, err := openapi.Lookup("tenant.deleted")
	require.NoError(t, err)
	cases := []struct {
		name      string
		ev        openapi.Event
		body      string
		wantID    string
		wantPaths []string // of the problems
		wantRules []string
	}{
		{"user", user, `{"record":{"userId":42,"tenantId":"p9ny8bdj"}}`, "42", nil, nil},
		{"user id written as 42.0", user, `{"record":{"userId":42.0}}`, "42.0", nil, nil},
		{"user id 0 is an id, though the schema's minimum is 1", user, `{"record":{"userId":0}}`, "0", nil, nil},
		{"tenant", tenant, `{"record":{"tenantId":"p9ny8bdj"}}`, "p9ny8bdj", nil, nil},
		{"tenant id that breaks the pattern is still an id", tenant, `{"record":{"tenantId":"Not An Id"}}`, "Not An Id", nil, nil},
		{"user id a string", user, `{"record":{"userId":"42"}}`, "", []string{"/record/userId"}, []string{"type"}},
		{"user id a fraction", user, `{"record":{"userId":4.2}}`, "", []string{"/record/userId"}, []string{"type"}},
		{"user id null", user, `{"record":{"userId":null}}`, "", []string{"/record/userId"}, []string{"type"}},
		{"user id missing", user, `{"record":{"tenantId":"p9ny8bdj"}}`, "", []string{"/record/userId"}, []string{"required"}},
		{"tenant id a number", tenant, `{"record":{"tenantId":7}}`, "", []string{"/record/tenantId"}, []string{"type"}},
		{"record null", tenant, `{"record":null}`, "", []string{"/record/tenantId"}, []string{"required"}},
		{"record a string", tenant, `{"record":"p9ny8bdj"}`, "", []string{"/record/tenantId"}, []string{"required"}},
		{"no record", tenant, `{"action":"delete"}`, "", []string{"/record/tenantId"}, []string{"required"}},
		{"not an object", tenant, `[1]`, "", []string{"/record/tenantId"}, []string{"required"}},
		{"an event without identity", openapi.Event{Name: "note.pinned"}, `{"record":{}}`, "", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, problems := tc.ev.Identify(decoded(t, tc.body))
			assert.Equal(t, tc.wantID, id)
			var paths, rules []string
			for _, p := range problems {
				paths, rules = append(paths, p.Path), append(rules, p.Keyword)
				assert.NotEmpty(t, p.Message)
			}
			assert.Equal(t, tc.wantPaths, paths)
			assert.Equal(t, tc.wantRules, rules)
		})
	}
}

// identityDoc marks properties in every way a document may, and in ways
// that do not count: inside an array, a map or an anyOf branch, with a
// value other than true, or below a marked property.
const identityDoc = `
openapi: 3.1.0
info: {title: t, version: '1'}
webhooks:
  note.pinned:
    post:
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/NotePinnedEvent'
      responses:
        '200': {description: ok}
  note.unpinned:
    post:
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/NoteUnpinnedEvent'
      responses:
        '200': {description: ok}
components:
  schemas:
    Owner:
      type: object
      properties:
        id:
          type: [string, integer]
          x-identity: true
    Note:
      type: object
      properties:
        noteId:
          type: string
          x-identity: true
        owner:
          $ref: '#/components/schemas/Owner'
        self:
          $ref: '#/components/schemas/Note'
        byRef:
          $ref: '#/components/schemas/Owner'
          x-identity: true
        falsy:
          type: string
          x-identity: false
        list:
          type: array
          items: {type: object, properties: {x: {type: string, x-identity: true}}}
        map:
          type: object
          additionalProperties: {type: object, properties: {x: {type: string, x-identity: true}}}
        either:
          anyOf:
            - {type: object, properties: {x: {type: string, x-identity: true}}}
    NotePinnedEvent:
      type: object
      properties:
        action: {type: string, const: pin}
        model: {type: string, const: note}
        record:
          $ref: '#/components/schemas/Note'
    NoteUnpinnedEvent:
      type: object
      properties:
        action: {type: string, const: unpin}
        model: {type: string, const: note}
        record:
          type: object
          properties:
            text: {type: string}
`

// TestIdentityOfAnotherDocument reads the marks of a document installed
// with Use, and an event with none, which its envelope alone identifies.
func TestIdentityOfAnotherDocument(t *testing.T) {
	require.NoError(t, openapi.Use([]byte(identityDoc)))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })

	pinned, err := openapi.Lookup("note.pinned")
	require.NoError(t, err)
	assert.Equal(t, []string{"/record/byRef", "/record/noteId", "/record/owner/id"}, pinned.Identity())
	id, problems := pinned.Identify(decoded(t, `{"record":{"noteId":"n1","owner":{"id":7},"byRef":{"id":"x"}}}`))
	assert.Empty(t, problems)
	assert.Equal(t, `{"id":"x"}/n1/7`, id, "several identifying values are joined with /, in pointer order")
	_, problems = pinned.Identify(decoded(t, `{"record":{"noteId":"n1","owner":{"id":true},"byRef":{}}}`))
	require.Len(t, problems, 1)
	assert.Equal(t, openapi.Problem{Path: "/record/owner/id", Keyword: "type", Message: "got boolean, want string or integer"}, problems[0])

	unpinned, err := openapi.Lookup("note.unpinned")
	require.NoError(t, err)
	assert.Empty(t, unpinned.Identity())
	id, problems = unpinned.Identify(decoded(t, `{"record":{"text":"hi"}}`))
	assert.Empty(t, id)
	assert.Empty(t, problems, "an event without marks is identified by its envelope alone")

	// The catalog's JSON form does not change.
	b, err := json.Marshal(pinned)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "identity")
}
