package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// runCLI runs the CLI in process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestEventsTable(t *testing.T) {
	code, out, _ := runCLI(t, "events")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "EVENT")
	for _, name := range []string{"user.created", "user.updated", "user.deleted", "tenant.created", "tenant.updated", "tenant.deleted"} {
		assert.Contains(t, out, name)
	}
	assert.Contains(t, out, "tenantDeleted")
}

func TestEventsJSON(t *testing.T) {
	code, out, _ := runCLI(t, "events", "--json")
	require.Equal(t, exitOK, code)
	var evs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &evs))
	require.Len(t, evs, len(openapi.Names()))
	assert.Equal(t, map[string]any{"event": "user.created", "model": "user", "action": "create", "operationId": "userCreated", "schema": "UserCreatedEvent", "summary": "A user was created",
		"method": "POST", "contentType": "application/json", "auth": map[string]any{"scheme": "bearer", "securityScheme": "webhookToken"}}, evs[0])
}

func TestUsageErrorsExit2(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"events", "--nope"}},
		{"unknown command", []string{"frobnicate"}},
		{"extra argument", []string{"events", "user.created"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, "ufhook: ")
		})
	}
}
