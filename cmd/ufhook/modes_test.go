package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/openapi"
)

// noModesFile writes Userfront's document without its x-ufhook-modes to a
// file of its own and returns the file's path.
func noModesFile(t *testing.T) string {
	t.Helper()
	block := regexp.MustCompile(`(?m)^x-ufhook-modes:\n(?:[ \t].*\n)*`)
	data := block.ReplaceAll(openapi.Spec(), nil)
	require.NotEqual(t, openapi.Spec(), data, "the block was found")
	path := filepath.Join(t.TempDir(), "nomodes.yaml")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// TestModeFlagFollowsTheDocument checks --mode against the modes of the
// document in use: one of them, or none given, is taken; another is
// refused with the list of modes, and any mode at all with a document that
// declares none, exit 2 and nothing sent.
func TestModeFlagFollowsTheDocument(t *testing.T) {
	nomodes := noModesFile(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // in stdout on success, in stderr on failure
		mode     string // the payload's mode on success; "" for no check
	}{
		{"Userfront's default", []string{"example", "user.created", "--seed", "1"}, exitOK, `"mode": "test"`, "test"},
		{"Userfront's live", []string{"example", "user.created", "--seed", "1", "--mode", "live"}, exitOK, `"mode": "live"`, "live"},
		{"a mode Userfront's document does not declare", []string{"example", "user.created", "--mode", "prod"}, exitUsage, `unknown mode "prod": use test or live`, ""},
		{"no modes, none given", []string{"example", "user.created", "--spec", nomodes}, exitOK, `"action": "create"`, ""},
		{"no modes, --mode live", []string{"example", "user.created", "--mode", "live", "--spec", nomodes}, exitUsage, "the document declares no modes", ""},
		{"no modes, emit --mode test", []string{"emit", "user.created", "--target", "http://127.0.0.1:1/hook", "--token", hooktest.Token, "--mode", "test", "--spec", nomodes}, exitUsage, "the document declares no modes", ""},
		{"no modes, check --mode live", []string{"check", "--target", "https://127.0.0.1:1/hook", "--token", hooktest.Token, "--mode", "live", "--spec", nomodes}, exitUsage, "the document declares no modes", ""},
		{"check, a mode Userfront's document does not declare", []string{"check", "--target", "https://127.0.0.1:1/hook", "--token", hooktest.Token, "--mode", "staging"}, exitUsage, `unknown mode "staging": use live or test`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			restoreSpec(t)
			code, out, stderr := runCLI(t, tc.args...)
			require.Equal(t, tc.wantCode, code, stderr)
			if tc.wantCode != exitOK {
				assert.Contains(t, stderr, tc.want)
				assert.Empty(t, out)
				return
			}
			assert.Contains(t, out, tc.want)
			if tc.mode != "" {
				var env struct{ Mode string }
				require.NoError(t, json.Unmarshal([]byte(out), &env))
				assert.Equal(t, tc.mode, env.Mode)
			}
		})
	}
}

// TestTokenFormatWarning checks that check and emit warn, on stderr and
// with the key masked, when the key does not have the format that the
// document gives for the mode, and say nothing when it has.
func TestTokenFormatWarning(t *testing.T) {
	const liveKey = "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
	target := "https://127.0.0.1:1/hook" // nothing listens: the warning comes first
	tests := []struct {
		name string
		args []string
		warn bool
	}{
		{"check, a test key in a live run", []string{"check", "--target", target, "--token", hooktest.Token}, true},
		{"check, a test key in a test run", []string{"check", "--target", target, "--token", hooktest.Token, "--mode", "test"}, false},
		{"check, a live key in a live run", []string{"check", "--target", target, "--token", liveKey, "--mode", "live"}, false},
		{"emit, a test key in a live run", []string{"emit", "user.created", "--target", target, "--token", hooktest.Token, "--mode", "live", "--retries", "0"}, true},
		{"emit, a test key in a test run", []string{"emit", "user.created", "--target", target, "--token", hooktest.Token, "--retries", "0"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, stderr := runCLI(t, tc.args...)
			assert.NotContains(t, stderr, hooktest.Token, "the key is never printed whole")
			assert.NotContains(t, stderr, liveKey, "the key is never printed whole")
			if tc.warn {
				assert.Contains(t, stderr, "ufhook: warning: the key uf_t")
				assert.Contains(t, stderr, "does not have the format of a live-mode key")
			} else {
				assert.NotContains(t, stderr, "does not have the format")
			}
		})
	}
}
