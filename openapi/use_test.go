package openapi_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/ufhook/ufhook/openapi"
)

// The tests of this file change the process-wide document: none of them may
// run in parallel with a test that reads the catalog.

// useSeventh installs testdata/seventh.yaml, the embedded document plus a
// made-up user.archived webhook, until the end of the test.
func useSeventh(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/seventh.yaml")
	require.NoError(t, err)
	require.NoError(t, openapi.Use(data))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	return data
}

func TestUseServesAnotherDocument(t *testing.T) {
	embedded := openapi.Names()
	useSeventh(t)

	assert.Equal(t, append(embedded, "user.archived"), openapi.Names())
	evs, err := openapi.Events()
	require.NoError(t, err)
	require.Len(t, evs, len(embedded)+1)
	ev, err := openapi.Lookup("user.archived")
	require.NoError(t, err)
	assert.Equal(t, [5]string{"user.archived", "user", "archive", "userArchived", "UserArchivedEvent"},
		[5]string{ev.Name, ev.Model, ev.Action, ev.OperationID, ev.SchemaName})
	doc, err := openapi.Load()
	require.NoError(t, err)
	assert.Contains(t, doc.Webhooks, "user.archived")

	// Validate applies the new envelope: its example passes, and the
	// action const is the new one.
	example, err := json.Marshal(ev.Schema.Examples[0])
	require.NoError(t, err)
	require.NoError(t, openapi.Validate(ev, example))
	wrong := strings.Replace(string(example), `"action":"archive"`, `"action":"delete"`, 1)
	require.NotEqual(t, string(example), wrong)
	var verr *openapi.ValidationError
	require.ErrorAs(t, openapi.Validate(ev, []byte(wrong)), &verr)
	assert.Equal(t, "/action", verr.Problems[0].Path)

	// Back to the embedded document: the made-up event is gone.
	require.NoError(t, openapi.Use(openapi.Spec()))
	assert.Equal(t, embedded, openapi.Names())
	_, err = openapi.Lookup("user.archived")
	assert.ErrorIs(t, err, openapi.ErrUnknownEvent)
	assert.ErrorIs(t, openapi.Validate(openapi.Event{Name: "user.archived"}, example), openapi.ErrUnknownEvent)
	// An Event taken before the change still validates against its own schema.
	assert.NoError(t, openapi.Validate(ev, example))
}

func TestUseTakesJSON(t *testing.T) {
	embedded := len(openapi.Names())
	data, err := os.ReadFile("testdata/seventh.yaml")
	require.NoError(t, err)
	var v any
	require.NoError(t, yaml.Unmarshal(data, &v))
	js, err := json.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, openapi.Use(js))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })

	_, err = openapi.Lookup("user.archived")
	assert.NoError(t, err)
	assert.Len(t, openapi.Names(), embedded+1)
}

func TestUseRejectsWhatTheEmbeddedDocumentMayNotBe(t *testing.T) {
	seventh, err := os.ReadFile("testdata/seventh.yaml")
	require.NoError(t, err)
	doc := string(seventh)
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
		{"empty", nil, "value of openapi must be a non-empty string"},
		{"not YAML", []byte("webhooks: [unclosed"), "load the document"},
		{"no webhooks", []byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"), "has no webhooks"},
		{"invalid document", replace("openapi: 3.1.0", "openapi: 3.1.0\nservers: 7"), "the document"},
		{"no post of several", replace("  user.archived:\n    # SEVENTH: a made-up webhook, not sent by Userfront.\n    post:", "  user.archived:\n    patch: {responses: {'200': {description: ok}}}\n    put:"), `webhook "user.archived" has put and patch operations and no post: choose the one ufhook sends with --operation user.archived=METHOD`},
		{"broken schema", replace("$ref: '#/components/schemas/UserArchivedEvent'", "$ref: '#/components/schemas/NoSuchEvent'"), "the document"},
	}
	before := openapi.Names()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := openapi.Use(tc.data)
			require.ErrorIs(t, err, openapi.ErrInvalidDocument)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "fix the document")
			assert.Equal(t, before, openapi.Names(), "a rejected document changes nothing")
		})
	}
}

// TestSeventhIsWebhooksPlusOne keeps testdata/seventh.yaml honest: it is
// webhooks.yaml with one webhook and one schema more, and nothing else.
func TestSeventhIsWebhooksPlusOne(t *testing.T) {
	seventh, err := os.ReadFile("testdata/seventh.yaml")
	require.NoError(t, err)
	var got, want map[string]any
	require.NoError(t, yaml.Unmarshal(seventh, &got))
	require.NoError(t, yaml.Unmarshal(openapi.Spec(), &want))

	hooks := got["webhooks"].(map[string]any)
	require.Contains(t, hooks, "user.archived")
	delete(hooks, "user.archived")
	schemas := got["components"].(map[string]any)["schemas"].(map[string]any)
	require.Contains(t, schemas, "UserArchivedEvent")
	delete(schemas, "UserArchivedEvent")
	assert.Equal(t, want, got, "seventh.yaml has drifted from webhooks.yaml: copy webhooks.yaml again and re-add the two SEVENTH blocks")
}

// TestUseIsSafeForConcurrentReaders switches documents while readers run;
// go test -race checks the rest.
func TestUseIsSafeForConcurrentReaders(t *testing.T) {
	seventh, err := os.ReadFile("testdata/seventh.yaml")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })

	embedded := len(openapi.Names())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var failed error
	var mu sync.Mutex
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				names := openapi.Names()
				if n := len(names); n != embedded && n != embedded+1 {
					mu.Lock()
					failed = errors.Join(failed, errors.New("a reader saw a catalog of neither document"))
					mu.Unlock()
				}
				_ = openapi.Validate(openapi.MustLookup("user.created"), []byte(`{}`))
			}
		}()
	}
	for i := range 6 {
		data := openapi.Spec()
		if i%2 == 0 {
			data = seventh
		}
		require.NoError(t, openapi.Use(data))
	}
	close(stop)
	wg.Wait()
	require.NoError(t, failed)
}
