package main

import (
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

const (
	// signSecret is a Standard Webhooks secret (the specification's test vector's).
	signSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	// hmacSecret is a secret of the HMAC presets.
	hmacSecret = "forge-signing-secret-0123456789"
	identity   = "../../openapi/testdata/providers/identity.yaml"
)

// verifyingReceiver is an HTTPS receiver that answers 204 to a delivery
// that verify accepts and 401 to any other, and counts both.
type verifyingReceiver struct {
	*hooktest.Server
	mu       sync.Mutex
	ok, bad  int
	problems []string
}

func newVerifyingReceiver(t *testing.T, verify func(http.Header, []byte) error) *verifyingReceiver {
	t.Helper()
	v := &verifyingReceiver{}
	v.Server = hooktest.NewTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		err := verify(r.Header, body)
		v.mu.Lock()
		defer v.mu.Unlock()
		if err != nil {
			v.bad++
			v.problems = append(v.problems, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		v.ok++
		w.WriteHeader(http.StatusNoContent)
	}))
	return v
}

func (v *verifyingReceiver) counts() (int, int, []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.ok, v.bad, v.problems
}

// TestEmitSignsForEachPreset: emit --spec --sign delivers every webhook of
// the identity document, signed, to a receiver that verifies each preset:
// the Standard Webhooks one is built on the reference library itself.
func TestEmitSignsForEachPreset(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	for _, preset := range signature.Presets() {
		t.Run(preset, func(t *testing.T) {
			scheme, err := signature.Lookup(preset)
			require.NoError(t, err)
			secret := hmacSecret
			verify := (&signature.Verifier{Scheme: scheme, Secrets: []string{secret}}).Verify
			if preset == signature.StandardWebhooks {
				secret = signSecret
				wh, err := standardwebhooks.NewWebhook(secret)
				require.NoError(t, err)
				verify = func(h http.Header, body []byte) error { return wh.Verify(body, h) }
			}
			rcv := newVerifyingReceiver(t, verify)
			code, out, stderr := runCLI(t, "emit", "--all", "--spec", identity, "--token", "svix:endpoint-password",
				"--target", rcv.URL+"/hooks", "--ca", rcv.CA.File, "--sign", preset, "--secret", secret)
			require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
			ok, bad, problems := rcv.counts()
			assert.Equal(t, len(openapi.Names()), ok, "every webhook verified")
			assert.Zero(t, bad, problems)
			assert.Contains(t, out, "signed "+preset+" (secret "+bearer4(secret)+")", "the header line says how, with the secret masked")
			assert.NotContains(t, out+stderr, secret, "the secret is never printed whole")
		})
	}
}

// bearer4 is the masked form of a secret (bearer.Mask).
func bearer4(s string) string { return s[:4] + "…" + s[len(s)-3:] }

// TestEmitSignsAsTheDocumentSays: x-ufhook-signature chooses the scheme and
// $UFHOOK_SIGNING_SECRET gives the secret; --sign none sends unsigned.
func TestEmitSignsAsTheDocumentSays(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	doc := signedDocument(t, "x-ufhook-signature: standard-webhooks\n")
	wh, err := standardwebhooks.NewWebhook(signSecret)
	require.NoError(t, err)
	rcv := newVerifyingReceiver(t, func(h http.Header, body []byte) error { return wh.Verify(body, h) })
	t.Setenv(secretEnv, signSecret)
	code, out, stderr := runCLI(t, "emit", "--all", "--spec", doc, "--token", "svix:endpoint-password",
		"--target", rcv.URL, "--ca", rcv.CA.File, "--json", "--retries", "0")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	assert.Regexp(t, `"messageId":"msg_[A-Z2-7]{26}"`, out, "--json gives each delivery's message id")
	ok, bad, _ := rcv.counts()
	assert.Equal(t, len(openapi.Names()), ok)
	assert.Zero(t, bad)

	code, out, stderr = runCLI(t, "emit", "user.created", "--spec", doc, "--token", "svix:endpoint-password",
		"--target", rcv.URL, "--ca", rcv.CA.File, "--sign", "none", "--retries", "0")
	assert.Equal(t, exitFailed, code, "the verifying receiver refuses an unsigned delivery\nstdout:\n%s\nstderr:\n%s", out, stderr)
	assert.NotContains(t, out, "signed")
	_, bad, _ = rcv.counts()
	assert.Equal(t, 1, bad)
}

// signedDocument writes the identity document with block appended at its
// top level, and returns its path.
func signedDocument(t *testing.T, block string) string {
	t.Helper()
	data, err := os.ReadFile(identity)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "identity.yaml")
	require.NoError(t, os.WriteFile(path, append(data, []byte("\n"+block)...), 0o600))
	return path
}

// TestSignFlagErrors: every bad signing input stops emit with exit 2 before
// anything is sent, says what is wrong and what to do, and never prints the
// secret whole.
func TestSignFlagErrors(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	signedDoc := signedDocument(t, "x-ufhook-signature: standard-webhooks\n")
	rcv := newVerifyingReceiver(t, func(http.Header, []byte) error { return nil })
	tests := []struct {
		name string
		env  string
		args []string
		want []string
	}{
		{"a secret without a scheme", "", []string{"--secret", hmacSecret}, []string{"--secret without a signature scheme", "add --sign"}},
		{"an unknown scheme", "", []string{"--sign", "svix", "--secret", hmacSecret}, []string{`--sign "svix"`, "unknown signature scheme", "standard-webhooks"}},
		{"an empty scheme", "", []string{"--sign", "", "--secret", hmacSecret}, []string{"--sign is empty"}},
		{"a bad custom field", "", []string{"--sign", "custom header=X-Sig hash=md5", "--secret", hmacSecret}, []string{`hash "md5": use sha256, sha512 or sha1`}},
		{"a scheme without a secret", "", []string{"--sign", "hmac-sha256"}, []string{"no secret was given", "--secret or set UFHOOK_SIGNING_SECRET", "--sign none"}},
		{"the document's scheme without a secret", "", []string{"--spec", signedDoc, "--token", "svix:endpoint-password"}, []string{"the document's x-ufhook-signature: standard-webhooks", "no secret was given"}},
		{"a secret that is not whsec_ base64", "", []string{"--sign", "standard-webhooks", "--secret", "whsec_not*base64*at-all"}, []string{"--secret", "invalid signing secret", "whsec_ followed by base64", "whse…all"}},
		{"a bad secret from the environment", "whsec_not*base64*at-all", []string{"--sign", "standard-webhooks"}, []string{"$UFHOOK_SIGNING_SECRET", "invalid signing secret"}},
		{"two secrets to sign with", "", []string{"--sign", "hmac-sha256", "--secret", hmacSecret, "--secret", hmacSecret + "2"}, []string{"--secret is given 2 times", "one secret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(secretEnv, tc.env)
			args := append([]string{"emit", "user.created", "--target", rcv.URL, "--ca", rcv.CA.File, "--token", emitToken}, tc.args...)
			code, out, stderr := runCLI(t, args...)
			assert.Equal(t, exitUsage, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
			assert.NotContains(t, out+stderr, "not*base64*at-all", "the secret is never printed whole")
			ok, bad, _ := rcv.counts()
			assert.Zero(t, ok+bad, "nothing was sent")
			require.NoError(t, openapi.Use(openapi.Spec()))
		})
	}
}

// TestEventsSaysHowTheDocumentSigns: the events table ends with the
// document's signature scheme, and says nothing of one it does not declare.
func TestEventsSaysHowTheDocumentSigns(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	code, out, stderr := runCLI(t, "events", "--spec", signedDocument(t, "x-ufhook-signature: timestamped header=Stripe-Signature\n"))
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "\nsigned (x-ufhook-signature) timestamped: Stripe-Signature: t=<ts>,v1=<hex HMAC-SHA256 of timestamp.body>\n")
	require.NoError(t, openapi.Use(openapi.Spec()))
	code, out, _ = runCLI(t, "events")
	require.Equal(t, exitOK, code)
	assert.NotContains(t, out, "signed")
}

// TestReceiveVerifiesSignatures: receive --sign verifies, with the typed
// Userfront receiver and with the validator of a --spec document, and the
// emit command it prints delivers signed webhooks that it accepts; an
// unsigned delivery is refused with 401.
func TestReceiveVerifiesSignatures(t *testing.T) {
	restoreSpec(t)
	tests := []struct {
		name   string
		args   []string
		secret string
	}{
		{"userfront, hmac-sha256", []string{"--token", hooktest.Token, "--sign", "hmac-sha256"}, hmacSecret},
		{"userfront, timestamped with another header", []string{"--token", hooktest.Token, "--sign", "timestamped header=Stripe-Signature"}, hmacSecret},
		{"identity, standard-webhooks", []string{"--spec", identity, "--token", "svix:endpoint-password", "--sign", "standard-webhooks"}, signSecret},
		{"identity, the document's scheme", []string{"--spec", signedDocument(t, "x-ufhook-signature: standard-webhooks\n"), "--token", "svix:endpoint-password"}, signSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("UFHOOK_TOKEN", tc.args[slices.Index(tc.args, "--token")+1])
			t.Setenv(secretEnv, tc.secret)
			r := startReceive(t, append([]string{"--http"}, tc.args...)...)
			help := r.stderr.String()
			assert.Contains(t, help, "ufhook receive: verifying signatures: ")
			assert.Contains(t, help, "secret "+bearer4(tc.secret))
			assert.Contains(t, help, "Send it webhooks, signed with $UFHOOK_SIGNING_SECRET")
			assert.NotContains(t, help, "| curl", "no unsigned curl line that the receiver would refuse")
			line := regexp.MustCompile(`ufhook emit (.*)`).FindStringSubmatch(help)
			require.NotNil(t, line, help)
			args := shellWords(t, strings.ReplaceAll(line[1], `"$UFHOOK_TOKEN"`, os.Getenv("UFHOOK_TOKEN")))
			emit := []string{"emit", "--retries", "0"}
			if !slices.Contains(tc.args, "--spec") {
				emit = append(emit, "--mode", "test") // Userfront's plain HTTP takes test mode only
			}
			code, stdout, stderr := runCLI(t, append(emit, args...)...)
			assert.Equal(t, exitOK, code, stdout+stderr)

			// The same delivery, unsigned, is refused.
			body := `{"a": 1}`
			assert.Equal(t, http.StatusUnauthorized, postAs(t, r.url, map[string]string{"Authorization": bearerOrBasic(os.Getenv("UFHOOK_TOKEN"))}, body))
			require.Equal(t, exitOK, r.stop(), r.stderr.String())
			out := r.stdout.String()
			assert.Equal(t, len(openapi.Names()), strings.Count(out, " 204\n"), out)
			assert.Contains(t, out, " 401  webhook signature not verified: missing signature header")
			assert.NotContains(t, help+out, tc.secret, "the secret is never printed whole")
		})
	}
}

// TestReceiveAcceptsEitherSecretWhileRotating: --secret twice accepts
// deliveries signed with either.
func TestReceiveAcceptsEitherSecretWhileRotating(t *testing.T) {
	restoreSpec(t)
	r := startReceive(t, "--http", "--token", hooktest.Token, "--sign", "hmac-sha256", "--secret", hmacSecret, "--secret", hmacSecret+"-next")
	assert.Contains(t, r.stderr.String(), ", 2 secrets,")
	for _, secret := range []string{hmacSecret, hmacSecret + "-next"} {
		code, stdout, stderr := runCLI(t, "emit", "user.created", "--mode", "test", "--target", r.url, "--token", hooktest.Token, "--sign", "hmac-sha256", "--secret", secret, "--retries", "0")
		assert.Equal(t, exitOK, code, stdout+stderr)
	}
	code, stdout, _ := runCLI(t, "emit", "user.created", "--mode", "test", "--target", r.url, "--token", hooktest.Token, "--sign", "hmac-sha256", "--secret", "a-third-secret-nobody-has", "--retries", "0")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stdout, "401")
	require.Equal(t, exitOK, r.stop())
}

// TestReceiveSignUsageErrors: bad signing flags stop receive with exit 2
// before it listens.
func TestReceiveSignUsageErrors(t *testing.T) {
	restoreSpec(t)
	t.Setenv(secretEnv, "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no secret", []string{"--sign", "standard-webhooks"}, "no secret was given"},
		{"a bad secret", []string{"--sign", "standard-webhooks", "--secret", "whsec_***"}, "whsec_ followed by base64"},
		{"a secret without a scheme", []string{"--secret", hmacSecret}, "--secret without a signature scheme"},
		{"a zero tolerance", []string{"--sign", "hmac-sha256", "--secret", hmacSecret, "--tolerance", "0s"}, "--tolerance 0s: give a positive duration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"receive", "--http", "--listen", "127.0.0.1:0", "--token", hooktest.Token}, tc.args...)...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stderr, "listening on")
		})
	}
}

// bearerOrBasic is the Authorization header of token: Basic for user:password.
func bearerOrBasic(token string) string {
	if strings.Contains(token, ":") {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(token))
	}
	return "Bearer " + token
}

// shellWords splits a printed command line, undoing shellQuote's single quotes.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	for _, m := range regexp.MustCompile(`'([^']*)'|(\S+)`).FindAllStringSubmatch(line, -1) {
		if m[1] != "" || strings.HasPrefix(m[0], "'") {
			words = append(words, m[1])
		} else {
			words = append(words, m[2])
		}
	}
	return words
}

// TestCheckSignedReceivers: check --sign passes a receiver that verifies
// signatures, and fails one that does not, on the signature cases that
// must be refused and on no other.
func TestCheckSignedReceivers(t *testing.T) {
	restoreSpec(t)
	t.Setenv(secretEnv, signSecret)
	t.Setenv("UFHOOK_TOKEN", "svix:endpoint-password")
	doc := signedDocument(t, "x-ufhook-signature: standard-webhooks\n")
	verifying := startReceive(t, "--http", "--spec", doc)
	code, out, stderr := runCLI(t, "check", "--spec", doc, "--target", verifying.url+"hooks", "--seed", "4")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	assert.Contains(t, out, "signed standard-webhooks (secret "+bearer4(signSecret)+")")
	assert.Regexp(t, `(?m)^PASS  signature/several-signatures `, out)
	assert.Regexp(t, `(?m)^PASS  signature/wrong-secret `, out)
	require.Equal(t, exitOK, verifying.stop())

	careless := startReceive(t, "--http", "--spec", doc, "--sign", "none")
	code, out, _ = runCLI(t, "check", "--spec", doc, "--target", careless.url+"hooks", "--seed", "4")
	require.Equal(t, exitFailed, code, out)
	var failed []string
	for _, m := range regexp.MustCompile(`(?m)^FAIL  (\S+)`).FindAllStringSubmatch(out, -1) {
		failed = append(failed, m[1])
	}
	assert.ElementsMatch(t, []string{"signature/missing-signature", "signature/missing-id", "signature/missing-timestamp",
		"signature/wrong-secret", "signature/body-changed", "signature/timestamp-too-old", "signature/timestamp-in-future",
		"signature/other-id", "signature/unknown-version", "signature/truncated"}, failed)
	assert.NotContains(t, out, signSecret)
	require.Equal(t, exitOK, careless.stop())
}

// TestCheckSignUsage: check refuses a signed document without a secret,
// and two secrets, before sending anything.
func TestCheckSignUsage(t *testing.T) {
	restoreSpec(t)
	t.Setenv(secretEnv, "")
	doc := signedDocument(t, "x-ufhook-signature: standard-webhooks\n")
	rcv := newVerifyingReceiver(t, func(http.Header, []byte) error { return nil })
	for _, args := range [][]string{
		{"--spec", doc},
		{"--sign", "hmac-sha256", "--secret", hmacSecret, "--secret", hmacSecret},
	} {
		code, _, stderr := runCLI(t, append([]string{"check", "--target", rcv.URL, "--ca", rcv.CA.File, "--token", "svix:endpoint-password"}, args...)...)
		assert.Equal(t, exitUsage, code, stderr)
		assert.Regexp(t, `no secret was given|--secret is given 2 times`, stderr)
		ok, bad, _ := rcv.counts()
		assert.Zero(t, ok+bad, "nothing was sent")
		require.NoError(t, openapi.Use(openapi.Spec()))
	}
}
