package contract

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

// TestSeventhWebhookNeedsNoGoChange installs openapi/testdata/seventh.yaml,
// webhooks.yaml plus a made-up user.archived webhook: the catalog of cases
// gains its events cases, and the reference receiver, which hands the new
// event to Callbacks.OnEvent, passes every case. It changes the process's
// document, so it must not call t.Parallel.
func TestSeventhWebhookNeedsNoGoChange(t *testing.T) {
	skipWithTarget(t)
	embedded := Cases()
	data, err := os.ReadFile("../openapi/testdata/seventh.yaml")
	require.NoError(t, err)
	require.NoError(t, openapi.Use(data))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })

	cases := Cases()
	var added []string
	for _, c := range cases {
		if !slices.ContainsFunc(embedded, func(e Case) bool { return e.ID == c.ID }) {
			added = append(added, c.ID)
		}
	}
	var want []string
	for _, v := range eventVariants {
		if v.shape == fake.Longest {
			continue // the seventh webhook's record declares no maxLength either
		}
		want = append(want, "events/user.archived/"+v.suffix)
	}
	assert.Equal(t, want, added, "the new webhook adds its events cases and nothing else")
	assert.Contains(t, added, "events/user.archived/full")

	var (
		mu     sync.Mutex
		bodies [][]byte
	)
	ca := hooktest.NewCA(t)
	srv := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{
		OnEvent: func(_ context.Context, ev openapi.Event, body json.RawMessage) error {
			if ev.Name == "user.archived" {
				mu.Lock()
				bodies = append(bodies, body)
				mu.Unlock()
			}
			return nil
		},
	}), ca)
	rep, err := Run(t.Context(), Config{Target: srv.URL + "/webhook", Token: selfToken, RootCAs: ca.Pool(), Strict: true, Seed: faultySeed})
	require.NoError(t, err)
	require.Len(t, rep.Results, len(cases))
	for _, r := range rep.Results {
		assert.NotEqual(t, Fail, r.Outcome, "%s", r.Explain())
		if strings.HasPrefix(r.Case.ID, "events/user.archived/") {
			assert.Equal(t, Pass, r.Outcome, r.Case.ID)
		}
	}
	assert.False(t, rep.Failed())

	mu.Lock()
	defer mu.Unlock()
	assert.GreaterOrEqual(t, len(bodies), len(want), "OnEvent received every user.archived case")
	for _, b := range bodies {
		require.NoError(t, openapi.Validate(openapi.MustLookup("user.archived"), b))
	}
}
