package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

// TestSeventhWebhookNeedsNoGoChange installs openapi/testdata/seventh.yaml,
// webhooks.yaml plus a made-up user.archived webhook, and runs events,
// example and emit on it. It changes the process's document, so it must not
// call t.Parallel.
func TestSeventhWebhookNeedsNoGoChange(t *testing.T) {
	data, err := os.ReadFile("../../openapi/testdata/seventh.yaml")
	require.NoError(t, err)
	n := len(openapi.Names()) + 1 // the embedded catalog, and user.archived last
	require.NoError(t, openapi.Use(data))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })

	t.Run("events", func(t *testing.T) {
		code, out, stderr := runCLI(t, "events")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "user.archived")
		assert.Contains(t, out, "userArchived")

		code, out, stderr = runCLI(t, "events", "--json")
		require.Equal(t, exitOK, code, stderr)
		var evs []map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &evs))
		require.Len(t, evs, n)
		assert.Equal(t, map[string]any{"event": "user.archived", "model": "user", "action": "archive", "operationId": "userArchived", "schema": "UserArchivedEvent", "summary": "A user was archived",
			"method": "POST", "contentType": "application/json", "auth": map[string]any{"scheme": "bearer", "securityScheme": "webhookToken"}}, evs[n-1])
	})

	t.Run("example", func(t *testing.T) {
		for _, shape := range []string{"realistic", "full", "sparse", "unknown-fields", "nulls"} {
			code, out, stderr := runCLI(t, "example", "user.archived", "--shape", shape, "--seed", "3")
			require.Equal(t, exitOK, code, stderr)
			require.NoError(t, openapi.Validate(openapi.MustLookup("user.archived"), []byte(out)), shape)
			var env map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &env))
			assert.Equal(t, "archive", env["action"], shape)
		}
	})

	t.Run("emit", func(t *testing.T) {
		var (
			mu  sync.Mutex
			got []string
		)
		h, err := receiver.New(receiver.Options{Token: emitToken}, receiver.Callbacks{
			OnEvent: func(_ context.Context, ev openapi.Event, body json.RawMessage) error {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, ev.Name+" "+ev.Action)
				return openapi.Validate(ev, body)
			},
		})
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)

		code, out, stderr := runCLI(t, "emit", "user.archived", "--target", srv.URL, "--token", emitToken, "--seed", "9")
		require.Equal(t, exitOK, code, "%s%s", out, stderr)
		assert.True(t, strings.Contains(out, "ok   user.archived"), out)
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, []string{"user.archived archive"}, got, "the receiver hands the new event to OnEvent")
		got = nil
		mu.Unlock()

		// --all is the whole catalog of the document, the new webhook too.
		code, out, stderr = runCLI(t, "emit", "--all", "--target", srv.URL, "--token", emitToken)
		require.Equal(t, exitOK, code, "%s%s", out, stderr)
		assert.Contains(t, out, fmt.Sprintf("%d sent, 0 failed", n))
		mu.Lock()
		assert.Contains(t, got, "user.archived archive")
		assert.Len(t, got, n, "no typed callback is set, so every event goes to OnEvent")
	})
}
