package contract

// The self-test on documents: for each test document, the suite runs
// against the validator (receiver/validator, what `ufhook receive --spec`
// serves), where every case must pass or skip with a reason, and against a
// faulty validator that answers 500 for one webhook, where exactly that
// webhook's cases must fail.

import (
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver/validator"
)

// testDocuments are the documents of the self-test: choices.yaml, which
// has every security scheme, and the provider-like documents of
// openapi/testdata/providers.
func testDocuments(t *testing.T) []string {
	t.Helper()
	docs := []string{filepath.Join("..", "openapi", "testdata", "choices", "choices.yaml")}
	providers, err := filepath.Glob(filepath.Join("..", "openapi", "testdata", "providers", "*.yaml"))
	require.NoError(t, err)
	return append(docs, providers...)
}

// useDocument installs doc for the rest of the test.
func useDocument(t *testing.T, doc string) {
	t.Helper()
	require.NoError(t, openapi.UseFile(doc))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
}

// serveDocument serves h over TLS and returns a Config that sends each
// webhook to its own path, /hooks/NAME, which the validator routes by.
func serveDocument(t *testing.T, h http.Handler, ca *hooktest.CA) Config {
	t.Helper()
	base := serveTLS(t, h, ca).URL
	cfg := Config{Token: schemesToken, RootCAs: ca.Pool(), Seed: faultySeed, Target: base + "/webhook", Routes: map[string]string{}}
	for _, ev := range mustEvents() {
		cfg.Routes[ev.Name] = base + "/hooks/" + ev.Name
	}
	return cfg
}

// validatorFor is the validator of the document in use, with schemesToken
// as every scheme's secret (user:password for basic).
func validatorFor(t *testing.T) http.Handler {
	t.Helper()
	h, err := validator.New(validator.Options{Token: schemesToken})
	require.NoError(t, err)
	return h
}

// TestDocumentsSelfTest runs every case, strict ones included, against the
// validator of each test document: each passes, or skips with a reason.
func TestDocumentsSelfTest(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	for _, doc := range testDocuments(t) {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			useDocument(t, doc)
			cfg := serveDocument(t, validatorFor(t), ca)
			cfg.Strict = true
			rep, err := Run(t.Context(), cfg)
			require.NoError(t, err)
			require.Len(t, rep.Results, len(Cases()))
			for _, r := range rep.Results {
				if r.Outcome == Skip {
					assert.NotEmpty(t, r.Reason, "%s skipped without a reason", r.Case.ID)
					continue
				}
				assert.Equal(t, Pass, r.Outcome, "%s: %s", r.Case.ID, r.Explain())
			}
		})
	}
}

// faultyWebhook chooses the webhook that the faulty validator fails: the
// last one, never the first, whose URL the auth, delivery and strict cases
// use too.
func faultyWebhook(evs []openapi.Event) string { return evs[len(evs)-1].Name }

// TestDocumentsFaultyWebhook runs the suite against a validator that
// answers 500 for one webhook of each test document: exactly that
// webhook's cases fail: the cases whose event it is, and no other.
func TestDocumentsFaultyWebhook(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	for _, doc := range testDocuments(t) {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			useDocument(t, doc)
			evs := mustEvents()
			require.Greater(t, len(evs), 1, "the faulty webhook must not be the first, whose URL other cases use")
			bad := faultyWebhook(evs)
			good := validatorFor(t)
			faulty := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/hooks/"+bad {
					http.Error(w, `{"error":"broken on purpose"}`, http.StatusInternalServerError)
					return
				}
				good.ServeHTTP(w, r)
			})
			cfg := serveDocument(t, faulty, ca)
			rep, err := Run(t.Context(), cfg)
			require.NoError(t, err)

			cases := Cases()
			want := ids(cases, func(c Case) bool { return c.Event.Name == bad && !c.Strict && sendsRequest(c) })
			require.NotEmpty(t, want, "%s has cases", bad)
			slices.Sort(want)
			assert.Equal(t, want, outcomeIDs(rep, Fail), "the failed cases are %s's", bad)
			for _, r := range rep.Results {
				if r.Case.Event.Name == bad && r.Outcome == Fail {
					assert.Contains(t, r.Got, "500", r.Case.ID)
				}
			}
		})
	}
}
