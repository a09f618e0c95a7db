package contract

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/openapi"
)

// TestGotMasksAnEchoedToken runs the suite against a receiver that echoes
// the request headers in every reply: no result, the JSON of the report
// (ufhook check --json) or its JUnit may show the token, whole or cut off.
func TestGotMasksAnEchoedToken(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	srv := serveTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		// Padding puts the echo where the shown start of the body ends,
		// so that some results cut the token off.
		_, _ = w.Write([]byte(`{"error":"bad","headers":{"Authorization":"` + r.Header.Get("Authorization") + `"}}`))
	}), ca)
	rep, err := Run(t.Context(), Config{Target: srv.URL, Token: selfToken, RootCAs: ca.Pool(), Strict: true})
	require.NoError(t, err)
	// The token's start beyond what Mask shows, and the start of every near
	// miss the auth cases send, which gives the token away as well.
	leaks := []string{selfToken[:len("uf_t")+1]}
	for _, n := range negatives(openapi.MustLookup("user.created")) {
		c, _ := n.header(selfToken)
		h := c.value
		if _, tok, ok := strings.Cut(h, " "); ok {
			h = tok
		}
		if len(h) >= MinTokenLength {
			leaks = append(leaks, h[:MinTokenLength])
		}
	}
	require.Greater(t, len(leaks), 5)
	noLeak := func(text, what string) {
		t.Helper()
		for _, leak := range leaks {
			assert.NotContains(t, text, leak, "%s shows the token or a near miss of it", what)
		}
	}
	echoed := 0
	for _, r := range rep.Results {
		noLeak(r.Got, r.Case.ID+": got")
		noLeak(r.Reason, r.Case.ID+": the reason")
		noLeak(r.Explain(), r.Case.ID+": the explanation")
		if strings.Contains(r.Got, "Bearer uf_t…") {
			echoed++
		}
	}
	assert.Positive(t, echoed, "no result shows the masked echo: the test does not test masking")
	js, err := json.Marshal(rep)
	require.NoError(t, err)
	noLeak(string(js), "the JSON report")
	var junit bytes.Buffer
	require.NoError(t, rep.WriteJUnit(&junit, "ufhook"))
	noLeak(junit.String(), "the JUnit report")
}
