package main

// Every command on the provider-like test documents of
// openapi/testdata/providers: events lists each webhook, example prints a
// valid payload of each, emit --all delivers each to receive --spec, and
// check --spec passes against the validator of the document and fails
// exactly one webhook's cases against a validator that mishandles it. Like
// spec_test.go, these tests change the process's document: no t.Parallel.

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/contract"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver/validator"
)

// documentToken fits every scheme of the test documents: user:password for
// HTTP basic, and a key for Bearer and API keys.
const documentToken = "alice:s3cret-passw0rd"

// providerDocuments are the documents of openapi/testdata/providers.
func providerDocuments(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(specFile("providers", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, docs)
	return docs
}

// documentEvents installs doc and returns its webhooks; the embedded
// document comes back at the end of the test.
func documentEvents(t *testing.T, doc string) []openapi.Event {
	t.Helper()
	restoreSpec(t)
	require.NoError(t, openapi.UseFile(doc))
	evs, err := openapi.Events()
	require.NoError(t, err)
	require.Greater(t, len(evs), 1, "the faulty webhook must not be the first, whose URL other cases use")
	return evs
}

func TestDocumentsEventsAndExample(t *testing.T) {
	for _, doc := range providerDocuments(t) {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			evs := documentEvents(t, doc)
			code, out, stderr := runCLI(t, "events", "--spec", doc)
			require.Equal(t, exitOK, code, stderr)
			for _, ev := range evs {
				assert.Contains(t, out, ev.Name)
			}
			for _, ev := range evs {
				for _, seed := range []string{"1", "2", "3"} {
					code, out, stderr := runCLI(t, "example", ev.Name, "--spec", doc, "--seed", seed)
					require.Equal(t, exitOK, code, "%s: %s", ev.Name, stderr)
					cur, err := openapi.Lookup(ev.Name)
					require.NoError(t, err)
					assert.NoError(t, openapi.Validate(cur, []byte(out)), "%s seed %s: %s", ev.Name, seed, out)
				}
			}
		})
	}
}

// TestDocumentsEmitToReceive: emit --all, with the document's auth, delivers
// every webhook to receive --spec of the same document, which accepts each.
func TestDocumentsEmitToReceive(t *testing.T) {
	for _, doc := range providerDocuments(t) {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			evs := documentEvents(t, doc)
			r := startReceive(t, "--spec", doc, "--http", "--token", documentToken)
			line := regexp.MustCompile(`ufhook emit (.*)`).FindStringSubmatch(r.stderr.String())
			require.NotNil(t, line, r.stderr.String())
			args := strings.Fields(strings.ReplaceAll(line[1], `"$UFHOOK_TOKEN"`, documentToken))
			code, stdout, stderr := runCLI(t, append([]string{"emit", "--retries", "0"}, args...)...)
			assert.Equal(t, exitOK, code, stdout+stderr)
			require.Equal(t, exitOK, r.stop(), r.stderr.String())
			out := r.stdout.String()
			assert.Equal(t, len(evs), strings.Count(out, " 204\n"), out)
			for _, ev := range evs {
				assert.Regexp(t, `(?m)^\S+ +`+regexp.QuoteMeta(ev.Name)+` .* 204$`, out)
			}
		})
	}
}

// TestDocumentsCheck runs check --spec against the validator of each
// document (every case passes) and against one that answers 500 for the
// document's last webhook: check exits 1 and the failed cases are exactly
// that webhook's.
func TestDocumentsCheck(t *testing.T) {
	for _, doc := range providerDocuments(t) {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			evs := documentEvents(t, doc)
			good, err := validator.New(validator.Options{Token: documentToken})
			require.NoError(t, err)
			bad := evs[len(evs)-1].Name
			faulty := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/hooks/"+bad {
					http.Error(w, `{"error":"broken on purpose"}`, http.StatusInternalServerError)
					return
				}
				good.ServeHTTP(w, r)
			})
			var want []string
			for _, c := range contract.Cases() {
				if c.Event.Name == bad && !c.Strict && !strings.HasPrefix(c.ID, "https/") {
					want = append(want, c.ID)
				}
			}
			require.NotEmpty(t, want, "%s has cases", bad)
			slices.Sort(want)

			for _, tc := range []struct {
				name    string
				handler http.Handler
				code    int
				failed  []string
			}{
				{"validator", good, exitOK, nil},
				{"faulty " + bad, faulty, exitFailed, want},
			} {
				t.Run(tc.name, func(t *testing.T) {
					srv := hooktest.NewTLSServer(t, tc.handler)
					args := []string{"check", "--spec", doc, "--target", srv.URL + "/webhook", "--token", documentToken, "--ca", srv.CA.File, "--seed", "7", "--json"}
					for _, ev := range evs {
						args = append(args, "--route", ev.Name+"="+srv.URL+"/hooks/"+ev.Name)
					}
					code, out, stderr := runCLI(t, args...)
					require.Equal(t, tc.code, code, "%s%s", out, stderr)
					var failed []string
					for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
						var r struct{ ID, Outcome string }
						require.NoError(t, json.Unmarshal([]byte(line), &r), line)
						if r.Outcome == "fail" {
							failed = append(failed, r.ID)
						}
					}
					slices.Sort(failed)
					assert.Equal(t, tc.failed, failed)
				})
			}
		})
	}
}
