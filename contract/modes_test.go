package contract

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

// The tests of this file change the process's document: they must not call
// t.Parallel, and each puts the embedded document back when it ends.

// modesBlock matches the x-ufhook-modes block of webhooks.yaml.
var modesBlock = regexp.MustCompile(`(?m)^x-ufhook-modes:\n(?:[ \t].*\n)*`)

// useEmbeddedWith installs the embedded document with edit applied, for the
// rest of the test.
func useEmbeddedWith(t *testing.T, edit func(string) string) {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	spec := string(openapi.Spec())
	data := edit(spec)
	require.NotEqual(t, spec, data, "the edit changes the document")
	require.NoError(t, openapi.Use([]byte(data)))
}

// withoutModes is Userfront's document without its x-ufhook-modes.
func withoutModes(spec string) string { return modesBlock.ReplaceAllString(spec, "") }

// replace returns an edit that replaces old with new, once.
func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

// TestModeCasesFollowTheDocument checks that the cases about modes come
// from the document's x-ufhook-modes: https/<mode>-https for each mode
// marked https, and the two auth cases about the other mode's token for
// each mode beside the default one when the modes have a token each. The
// other cases stay as they are.
func TestModeCasesFollowTheDocument(t *testing.T) {
	skipWithTarget(t)
	modeCases := []string{"https/live-https", "auth/test-payload-wrong-token", "auth/live-payload-test-token"}
	var userfront []string
	for _, c := range Cases() {
		if !slices.Contains(modeCases, c.ID) {
			userfront = append(userfront, c.ID)
		}
	}
	tests := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"Userfront's document", func(s string) string { return s + "\n" }, modeCases},
		{"no x-ufhook-modes", withoutModes, nil},
		{"one token for both modes", replace("separateTokens: true", "separateTokens: false"), []string{"https/live-https"}},
		{"test needs HTTPS too", replace("test: {token:", "test: {https: true, token:"), append([]string{"https/test-https"}, modeCases...)},
		{"a third mode", func(s string) string {
			s = replace("    live: {https: true,", "    sandbox: {}\n    live: {https: true,")(s)
			return replace("enum: [test, live]", "enum: [test, live, sandbox]")(s)
		}, append(slices.Clone(modeCases), "auth/sandbox-payload-wrong-token", "auth/live-payload-sandbox-token")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			useEmbeddedWith(t, tc.edit)
			var got, others []string
			for _, c := range Cases() {
				if strings.HasPrefix(c.ID, "https/") && strings.HasSuffix(c.ID, "-https") || strings.Contains(c.ID, "-payload-") {
					got = append(got, c.ID)
				} else {
					others = append(others, c.ID)
				}
			}
			assert.ElementsMatch(t, tc.want, got)
			assert.Equal(t, userfront, others, "the other cases do not depend on modes")
		})
	}
}

// TestSuiteWithoutModes runs the suite, on Userfront's document without its
// x-ufhook-modes, against the reference receiver: no case about modes, every
// case passes, and a mode is refused.
func TestSuiteWithoutModes(t *testing.T) {
	skipWithTarget(t)
	useEmbeddedWith(t, withoutModes)
	ca := hooktest.NewCA(t)
	target := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{}), ca).URL + "/webhook"

	rep, err := Run(context.Background(), Config{Target: target, Token: selfToken, RootCAs: ca.Pool()})
	require.NoError(t, err)
	for _, r := range rep.Results {
		assert.NotEqual(t, Fail, r.Outcome, "%s: %s", r.Case.ID, r.Got)
		assert.NotContains(t, r.Case.ID, "-https")
		assert.NotContains(t, r.Case.ID, "-payload-")
	}
	assert.NotEmpty(t, rep.Results)

	for _, mode := range []gen.Mode{gen.ModeLive, gen.ModeTest} {
		_, err = Run(context.Background(), Config{Target: target, Token: selfToken, RootCAs: ca.Pool(), Mode: mode})
		require.ErrorIs(t, err, fake.ErrUnknownMode)
		assert.Contains(t, err.Error(), "the document declares no modes")
	}
}

// TestTokenWarning checks the warning about a key that does not have the
// format that the document gives for the run's mode.
func TestTokenWarning(t *testing.T) {
	skipWithTarget(t)
	const (
		testKey = "uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
		liveKey = "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
	)
	tests := []struct {
		name  string
		token string
		mode  gen.Mode
		edit  func(string) string // of the embedded document; nil: as it is
		want  []string            // nil: no warning
	}{
		{"a test key in a live run", testKey, gen.ModeLive, nil,
			[]string{"does not have the format of a live-mode key (^uf_live_webhook_)", "It looks like a test-mode key"}},
		{"a live key in a test run", liveKey, gen.ModeTest, nil,
			[]string{"does not have the format of a test-mode key", "It looks like a live-mode key"}},
		{"a key of neither format", "0123456789abcdef0123", gen.ModeLive, nil,
			[]string{"does not have the format of a live-mode key"}},
		{"a live key in a live run", liveKey, gen.ModeLive, nil, nil},
		{"a test key in a test run", testKey, gen.ModeTest, nil, nil},
		{"no mode", testKey, "", nil, nil},
		{"a document without modes", testKey, gen.ModeLive, withoutModes, nil},
		{"a mode without a token format", testKey, gen.ModeLive, replace(", token: '^uf_live_webhook_'", ""), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.edit != nil {
				useEmbeddedWith(t, tc.edit)
			}
			w := TokenWarning(tc.token, tc.mode)
			if tc.want == nil {
				assert.Empty(t, w)
				return
			}
			for _, s := range tc.want {
				assert.Contains(t, w, s)
			}
			assert.NotContains(t, w, tc.token, "the key is masked")
		})
	}
}
