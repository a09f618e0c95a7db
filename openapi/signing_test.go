package openapi_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

// useWithSigning loads the billing test document with block appended at its
// top level, and restores the embedded document after the test.
func useWithSigning(t *testing.T, block string) (string, error) {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	data, err := os.ReadFile("testdata/providers/billing.yaml")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "billing.yaml")
	require.NoError(t, os.WriteFile(path, append(data, []byte("\n"+block)...), 0o600))
	return path, openapi.UseFile(path)
}

func TestSigningDeclaredByTheDocument(t *testing.T) {
	stripe := signature.Scheme{Name: signature.Timestamped, Header: "Stripe-Signature", Signed: signature.SignTimestampBody,
		Separator: ".", Hash: signature.SHA256, Encoding: signature.Hex,
		Parts: signature.Parts{TimestampKey: "t", SignatureKey: "v1", Separator: ","}}
	std, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	tests := []struct {
		name  string
		block string
		want  signature.Scheme
	}{
		{"a preset", "x-ufhook-signature: standard-webhooks\n", std},
		{"a flag text", "x-ufhook-signature: timestamped header=Stripe-Signature\n", stripe},
		{"a map", "x-ufhook-signature:\n  scheme: timestamped\n  header: Stripe-Signature\n", stripe},
		{"a custom map", "x-ufhook-signature:\n  scheme: custom\n  header: X-Sig\n  hash: sha512\n  encoding: base64\n",
			signature.Scheme{Name: signature.Custom, Header: "X-Sig", Signed: signature.SignBody, Separator: ".", Hash: signature.SHA512, Encoding: signature.Base64}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := useWithSigning(t, tc.block)
			require.NoError(t, err)
			got, ok := openapi.Signing()
			require.True(t, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestNoSigningDeclared(t *testing.T) {
	_, ok := openapi.Signing()
	assert.False(t, ok, "Userfront's document signs nothing: it sends a bearer key")
	_, err := useWithSigning(t, "x-other: 1\n")
	require.NoError(t, err)
	_, ok = openapi.Signing()
	assert.False(t, ok)
}

// TestBadSigningIsRefusedOnLoad: each broken x-ufhook-signature is refused
// when the document loads, with file, line, pointer and what to do.
func TestBadSigningIsRefusedOnLoad(t *testing.T) {
	tests := []struct {
		name  string
		block string
		want  []string
	}{
		{"unknown preset", "x-ufhook-signature: svix\n", []string{"/x-ufhook-signature", `unknown signature scheme "svix"`, "standard-webhooks"}},
		{"unknown preset in a map", "x-ufhook-signature:\n  scheme: svix\n", []string{"/x-ufhook-signature/scheme", `"svix"`}},
		{"a secret", "x-ufhook-signature:\n  scheme: standard-webhooks\n  secret: whsec_abc\n", []string{"/x-ufhook-signature/secret", "does not belong in the document", "UFHOOK_SIGNING_SECRET"}},
		{"no scheme", "x-ufhook-signature:\n  header: X-Sig\n", []string{"/x-ufhook-signature", "no scheme"}},
		{"unknown field", "x-ufhook-signature:\n  scheme: hmac-sha256\n  algorithm: sha1\n", []string{`unknown key "algorithm"`}},
		{"inconsistent", "x-ufhook-signature: custom header=X-Sig signed=timestamp.body\n", []string{"needs a timestamp"}},
		{"a list", "x-ufhook-signature:\n  - standard-webhooks\n", []string{"/x-ufhook-signature", "is a list", "give a scheme"}},
		{"a nested value", "x-ufhook-signature:\n  scheme: {name: x}\n", []string{"/x-ufhook-signature/scheme", "give a string"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, err := useWithSigning(t, tc.block)
			require.ErrorIs(t, err, openapi.ErrInvalidDocument)
			assert.Regexp(t, regexp.QuoteMeta(path)+`:\d+: /x-ufhook-signature`, err.Error())
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "whsec_abc", "a secret is never printed")
		})
	}
}
