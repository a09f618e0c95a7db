package receiver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/signature"
)

// Secrets of the signature tests: two per scheme family, for key rotation,
// and one that the receiver does not know.
const (
	whsecA   = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	whsecB   = "whsec_c2Vjb25kIHNlY3JldCBvZiB0aGUgcm90YXRpb24="
	whsecX   = "whsec_dW5rbm93biB0byB0aGUgcmVjZWl2ZXI="
	plainA   = "It's a Secret to Everybody"
	plainB   = "the rotated secret, second of two"
	plainX   = "a secret the receiver does not know"
	signedID = "msg_2hQ8rX7vKpL3mN9bT4cY6wZ1eA"
)

// secrets returns the two known secrets and an unknown one for scheme.
func secrets(scheme signature.Scheme) (a, b, unknown string) {
	if scheme.Name == signature.StandardWebhooks {
		return whsecA, whsecB, whsecX
	}
	return plainA, plainB, plainX
}

func lookup(t *testing.T, name string) signature.Scheme {
	t.Helper()
	s, err := signature.Lookup(name)
	require.NoError(t, err)
	return s
}

// timed reports whether scheme signs a timestamp.
func timed(s signature.Scheme) bool { return s.TimestampHeader != "" || !s.Parts.IsZero() }

// sign returns the headers that sign body under scheme with secret as
// message id at ts.
func sign(t *testing.T, scheme signature.Scheme, secret, id string, ts time.Time, body []byte) http.Header {
	t.Helper()
	h, err := signature.Sign(scheme, secret, id, ts, body)
	require.NoError(t, err)
	return h
}

// sigValue returns the signature itself (without prefix or parts) of h.
func sigValue(scheme signature.Scheme, h http.Header) string {
	v := h.Get(scheme.Header)
	if !scheme.Parts.IsZero() {
		_, v, _ = strings.Cut(v, scheme.Parts.Separator+scheme.Parts.SignatureKey+"=")
		return v
	}
	return strings.TrimPrefix(v, scheme.Prefix)
}

// withSigs returns h with its signature header holding sigs, each a bare
// signature written with key (the scheme's prefix, or its parts' key).
func withSigs(scheme signature.Scheme, h http.Header, key string, sigs ...string) http.Header {
	h = h.Clone()
	if scheme.Parts.IsZero() {
		for i, s := range sigs {
			sigs[i] = key + s
		}
		h.Set(scheme.Header, strings.Join(sigs, " "))
		return h
	}
	p := scheme.Parts
	ts, _, _ := strings.Cut(h.Get(scheme.Header), p.Separator)
	parts := []string{ts}
	for _, s := range sigs {
		parts = append(parts, key+"="+s)
	}
	h.Set(scheme.Header, strings.Join(parts, p.Separator))
	return h
}

// versionKey is how a signature of scheme's own version is written.
func versionKey(scheme signature.Scheme) string {
	if scheme.Parts.IsZero() {
		return scheme.Prefix
	}
	return scheme.Parts.SignatureKey
}

// signedFixture is a receiver with scheme and both known secrets.
func signedFixture(t *testing.T, scheme signature.Scheme) *fixture {
	t.Helper()
	a, b, _ := secrets(scheme)
	return newFixture(t, receiver.Options{Token: liveToken,
		Signature: &signature.Verifier{Scheme: scheme, Secrets: []string{a, b}}}, receiver.Callbacks{})
}

// postSigned sends body with the live token and the headers of sig.
func (f *fixture) postSigned(t *testing.T, sig http.Header, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/webhooks", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", bearer.Header(liveToken))
	for k, vs := range sig {
		req.Header[k] = vs
	}
	return f.do(t, req)
}

func TestSignedDeliveries(t *testing.T) {
	body := example(t, "user.created", nil)
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, body, "", "  "))
	changed := bytes.Clone(body)
	at := bytes.Index(changed, []byte(`"test"`))
	require.Positive(t, at)
	changed[at+2] = 'E' // "tEst": one byte, and still well-formed JSON

	type delivery struct {
		header http.Header
		body   []byte
	}
	cases := []struct {
		name    string
		applies func(signature.Scheme) bool // nil: every scheme
		make    func(t *testing.T, s signature.Scheme) delivery
		wantErr error // nil: accepted
	}{
		{name: "signed with the first secret", make: func(t *testing.T, s signature.Scheme) delivery {
			a, _, _ := secrets(s)
			return delivery{sign(t, s, a, signedID, time.Now(), body), body}
		}},
		{name: "signed with the second secret (key rotation)", make: func(t *testing.T, s signature.Scheme) delivery {
			_, b, _ := secrets(s)
			return delivery{sign(t, s, b, signedID, time.Now(), body), body}
		}},
		{name: "timestamp four minutes old, within the tolerance", applies: timed, make: func(t *testing.T, s signature.Scheme) delivery {
			a, _, _ := secrets(s)
			return delivery{sign(t, s, a, signedID, time.Now().Add(-4*time.Minute), body), body}
		}},
		{name: "several signatures, only the second valid", make: func(t *testing.T, s signature.Scheme) delivery {
			a, _, x := secrets(s)
			ts := time.Now()
			good := sign(t, s, a, signedID, ts, body)
			bad := sign(t, s, x, signedID, ts, body)
			return delivery{withSigs(s, good, versionKey(s), sigValue(s, bad), sigValue(s, good)), body}
		}},
		{name: "missing headers", wantErr: signature.ErrMissingHeader, make: func(*testing.T, signature.Scheme) delivery {
			return delivery{http.Header{}, body}
		}},
		{name: "signed with another secret", wantErr: signature.ErrBadSignature, make: func(t *testing.T, s signature.Scheme) delivery {
			_, _, x := secrets(s)
			return delivery{sign(t, s, x, signedID, time.Now(), body), body}
		}},
		{name: "one body byte changed after signing", wantErr: signature.ErrBadSignature, make: func(t *testing.T, s signature.Scheme) delivery {
			a, _, _ := secrets(s)
			return delivery{sign(t, s, a, signedID, time.Now(), body), changed}
		}},
		{name: "body re-formatted after signing", wantErr: signature.ErrBadSignature, make: func(t *testing.T, s signature.Scheme) delivery {
			a, _, _ := secrets(s)
			return delivery{sign(t, s, a, signedID, time.Now(), body), indented.Bytes()}
		}},
		{name: "timestamp too old", applies: timed, wantErr: signature.ErrTimestampTooOld, make: func(t *testing.T, s signature.Scheme) delivery {
			a, _, _ := secrets(s)
			return delivery{sign(t, s, a, signedID, time.Now().Add(-10*time.Minute), body), body}
		}},
		{name: "timestamp too far in the future", applies: timed, wantErr: signature.ErrTimestampInFuture, make: func(t *testing.T, s signature.Scheme) delivery {
			a, _, _ := secrets(s)
			return delivery{sign(t, s, a, signedID, time.Now().Add(10*time.Minute), body), body}
		}},
		{name: "signature of another message id", applies: func(s signature.Scheme) bool { return s.IDHeader != "" },
			wantErr: signature.ErrBadSignature, make: func(t *testing.T, s signature.Scheme) delivery {
				a, _, _ := secrets(s)
				h := sign(t, s, a, "msg_another", time.Now(), body)
				h.Set(s.IDHeader, signedID)
				return delivery{h, body}
			}},
		{name: "only a v2 signature", wantErr: signature.ErrBadSignature, make: func(t *testing.T, s signature.Scheme) delivery {
			a, _, _ := secrets(s)
			good := sign(t, s, a, signedID, time.Now(), body)
			key := "v2,"
			if !s.Parts.IsZero() {
				key = "v2"
			}
			return delivery{withSigs(s, good, key, sigValue(s, good)), body}
		}},
		{name: "a truncated signature (a prefix of the valid one)", wantErr: signature.ErrBadSignature, make: func(t *testing.T, s signature.Scheme) delivery {
			a, _, _ := secrets(s)
			good := sign(t, s, a, signedID, time.Now(), body)
			sig := sigValue(s, good)
			return delivery{withSigs(s, good, versionKey(s), sig[:len(sig)/2]), body}
		}},
	}
	for _, name := range signature.Presets() {
		scheme := lookup(t, name)
		f := signedFixture(t, scheme)
		for _, tc := range cases {
			if tc.applies != nil && !tc.applies(scheme) {
				continue
			}
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				dl := tc.make(t, scheme)
				resp := f.postSigned(t, dl.header, dl.body)
				d := resp.delivery
				if tc.wantErr == nil {
					require.Equal(t, http.StatusNoContent, resp.status, resp.body)
					assert.True(t, d.Signed, "Delivery.Signed")
					assert.NoError(t, d.Err)
					assert.Equal(t, "user.created", d.Event)
					return
				}
				require.Equal(t, http.StatusUnauthorized, resp.status, resp.body)
				assert.ErrorIs(t, d.Err, receiver.ErrBadSignature)
				assert.ErrorIs(t, d.Err, tc.wantErr)
				assert.False(t, d.Signed, "Delivery.Signed")
				assert.Empty(t, d.Event, "refused before the body was parsed")
				var eb struct{ Error string }
				require.NoError(t, json.Unmarshal([]byte(resp.body), &eb), resp.body)
				assert.Contains(t, eb.Error, "signature does not verify: "+tc.wantErr.Error())
				assert.Contains(t, eb.Error, ": ", "the message says what to do")
				a, b, _ := secrets(scheme)
				for _, secret := range []string{a, b} {
					assert.NotContains(t, resp.body, secret)
					assert.NotContains(t, f.logs.String(), secret)
				}
				assert.NotContains(t, resp.header.Get("WWW-Authenticate"), "invalid_token", "the token was right")
			})
		}
	}
}

// The reference library for Go signs a delivery that the receiver accepts.
func TestReferenceLibrarySignedDeliveryIsAccepted(t *testing.T) {
	body := example(t, "user.created", nil)
	f := signedFixture(t, lookup(t, signature.StandardWebhooks))
	wh, err := standardwebhooks.NewWebhook(whsecB)
	require.NoError(t, err)
	now := time.Now()
	sig, err := wh.Sign(signedID, now, body)
	require.NoError(t, err)
	h := http.Header{}
	h.Set(standardwebhooks.HeaderWebhookID, signedID)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)

	resp := f.postSigned(t, h, body)
	require.Equal(t, http.StatusNoContent, resp.status, resp.body)
	assert.True(t, resp.delivery.Signed)
	assert.Contains(t, f.logs.String(), "signed=true")

	h.Set(standardwebhooks.HeaderWebhookID, "msg_replayed_under_another_id")
	resp = f.postSigned(t, h, body)
	require.Equal(t, http.StatusUnauthorized, resp.status, resp.body)
	assert.ErrorIs(t, resp.delivery.Err, receiver.ErrBadSignature)
	assert.Contains(t, f.logs.String(), "signed=false")
}

// The other checks keep their place around the signature's: a wrong token is
// refused before the body is read, and a body over the limit before the
// signature is checked.
func TestSignatureOrder(t *testing.T) {
	scheme := lookup(t, signature.StandardWebhooks)
	body := example(t, "user.created", nil)
	f := newFixture(t, receiver.Options{Token: liveToken, MaxBodyBytes: int64(len(body)) - 1,
		Signature: &signature.Verifier{Scheme: scheme, Secrets: []string{whsecA}}}, receiver.Callbacks{})

	resp := f.post(t, http.MethodPost, bearer.Header("wrong"), body)
	assert.Equal(t, http.StatusUnauthorized, resp.status)
	assert.ErrorIs(t, resp.delivery.Err, receiver.ErrUnauthorized)
	assert.NotErrorIs(t, resp.delivery.Err, receiver.ErrBadSignature)
	assert.Nil(t, resp.delivery.Body, "the body of a request with a wrong token is not read")

	resp = f.postSigned(t, sign(t, scheme, whsecA, signedID, time.Now(), body), body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.status)
	assert.ErrorIs(t, resp.delivery.Err, receiver.ErrTooLarge)
	assert.False(t, resp.delivery.Signed)
}

// Without Options.Signature, signature headers are ignored and unsigned
// deliveries are accepted, as before.
func TestNoSignatureOption(t *testing.T) {
	body := example(t, "user.created", nil)
	f := newFixture(t, receiver.Options{Token: liveToken}, receiver.Callbacks{})
	scheme := lookup(t, signature.StandardWebhooks)
	for _, h := range []http.Header{{}, sign(t, scheme, whsecX, signedID, time.Now().Add(-time.Hour), body)} {
		resp := f.postSigned(t, h, body)
		require.Equal(t, http.StatusNoContent, resp.status, resp.body)
		assert.False(t, resp.delivery.Signed)
	}
	assert.NotContains(t, f.logs.String(), "signed=")
}

func TestNewChecksTheVerifier(t *testing.T) {
	std := lookup(t, signature.StandardWebhooks)
	const notWhsec = "not-a-whsec-secret-0123456789"
	cases := []struct {
		name string
		v    signature.Verifier
		want error
	}{
		{"no secret", signature.Verifier{Scheme: std}, signature.ErrBadSecret},
		{"an empty secret", signature.Verifier{Scheme: std, Secrets: []string{whsecA, ""}}, signature.ErrBadSecret},
		{"not a whsec_ secret", signature.Verifier{Scheme: std, Secrets: []string{notWhsec}}, signature.ErrBadSecret},
		{"no scheme", signature.Verifier{Secrets: []string{plainA}}, signature.ErrBadScheme},
		{"a negative tolerance", signature.Verifier{Scheme: std, Secrets: []string{whsecA}, Tolerance: -time.Second}, signature.ErrBadScheme},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := receiver.New(receiver.Options{Token: liveToken, Signature: &tc.v}, receiver.Callbacks{})
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), "Options.Signature")
			assert.NotContains(t, err.Error(), notWhsec, "the secret is never shown whole")
		})
	}
}

// New keeps a copy of the verifier: changing the caller's afterwards does not
// change what the handler accepts.
func TestNewCopiesTheVerifier(t *testing.T) {
	scheme := lookup(t, signature.HMACSHA256)
	body := example(t, "user.created", nil)
	v := &signature.Verifier{Scheme: scheme, Secrets: []string{plainA}}
	f := newFixture(t, receiver.Options{Token: liveToken, Signature: v}, receiver.Callbacks{})
	v.Secrets[0] = plainX
	resp := f.postSigned(t, sign(t, scheme, plainA, "", time.Now(), body), body)
	assert.Equal(t, http.StatusNoContent, resp.status, resp.body)
}
