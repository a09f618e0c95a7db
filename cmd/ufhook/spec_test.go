package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/openapi"
)

// The tests of this file change the process's document, through --spec or
// UFHOOK_SPEC: they must not call t.Parallel, and each puts the embedded
// document back when it ends.

// TestMain runs the tests on the embedded document, whatever UFHOOK_SPEC
// says in the environment of go test.
func TestMain(m *testing.M) {
	_ = os.Unsetenv(specEnv)
	os.Exit(m.Run())
}

// specFile is the path of a document of openapi/testdata.
func specFile(name ...string) string {
	return filepath.Join(append([]string{"..", "..", "openapi", "testdata"}, name...)...)
}

// restoreSpec puts the embedded document back at the end of the test.
func restoreSpec(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
}

func TestSpecFlag(t *testing.T) {
	seventh := specFile("seventh.yaml")
	cases := []struct {
		name string
		args []string
		env  string // UFHOOK_SPEC
		want []string
	}{
		{"events --spec", []string{"events", "--spec", seventh}, "", []string{"user.archived", "userArchived", "user.created"}},
		{"events with UFHOOK_SPEC", []string{"events"}, seventh, []string{"user.archived", "userArchived"}},
		{"--spec wins over UFHOOK_SPEC", []string{"events", "--spec", specFile("split", "webhooks.yaml")}, seventh, []string{"widget.created", "widgetCreated"}},
		{"example --spec", []string{"example", "user.archived", "--spec", seventh, "--seed", "4"}, "", []string{`"action": "archive"`}},
		{"example with UFHOOK_SPEC", []string{"example", "user.archived", "--seed", "4"}, seventh, []string{`"action": "archive"`}},
		{"a $ref to a file beside the document", []string{"example", "widget.created", "--spec", specFile("split", "webhooks.yaml")}, "", []string{`"model": "widget"`, `"record"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			restoreSpec(t)
			t.Setenv(specEnv, tc.env)
			code, out, stderr := runCLI(t, tc.args...)
			require.Equal(t, exitOK, code, stderr)
			for _, w := range tc.want {
				assert.Contains(t, out, w)
			}
			if tc.args[0] == "example" {
				// The payload is valid against the document that --spec or
				// UFHOOK_SPEC installed.
				require.NoError(t, openapi.Validate(openapi.MustLookup(tc.args[1]), []byte(out)))
			}
		})
	}

	t.Run("a JSON document", func(t *testing.T) {
		restoreSpec(t)
		data, err := os.ReadFile(seventh)
		require.NoError(t, err)
		var v any
		require.NoError(t, yaml.Unmarshal(data, &v))
		js, err := json.Marshal(v)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "seventh.json")
		require.NoError(t, os.WriteFile(path, js, 0o600))
		code, out, stderr := runCLI(t, "example", "user.archived", "--spec", path)
		require.Equal(t, exitOK, code, stderr)
		require.NoError(t, openapi.Validate(openapi.MustLookup("user.archived"), []byte(out)))
	})

	t.Run("without --spec or UFHOOK_SPEC, Userfront's", func(t *testing.T) {
		restoreSpec(t)
		t.Setenv(specEnv, "")
		code, out, stderr := runCLI(t, "events")
		require.Equal(t, exitOK, code, stderr)
		assert.NotContains(t, out, "user.archived")
		assert.Contains(t, out, "user.created")
	})
}

// TestCheckWithSpec runs check --spec seventh.yaml against the reference
// receiver built from the same document: every case passes, the new
// webhook's too.
func TestCheckWithSpec(t *testing.T) {
	restoreSpec(t)
	seventh := specFile("seventh.yaml")
	// The receiver keeps the events it was built with: build it from the
	// document that check will use.
	require.NoError(t, openapi.UseFile(seventh))
	url, caFile := checkServer(t, nil)
	require.NoError(t, openapi.Use(openapi.Spec()))

	code, out, stderr := runCLI(t, "check", "--spec", seventh, "--target", url, "--token", hooktest.Token, "--ca", caFile, "--seed", "7", "--json")
	require.Equal(t, exitOK, code, "%s%s", out, stderr)
	ran := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct{ ID, Outcome string }
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		ran[r.ID] = r.Outcome
	}
	assert.Equal(t, "pass", ran["events/user.archived/full"], "the document's seventh webhook has its cases")
}

// TestSpecBadDocuments gives every command that reads the spec each bad
// document of openapi/testdata/bad: each exits 2 with the file, the place
// and what to do, and nothing is sent.
func TestSpecBadDocuments(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)

	docs := []struct {
		file string
		want []string
	}{
		{"not-yaml.yaml", []string{"does not parse as YAML or JSON", "line 1", "fix the syntax"}},
		{"openapi-3.0.yaml", []string{":1: /openapi", `"3.0.3"`, "convert the document to 3.1"}},
		{"no-webhooks.yaml", []string{":1: /webhooks", "has no webhooks", "add one webhook per event"}},
		{"no-json-body.yaml", []string{":14: /webhooks/widget.created/post/requestBody/content", "has no JSON request body (it has application/x-www-form-urlencoded)", "add content application/json with a schema"}},
		{"unresolved-ref.yaml", []string{":33: /components/schemas/WidgetCreatedEvent/properties/record/$ref", "does not resolve", "fix the $ref"}},
		{"missing-file.yaml", []string{":33: /components/schemas/WidgetCreatedEvent/properties/record/$ref", `"gadget.yaml#/Gadget" does not resolve`, "put the file beside the document"}},
		{"nowhere.yaml", []string{"no such file", "give the path of an OpenAPI 3.1 document"}},
		{"unsatisfiable-length.yaml", []string{":34: /components/schemas/CodeIssued/properties/code", `webhook "code.issued": schema cannot be satisfied: minLength 10 is above maxLength 3`, "(every payload must have /code): fix the schema", "no other webhook is left to run"}},
		{"unsatisfiable-allof.yaml", []string{":36: /components/schemas/ThingCreated/properties/size/allOf/1", "it must be of type integer here and of type string at /components/schemas/ThingCreated/properties/size/allOf/0", "fix the schema"}},
	}
	commands := [][]string{
		{"events"},
		{"example", "user.created"},
		{"emit", "user.created", "--target", srv.URL, "--token", emitToken, "--mode", "test"},
		{"check", "--target", srv.URL, "--token", emitToken, "--mode", "test"},
		{"receive", "--listen", "127.0.0.1:0", "--token", emitToken},
	}
	for _, doc := range docs {
		for _, args := range commands {
			t.Run(doc.file+"/"+args[0], func(t *testing.T) {
				restoreSpec(t)
				path := specFile("bad", doc.file)
				code, out, stderr := runCLI(t, append(args, "--spec", path)...)
				require.Equal(t, exitUsage, code, "%s%s", out, stderr)
				assert.Contains(t, stderr, "--spec "+path+": ")
				for _, w := range doc.want {
					assert.Contains(t, stderr, w)
				}
				assert.Equal(t, openapi.Names(), namesOfEmbedded(t), "a refused document is not installed")
			})
		}
	}
	t.Run("from UFHOOK_SPEC", func(t *testing.T) {
		restoreSpec(t)
		path := specFile("bad", "openapi-3.0.yaml")
		t.Setenv(specEnv, path)
		code, _, stderr := runCLI(t, "emit", "user.created", "--target", srv.URL, "--token", emitToken, "--mode", "test")
		require.Equal(t, exitUsage, code, stderr)
		assert.Contains(t, stderr, "UFHOOK_SPEC="+path+": ")
	})
	t.Run("empty --spec", func(t *testing.T) {
		code, _, stderr := runCLI(t, "events", "--spec", "")
		require.Equal(t, exitUsage, code, stderr)
		assert.Contains(t, stderr, "--spec is empty")
	})
	assert.Zero(t, hits.Load(), "nothing is sent with a bad document")
}

// namesOfEmbedded returns the names of the embedded document's events.
func namesOfEmbedded(t *testing.T) []string {
	t.Helper()
	var names []string
	evs, err := openapi.Events()
	require.NoError(t, err)
	for _, ev := range evs {
		names = append(names, ev.Name)
	}
	return names
}

// TestReceiveWithSpec runs receive and emit on a document with one webhook
// whose record lives in a file beside it: the receiver takes the document's
// event, and refuses Userfront's, which that document does not have.
func TestReceiveWithSpec(t *testing.T) {
	restoreSpec(t)
	split := specFile("split", "webhooks.yaml")
	r := startReceive(t, "--spec", split, "--http", "--token", hooktest.Token)
	// The document declares no security, so emit would send no key: --auth
	// bearer sends the one that receive, Userfront's receiver, checks.
	code, stdout, stderr := runCLI(t, "emit", "widget.created", "--spec", split, "--auth", "bearer", "--target", r.url, "--token", hooktest.Token, "--mode", "test", "--retries", "0")
	assert.Equal(t, exitOK, code, stdout+stderr)
	c := &http.Client{Timeout: 10 * time.Second}
	assert.Equal(t, http.StatusBadRequest, hooktest.Post(t, c, r.url, hooktest.Token, []byte(`{"action":"create","model":"user","mode":"test","record":{}}`)), "user.created is not in the document")
	require.Equal(t, exitOK, r.stop())
	assert.Contains(t, r.stdout.String(), "widget.created")
	assert.Equal(t, 1, strings.Count(r.stdout.String(), " 204\n"), r.stdout.String())
}
