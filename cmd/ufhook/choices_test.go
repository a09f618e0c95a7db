package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/ufhook/ufhook/hooktest"
)

// TestSpecChoices covers what a document leaves to choose: the operation,
// the media type and the auth, with what ufhook says about them on stderr.
func TestSpecChoices(t *testing.T) {
	choices := specFile("choices", "choices.yaml")
	type event struct {
		Name        string            `json:"event"`
		Method      string            `json:"method"`
		ContentType string            `json:"contentType"`
		Auth        map[string]string `json:"auth"`
	}
	read := func(t *testing.T, args ...string) (map[string]event, string) {
		t.Helper()
		code, out, stderr := runCLI(t, append([]string{"events", "--json", "--spec", choices}, args...)...)
		require.Equal(t, exitOK, code, stderr)
		var evs []event
		require.NoError(t, json.Unmarshal([]byte(out), &evs))
		byName := map[string]event{}
		for _, ev := range evs {
			byName[ev.Name] = ev
		}
		return byName, stderr
	}

	t.Run("defaults, and what was chosen", func(t *testing.T) {
		restoreSpec(t)
		evs, stderr := read(t)
		assert.Equal(t, "POST", evs["order.placed"].Method)
		assert.Equal(t, "application/json", evs["order.shipped"].ContentType)
		assert.Equal(t, "basic", evs["order.shipped"].Auth["scheme"])
		assert.Contains(t, stderr, "order.placed: sends POST, of POST, PUT (choose with --operation order.placed=METHOD)")
		assert.Contains(t, stderr, "order.shipped: sends application/json, of application/x-www-form-urlencoded, application/cloudevents+json, application/json (choose with --content-type order.shipped=TYPE)")
		assert.Contains(t, stderr, "warning: "+choices+": /webhooks/order.placed/post/requestBody/content/application~1json/schema/properties/note: nullable: true is an OpenAPI 3.0 keyword")
	})
	t.Run("chosen by flags", func(t *testing.T) {
		restoreSpec(t)
		evs, _ := read(t, "--operation", "order.placed=put", "--content-type", "application/cloudevents+json", "--auth", "header:X-Key")
		assert.Equal(t, "PUT", evs["order.placed"].Method)
		assert.Equal(t, "application/cloudevents+json", evs["order.shipped"].ContentType)
		for name, ev := range evs {
			assert.Equal(t, map[string]string{"scheme": "apiKey", "in": "header", "name": "X-Key"}, ev.Auth, name)
		}
	})
	t.Run("the table", func(t *testing.T) {
		restoreSpec(t)
		code, out, stderr := runCLI(t, "events", "--spec", choices)
		require.Equal(t, exitOK, code, stderr)
		assert.Regexp(t, `EVENT +SENT AS +AUTH +SCHEMA`, out)
		assert.Regexp(t, `order.cancelled +POST application/json +\?api_key=<key> +order.cancelled`, out)
		assert.Regexp(t, `order.viewed +POST application/json +no credentials`, out)
	})

	bad := []struct {
		name string
		args []string
		want string
	}{
		{"a method the webhook lacks", []string{"--spec", choices, "--operation", "order.placed=patch"}, `webhook "order.placed" has no patch operation (it has post, put)`},
		{"an unknown webhook", []string{"--spec", choices, "--operation", "order.lost=put"}, `has no webhook "order.lost"`},
		{"a media type that is not JSON", []string{"--spec", choices, "--content-type", "order.shipped=application/x-www-form-urlencoded"}, "is not JSON: ufhook sends JSON payloads only"},
		{"an unknown auth", []string{"--spec", choices, "--auth", "cookie:sid"}, `--auth: bad auth "cookie:sid": use none, bearer, basic, header:NAME or query:NAME`},
		{"two choices for one webhook", []string{"--spec", choices, "--operation", "order.placed=put", "--operation", "order.placed=post"}, `order.placed already has put; give one choice per webhook`},
		{"a choice without --spec", []string{"--auth", "none"}, "--auth needs --spec (or UFHOOK_SPEC)"},
		{"an unsendable scheme", []string{"--spec", specFile("choices", "unsendable.yaml")}, `security scheme "oauth" is oauth2`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			restoreSpec(t)
			t.Setenv(specEnv, "")
			code, out, stderr := runCLI(t, append([]string{"events"}, tc.args...)...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out, "nothing is printed but the error")
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// TestRouteToAnEventOfTheSpec routes an event that only the --spec
// document has: --route is parsed before --spec loads the document, and
// checked after.
func TestRouteToAnEventOfTheSpec(t *testing.T) {
	restoreSpec(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/archived" {
			hits.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	code, out, stderr := runCLI(t, "emit", "user.archived", "--spec", specFile("seventh.yaml"), "--target", srv.URL,
		"--route", "user.archived="+srv.URL+"/archived", "--token", hooktest.Token)
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	assert.Equal(t, int32(1), hits.Load())
}

// TestDeclinedWebhook runs a document with one webhook that no payload can
// satisfy among good ones: the others run, with a warning on stderr, and
// naming the declined one is an error with its place (exit 2, nothing
// sent).
func TestDeclinedWebhook(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "declined.yaml")
	require.NoError(t, os.WriteFile(doc, []byte(`openapi: 3.1.0
info: {title: t, version: '1'}
webhooks:
  good.thing:
    post:
      requestBody: {content: {application/json: {schema: {type: object, required: [a], properties: {a: {type: string}}}}}}
      responses: {'200': {description: ok}}
  bad.thing:
    post:
      requestBody: {content: {application/json: {schema: {type: object, required: [n], properties: {n: {type: integer, minimum: 9, maximum: 1}}}}}}
      responses: {'200': {description: ok}}
`), 0o600))
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	const warning = `declined.yaml:10: /webhooks/bad.thing/post/requestBody/content/application~1json/schema/properties/n: webhook "bad.thing": schema cannot be satisfied: minimum 9 is above maximum 1`

	restoreSpec(t)
	code, out, stderr := runCLI(t, "emit", "--all", "--spec", doc, "--target", srv.URL)
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	assert.Contains(t, stderr, "ufhook: warning: "+doc[:len(doc)-len("declined.yaml")]+warning)
	assert.Contains(t, out, "1 sent")
	assert.Equal(t, int32(1), hits.Load(), "the good webhook is sent")

	for _, args := range [][]string{
		{"example", "bad.thing"},
		{"emit", "bad.thing", "--target", srv.URL},
	} {
		t.Run(args[0], func(t *testing.T) {
			restoreSpec(t)
			code, _, stderr := runCLI(t, append(args, "--spec", doc)...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, warning)
			assert.Contains(t, stderr, "fix the schema; ufhook leaves this webhook out and runs the others")
		})
	}
	assert.Equal(t, int32(1), hits.Load(), "nothing more is sent")
}
