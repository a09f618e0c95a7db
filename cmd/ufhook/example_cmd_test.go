package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

func TestExamplePrintsValidPayloads(t *testing.T) {
	evs, err := openapi.Events()
	require.NoError(t, err)
	for _, ev := range evs {
		for _, shape := range []string{"realistic", "full", "sparse", "unknown-fields", "nulls", "unicode", "crowded", "empty", "large", "deep", "huge"} {
			t.Run(ev.Name+"/"+shape, func(t *testing.T) {
				code, out, stderr := runCLI(t, "example", ev.Name, "--shape", shape, "--mode", "live")
				require.Equal(t, exitOK, code, stderr)
				require.NoError(t, openapi.Validate(ev, []byte(out)))
				var env map[string]any
				require.NoError(t, json.Unmarshal([]byte(out), &env))
				assert.Equal(t, "live", env["mode"])
			})
		}
	}
}

func TestExampleSeedIsDeterministic(t *testing.T) {
	_, a, _ := runCLI(t, "example", "user.updated", "--seed", "42", "--compact")
	_, b, _ := runCLI(t, "example", "user.updated", "--seed", "42", "--compact")
	assert.Equal(t, a, b)
	want, err := fake.Payload(openapi.MustLookup("user.updated"), fake.Options{Seed: 42})
	require.NoError(t, err)
	assert.Equal(t, string(want)+"\n", a, "--compact prints the bytes that are sent")
	_, indented, _ := runCLI(t, "example", "user.updated", "--seed", "42")
	assert.True(t, strings.HasPrefix(indented, "{\n  \"action\": \"update\",\n  \"model\": \"user\""), indented)
}

func TestExampleOverrides(t *testing.T) {
	code, out, stderr := runCLI(t, "example", "user.created", "--seed", "1", "--compact", "--set", "record.email=a@b.co", "--set", "record.data.plan=pro", "--set", "record.data.seats=3")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, `"email":"a@b.co"`)
	assert.Contains(t, out, `"plan":"pro","seats":3`)

	code, _, stderr = runCLI(t, "example", "user.created", "--set", "record.email=not-an-email")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "/record/email")
	assert.Contains(t, stderr, "--no-validate")

	code, out, _ = runCLI(t, "example", "user.created", "--compact", "--set", "record.email=not-an-email", "--no-validate")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, `"email":"not-an-email"`)
}

func TestExampleUsageErrorsExit2(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no event", []string{"example"}, "accepts 1 arg"},
		{"unknown event", []string{"example", "user.exploded"}, "known events are"},
		{"bad mode", []string{"example", "user.created", "--mode", "prod"}, "test or live"},
		{"bad shape", []string{"example", "user.created", "--shape", "fancy"}, "realistic, full, sparse, unknown-fields"},
		{"bad set", []string{"example", "user.created", "--set", "record..email=x"}, "empty path segment"},
		{"bad seed", []string{"example", "user.created", "--seed", "x"}, "seed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
}
