package contract

// The self-test of signed runs (issue 14, item 6): a receiver built on the
// Standard Webhooks reference library passes every case; receivers with
// one verification defect each fail exactly their cases; and each preset
// (standard-webhooks, hmac-sha256, timestamped) is shown end to end with a
// receiver built on signature.Verifier, and without any verification.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/signature"
)

// swhSecret is the Standard Webhooks secret of the self-test: whsec_ and
// the base64 of 32 bytes.
var swhSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte("ufhook contract self-test key 32"))

// hmacSecret is the secret of the self-test's other schemes.
const hmacSecret = "It's a Secret to Everybody"

// verification is how a self-test receiver checks a delivery's signature
// over its raw body; a non-nil error refuses it with 401.
type verification func(body []byte, h http.Header) error

// signedReceiver is the reference receiver behind verify: it reads the raw
// body, verifies it, answers 401 when verification fails, and else hands
// the body on for the usual handling.
func signedReceiver(t *testing.T, verify verification) http.Handler {
	t.Helper()
	ref := reference(t, receiver.Options{}, receiver.Callbacks{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		if verify != nil {
			if err := verify(body, r.Header); err != nil {
				http.Error(w, "bad signature: "+err.Error(), http.StatusUnauthorized)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		ref.ServeHTTP(w, r)
	})
}

// standardWebhook is the reference library's verifier of swhSecret.
func standardWebhook(t *testing.T) *standardwebhooks.Webhook {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(swhSecret)
	require.NoError(t, err)
	return wh
}

// signedFaulty is a receiver of a Standard Webhooks run with one defect in
// its verification, and the cases it must fail.
type signedFaulty struct {
	name   string
	verify func(wh *standardwebhooks.Webhook) verification
	fails  func(c Case) bool
	// skips selects the cases that must be skipped besides the strict ones.
	skips func(c Case) bool
	meant string
	// says is a piece of the first diagnosis's fix; "" means the run has
	// no diagnosis.
	says string
}

// refusalCase selects the signature cases that want a refusal.
func refusalCase(c Case) bool { return strings.HasPrefix(c.ID, "signature/") && !c.delivers }

// firstSignatureOnly keeps the first signature of webhook-signature.
func firstSignatureOnly(h http.Header) http.Header {
	h = h.Clone()
	if sigs := strings.Fields(h.Get("webhook-signature")); len(sigs) > 0 {
		h.Set("webhook-signature", sigs[0])
	}
	return h
}

// prefixVerify verifies as the reference library does, but accepts any
// signature that is a prefix of the expected one (strings.HasPrefix), as a
// byte-by-byte comparison that stops at the end of the shorter string does.
func prefixVerify(wh *standardwebhooks.Webhook) verification {
	return func(body []byte, h http.Header) error {
		id, sigs, ts := h.Get("webhook-id"), h.Get("webhook-signature"), h.Get("webhook-timestamp")
		if id == "" || sigs == "" || ts == "" {
			return standardwebhooks.ErrRequiredHeaders
		}
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return standardwebhooks.ErrInvalidHeaders
		}
		at := time.Unix(sec, 0)
		if d := time.Since(at); d > 5*time.Minute || d < -5*time.Minute {
			return standardwebhooks.ErrMessageTooOld
		}
		want, err := wh.Sign(id, at, body)
		if err != nil {
			return err
		}
		for _, got := range strings.Fields(sigs) {
			if len(got) > len("v1,") && strings.HasPrefix(want, got) {
				return nil
			}
		}
		return standardwebhooks.ErrNoMatchingSignature
	}
}

func signedFaultyReceivers() []signedFaulty {
	return []signedFaulty{
		{
			name:   "no verification",
			verify: func(*standardwebhooks.Webhook) verification { return nil },
			fails:  refusalCase,
			meant:  "signature/wrong-secret",
		},
		{
			name:   "timestamp ignored",
			verify: func(wh *standardwebhooks.Webhook) verification { return wh.VerifyIgnoringTimestamp },
			fails:  idIs("signature/timestamp-too-old", "signature/timestamp-in-future"),
			meant:  "signature/timestamp-too-old",
		},
		{
			// json.Marshal writes the keys of a map sorted, unlike the
			// payloads (in the schema's order): every valid delivery is
			// refused, and the diagnosis says so.
			name: "verifies re-serialised JSON",
			verify: func(wh *standardwebhooks.Webhook) verification {
				return func(body []byte, h http.Header) error {
					var v any
					if err := json.Unmarshal(body, &v); err != nil {
						return nil // the receiver answers 400 to malformed JSON
					}
					again, err := json.Marshal(v)
					if err != nil {
						return err
					}
					return wh.Verify(again, h)
				}
			},
			fails: func(c Case) bool { return c.delivers && !idIs("delivery/no-redirect", "delivery/timeout")(c) },
			skips: idIs(idReusedConnection),
			meant: "signature/reformatted-body",
			says:  "over the raw body as received, never over JSON parsed and serialised again",
		},
		{
			// json.Compact leaves the compact payloads as they are: only a
			// body sent in another form is refused.
			name: "verifies compacted JSON",
			verify: func(wh *standardwebhooks.Webhook) verification {
				return func(body []byte, h http.Header) error {
					var b bytes.Buffer
					if err := json.Compact(&b, body); err != nil {
						return nil // the receiver answers 400 to malformed JSON
					}
					return wh.Verify(b.Bytes(), h)
				}
			},
			fails: idIs("signature/reformatted-body"),
			meant: "signature/reformatted-body",
		},
		{
			name: "reads only the first signature",
			verify: func(wh *standardwebhooks.Webhook) verification {
				return func(body []byte, h http.Header) error { return wh.Verify(body, firstSignatureOnly(h)) }
			},
			fails: idIs("signature/several-signatures"),
			meant: "signature/several-signatures",
		},
		{
			name:   "accepts a prefix of the signature",
			verify: prefixVerify,
			fails:  idIs("signature/truncated"),
			meant:  "signature/truncated",
		},
	}
}

// standardConfig is the Config of a Standard Webhooks run against target.
func standardConfig(t *testing.T, target string, ca *hooktest.CA) Config {
	t.Helper()
	sc, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	return Config{Target: target, Token: selfToken, RootCAs: ca.Pool(), Seed: faultySeed, Signature: &sc, Secret: swhSecret}
}

// checkSignedRun runs cfg's suite and asserts the exact failed and skipped
// cases (the strict ones are skipped unless cfg.Strict), and that meant,
// if given, failed for a reason its result shows.
func checkSignedRun(t *testing.T, cfg Config, fails, skips func(Case) bool, meant string) Report {
	t.Helper()
	s, err := New(t.Context(), cfg)
	require.NoError(t, err)
	cases := s.Cases()
	s.Close()
	rep, err := Run(t.Context(), cfg)
	require.NoError(t, err)
	require.Len(t, rep.Results, len(cases))
	wantFail := ids(cases, func(c Case) bool { return fails(c) && (cfg.Strict || !c.Strict) })
	if !assert.Equal(t, wantFail, outcomeIDs(rep, Fail), "failed cases") {
		for _, r := range rep.Results {
			if (r.Outcome == Fail) != slices.Contains(wantFail, r.Case.ID) {
				t.Logf("%s: %s, got %s", r.Case.ID, r.Outcome, r.Got)
			}
		}
	}
	assert.Equal(t, ids(cases, func(c Case) bool { return c.Strict && !cfg.Strict || skips != nil && skips(c) }), outcomeIDs(rep, Skip), "skipped cases")
	if meant != "" {
		i := slices.IndexFunc(rep.Results, func(r Result) bool { return r.Case.ID == meant })
		require.GreaterOrEqual(t, i, 0, "no case %s", meant)
		r := rep.Results[i]
		assert.Equal(t, Fail, r.Outcome, "the case meant for the defect")
		assert.Contains(t, r.Explain(), "requirement: "+r.Case.Requirement)
		assert.Contains(t, r.Case.Requirement, `"`, "a signature case quotes its source")
		assert.NotEmpty(t, r.Reason, "a failed signature case gives advice")
	}
	for _, r := range rep.Results {
		assert.NotContains(t, r.Got+r.Reason, cfg.Secret, "the secret must never be printed whole")
	}
	return rep
}

// TestSignedReferenceLibrary runs the whole suite, signed with Standard
// Webhooks, against a receiver that verifies with the reference library
// (every case passes) and against receivers with one defect each (each
// fails exactly its cases).
func TestSignedReferenceLibrary(t *testing.T) {
	skipWithTarget(t)
	t.Parallel() // after the sequential tests, beside the other signed ones: they touch no global state
	ca := hooktest.NewCA(t)
	t.Run("correct receiver", func(t *testing.T) {
		t.Parallel()
		wh := standardWebhook(t)
		target := serveTLS(t, signedReceiver(t, wh.Verify), ca).URL + "/webhook"
		// Strict too: every request of every case must be signed, or the
		// receiver refuses it.
		cfg := standardConfig(t, target, ca)
		cfg.Strict = true
		rep := checkSignedRun(t, cfg, func(Case) bool { return false }, nil, "")
		assert.Contains(t, ids(rep.resultsCases(), idHasPrefix("signature/")), "signature/repeat")
	})
	for _, f := range signedFaultyReceivers() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			target := serveTLS(t, signedReceiver(t, f.verify(standardWebhook(t))), ca).URL + "/webhook"
			rep := checkSignedRun(t, standardConfig(t, target, ca), f.fails, f.skips, f.meant)
			diags := rep.Diagnose()
			if f.says == "" {
				assert.Empty(t, diags)
				return
			}
			require.NotEmpty(t, diags)
			assert.Contains(t, diags[0].Fix, f.says)
		})
	}
}

// resultsCases returns the cases of a report's results.
func (r Report) resultsCases() []Case {
	out := make([]Case, len(r.Results))
	for i, res := range r.Results {
		out[i] = res.Case
	}
	return out
}

// TestSignedPresets shows each preset end to end: a receiver built on
// signature.Verifier passes the whole suite signed with it, and a receiver
// that verifies nothing fails exactly that preset's signature cases that
// want a refusal, which are listed here.
func TestSignedPresets(t *testing.T) {
	skipWithTarget(t)
	t.Parallel() // after the sequential tests, beside the other signed ones: they touch no global state
	ca := hooktest.NewCA(t)
	tests := []struct {
		preset, secret string
		refusals       []string
	}{
		{signature.StandardWebhooks, swhSecret, []string{"missing-signature", "missing-id", "missing-timestamp", "wrong-secret", "body-changed",
			"timestamp-too-old", "timestamp-in-future", "other-id", "unknown-version", "truncated"}},
		{signature.HMACSHA256, hmacSecret, []string{"missing-signature", "wrong-secret", "body-changed", "truncated"}},
		{signature.Timestamped, hmacSecret, []string{"missing-signature", "missing-timestamp", "wrong-secret", "body-changed",
			"timestamp-too-old", "timestamp-in-future", "unknown-version", "truncated"}},
	}
	for _, tc := range tests {
		sc, err := signature.Lookup(tc.preset)
		require.NoError(t, err)
		cfg := func(target string) Config {
			return Config{Target: target, Token: selfToken, RootCAs: ca.Pool(), Seed: faultySeed, Signature: &sc, Secret: tc.secret}
		}
		var want []string
		for _, id := range tc.refusals {
			want = append(want, "signature/"+id)
		}
		slices.Sort(want)
		t.Run(tc.preset+"/verifier", func(t *testing.T) {
			t.Parallel()
			v := &signature.Verifier{Scheme: sc, Secrets: []string{tc.secret}}
			require.NoError(t, v.Check())
			target := serveTLS(t, signedReceiver(t, func(body []byte, h http.Header) error { return v.Verify(h, body) }), ca).URL + "/webhook"
			rep := checkSignedRun(t, cfg(target), func(Case) bool { return false }, nil, "")
			assert.Equal(t, want, ids(rep.resultsCases(), refusalCase), "the preset's refusal cases")
		})
		t.Run(tc.preset+"/no verification", func(t *testing.T) {
			t.Parallel()
			target := serveTLS(t, signedReceiver(t, nil), ca).URL + "/webhook"
			checkSignedRun(t, cfg(target), idIs(want...), nil, "signature/wrong-secret")
		})
	}
}

// TestSignedConfig checks the signing settings: a bad scheme or secret
// stops New with the signature package's sentinel, a secret without a
// scheme too; an unsigned suite has exactly Cases, and a signed one adds
// its signature cases after them.
func TestSignedConfig(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	target := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{}), ca).URL + "/webhook"
	std, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	hub, err := signature.Lookup(signature.HMACSHA256)
	require.NoError(t, err)
	broken := hub
	broken.Header = ""
	tests := []struct {
		name   string
		scheme *signature.Scheme
		secret string
		want   error
		says   string
	}{
		{"secret not whsec_ base64", &std, "not base64!", signature.ErrBadSecret, "whsec_ followed by base64"},
		{"no secret", &hub, "", signature.ErrBadSecret, "the secret is empty"},
		{"scheme without a header", &broken, hmacSecret, signature.ErrBadScheme, "no signature header"},
		{"secret without a scheme", nil, hmacSecret, signature.ErrBadScheme, "no scheme"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(t.Context(), Config{Target: target, Token: selfToken, RootCAs: ca.Pool(), Signature: tc.scheme, Secret: tc.secret})
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.says)
			if tc.secret != "" {
				assert.NotContains(t, err.Error(), tc.secret, "the secret must never be printed whole")
			}
		})
	}

	unsigned, err := New(t.Context(), Config{Target: target, Token: selfToken, RootCAs: ca.Pool()})
	require.NoError(t, err)
	defer unsigned.Close()
	assert.Equal(t, ids(Cases(), func(Case) bool { return true }), ids(unsigned.Cases(), func(Case) bool { return true }))
	r := unsigned.Check(t.Context(), signatureCases(mustEvents()[0], std)[0])
	assert.Equal(t, Skip, r.Outcome, "a signature case in an unsigned run")

	signed, err := New(t.Context(), Config{Target: target, Token: selfToken, RootCAs: ca.Pool(), Signature: &std, Secret: swhSecret})
	require.NoError(t, err)
	defer signed.Close()
	cs := signed.Cases()
	assert.Equal(t, ids(Cases(), func(Case) bool { return true }), ids(cs[:len(Cases())], func(Case) bool { return true }))
	for _, c := range cs[len(Cases()):] {
		assert.True(t, strings.HasPrefix(c.ID, "signature/"), c.ID)
	}
	for _, preset := range signature.Presets() {
		sc, err := signature.Lookup(preset)
		require.NoError(t, err)
		for _, c := range signatureCases(mustEvents()[0], sc) {
			assert.Contains(t, c.Requirement, `Standard Webhooks: "`, "%s %s quotes the specification", preset, c.ID)
			assert.NotEmpty(t, c.Sends)
		}
	}
}

// TestChangeOneByteAndReformat checks the two bodies that the signature
// cases derive from a payload: one byte changed, still a valid payload;
// and the same value in other bytes.
func TestChangeOneByteAndReformat(t *testing.T) {
	skipWithTarget(t)
	for _, ev := range mustEvents() {
		body, err := payloadFor(faultySeed, gen.ModeLive, "signature/body-changed", ev, fake.Full)
		require.NoError(t, err)
		changed, ok := changeOneByte(ev, body)
		require.True(t, ok, ev.Name)
		require.Len(t, changed, len(body))
		diff := 0
		for i := range body {
			if body[i] != changed[i] {
				diff++
			}
		}
		assert.Equal(t, 1, diff, "%s: exactly one byte changed", ev.Name)

		again, err := reformat(body)
		require.NoError(t, err)
		assert.NotEqual(t, body, again)
		var a, b any
		require.NoError(t, json.Unmarshal(body, &a))
		require.NoError(t, json.Unmarshal(again, &b), "%s", again)
		assert.Equal(t, a, b, "%s: the same value", ev.Name)
	}
}

// TestSignFlags runs this test binary as `go test ./contract -target=URL
// -sign=SCHEME -secret=SECRET` does: the signature cases run and pass
// against a verifying receiver and fail against one that verifies nothing,
// -secret defaults to $UFHOOK_SIGNING_SECRET, the secret is never printed
// whole, and bad settings stop the run with a message.
func TestSignFlags(t *testing.T) {
	skipWithTarget(t)
	t.Parallel() // after the sequential tests, beside the other signed ones: they touch no global state
	ca := hooktest.NewCA(t)
	wh := standardWebhook(t)
	good := serveTLS(t, signedReceiver(t, wh.Verify), ca).URL + "/webhook"
	none := serveTLS(t, signedReceiver(t, nil), ca).URL + "/webhook"
	custom, err := signature.Parse("hmac-sha256 header=X-Sig")
	require.NoError(t, err)
	v := &signature.Verifier{Scheme: custom, Secrets: []string{hmacSecret}}
	xsig := serveTLS(t, signedReceiver(t, func(body []byte, h http.Header) error { return v.Verify(h, body) }), ca).URL + "/webhook"
	std, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	n := len(signatureCases(mustEvents()[0], std))
	refusals := len(ids(signatureCases(mustEvents()[0], std), refusalCase))
	base := []string{"-test.run=^TestContract$", "-token=" + selfToken, "-ca=" + ca.File}
	signedDoc := filepath.Join(t.TempDir(), "webhooks.yaml")
	require.NoError(t, os.WriteFile(signedDoc, append(slices.Clone(openapi.Spec()), "\nx-ufhook-signature: standard-webhooks\n"...), 0o600))

	tests := []struct {
		name     string
		env      []string
		args     []string
		wantCode int
		want     []string
		dont     []string
	}{
		{"verifying receiver", nil, []string{"-target=" + good, "-sign=standard-webhooks", "-secret=" + swhSecret, "-test.run=Contract/signature", "-test.v"},
			0, []string{"signed standard-webhooks, secret " + bearer.Mask(swhSecret), "--- PASS: TestContract/signature/wrong-secret", "--- PASS: TestContract/signature/repeat", Summary(n, 0, 0)}, nil},
		{"secret from the environment", []string{signingSecretEnv + "=" + swhSecret}, []string{"-target=" + good, "-sign=standard-webhooks", "-test.run=Contract/signature"},
			0, []string{"signed standard-webhooks", Summary(n, 0, 0)}, nil},
		{"receiver that verifies nothing", nil, []string{"-target=" + none, "-sign=standard-webhooks", "-secret=" + swhSecret, "-test.run=Contract/signature"},
			1, []string{"--- FAIL: TestContract/signature/wrong-secret", "requirement: A delivery signed with another secret is refused with 400, 401 or 403",
				"advice:      the receiver accepted a signature made with another secret", Summary(n-refusals, refusals, 0)}, nil},
		{"a scheme in Parse's text", nil, []string{"-target=" + xsig, "-sign=hmac-sha256 header=X-Sig", "-secret=" + hmacSecret, "-test.run=Contract/signature"},
			0, []string{"signed hmac-sha256", " 0 failed"}, nil},
		{"the document's scheme", []string{signingSecretEnv + "=" + swhSecret}, []string{"-target=" + good, "-spec=" + signedDoc, "-test.run=Contract/signature"},
			0, []string{"signed standard-webhooks", Summary(n, 0, 0)}, nil},
		{"the document's scheme turned off", []string{signingSecretEnv + "=" + swhSecret}, []string{"-target=" + good, "-spec=" + signedDoc, "-sign=none", "-test.run=Contract/signature"},
			0, []string{"no tests to run"}, []string{"signed standard-webhooks"}},
		{"unknown scheme", nil, []string{"-target=" + good, "-sign=bogus", "-secret=" + swhSecret}, 2, []string{"contract: -sign=bogus: unknown signature scheme"}, []string{"PASS"}},
		{"secret that is not whsec_ base64", nil, []string{"-target=" + good, "-sign=standard-webhooks", "-secret=not-base64-at-all!!"},
			2, []string{"contract: signing secret", "invalid signing secret"}, []string{"not-base64-at-all!!"}},
		{"secret without a scheme", nil, []string{"-target=" + good, "-secret=" + swhSecret}, 2, []string{"no scheme: give the scheme too"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := runTestBinary(t, tc.env, append(slices.Clone(base), tc.args...), tc.wantCode, tc.want, tc.dont)
			assert.NotContains(t, out, swhSecret, "the secret must never be printed whole")
			assert.NotContains(t, out, hmacSecret, "the secret must never be printed whole")
		})
	}
}
