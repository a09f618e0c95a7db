package validator

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

const (
	whsecA = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	whsecB = "whsec_c2Vjb25kIHNlY3JldCBvZiB0aGUgcm90YXRpb24="
	whsecX = "whsec_dW5rbm93biB0byB0aGUgcmVjZWl2ZXI="
	plainA = "It's a Secret to Everybody"
	plainB = "the rotated secret, second of two"
	plainX = "a secret the receiver does not know"
	msgID  = "msg_2hQ8rX7vKpL3mN9bT4cY6wZ1eA"
	aBody  = `{"kind":"a","n":1}`
)

// secrets returns the two known secrets and an unknown one for scheme.
func secrets(scheme signature.Scheme) (a, b, unknown string) {
	if scheme.Name == signature.StandardWebhooks {
		return whsecA, whsecB, whsecX
	}
	return plainA, plainB, plainX
}

// signed returns the request of body at /a.made with the headers that sign
// signedBody under scheme with secret at ts.
func signed(t *testing.T, scheme signature.Scheme, secret string, ts time.Time, signedBody, body string) req {
	t.Helper()
	h, err := signature.Sign(scheme, secret, msgID, ts, []byte(signedBody))
	require.NoError(t, err)
	hm := map[string]string{}
	for k := range h {
		hm[k] = h.Get(k)
	}
	return req{path: "/a.made", header: hm, body: body}
}

// useTwo installs twoDoc, whose webhooks declare no credentials, as a
// signing provider's document does.
func useTwo(t *testing.T) {
	t.Helper()
	require.NoError(t, openapi.Use([]byte(twoDoc)))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
}

func TestSignedDeliveries(t *testing.T) {
	useTwo(t)
	timed := func(s signature.Scheme) bool { return s.TimestampHeader != "" || !s.Parts.IsZero() }
	cases := []struct {
		name    string
		applies func(signature.Scheme) bool
		req     func(t *testing.T, s signature.Scheme) req
		wantErr error // nil: accepted
	}{
		{name: "signed with the first secret", req: func(t *testing.T, s signature.Scheme) req {
			a, _, _ := secrets(s)
			return signed(t, s, a, time.Now(), aBody, aBody)
		}},
		{name: "signed with the second secret (key rotation)", req: func(t *testing.T, s signature.Scheme) req {
			_, b, _ := secrets(s)
			return signed(t, s, b, time.Now(), aBody, aBody)
		}},
		{name: "several signatures, only the second valid", applies: func(s signature.Scheme) bool { return s.Parts.IsZero() },
			req: func(t *testing.T, s signature.Scheme) req {
				a, _, x := secrets(s)
				now := time.Now()
				good, bad := signed(t, s, a, now, aBody, aBody), signed(t, s, x, now, aBody, aBody)
				k := http.CanonicalHeaderKey(s.Header)
				good.header[k] = bad.header[k] + " " + good.header[k]
				return good
			}},
		{name: "missing headers", wantErr: signature.ErrMissingHeader, req: func(*testing.T, signature.Scheme) req {
			return req{path: "/a.made", body: aBody}
		}},
		{name: "signed with another secret", wantErr: signature.ErrBadSignature, req: func(t *testing.T, s signature.Scheme) req {
			_, _, x := secrets(s)
			return signed(t, s, x, time.Now(), aBody, aBody)
		}},
		{name: "one body byte changed after signing", wantErr: signature.ErrBadSignature, req: func(t *testing.T, s signature.Scheme) req {
			a, _, _ := secrets(s)
			return signed(t, s, a, time.Now(), aBody, strings.Replace(aBody, "1", "2", 1))
		}},
		{name: "body re-formatted after signing", wantErr: signature.ErrBadSignature, req: func(t *testing.T, s signature.Scheme) req {
			a, _, _ := secrets(s)
			return signed(t, s, a, time.Now(), aBody, `{"kind": "a", "n": 1}`)
		}},
		{name: "timestamp too old", applies: timed, wantErr: signature.ErrTimestampTooOld, req: func(t *testing.T, s signature.Scheme) req {
			a, _, _ := secrets(s)
			return signed(t, s, a, time.Now().Add(-10*time.Minute), aBody, aBody)
		}},
		{name: "timestamp too far in the future", applies: timed, wantErr: signature.ErrTimestampInFuture, req: func(t *testing.T, s signature.Scheme) req {
			a, _, _ := secrets(s)
			return signed(t, s, a, time.Now().Add(10*time.Minute), aBody, aBody)
		}},
	}
	for _, name := range signature.Presets() {
		scheme, err := signature.Lookup(name)
		require.NoError(t, err)
		a, b, _ := secrets(scheme)
		s := serve(t, Options{Signature: &signature.Verifier{Scheme: scheme, Secrets: []string{a, b}}})
		for _, tc := range cases {
			if tc.applies != nil && !tc.applies(scheme) {
				continue
			}
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				resp, eb := s.do(t, tc.req(t, scheme))
				d := s.last(t)
				if tc.wantErr == nil {
					require.Equal(t, http.StatusNoContent, resp.StatusCode, eb.Error)
					assert.True(t, d.Signed)
					assert.Equal(t, "a.made", d.Event)
					return
				}
				require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
				assert.ErrorIs(t, d.Err, ErrBadSignature)
				assert.ErrorIs(t, d.Err, tc.wantErr)
				assert.False(t, d.Signed)
				assert.Contains(t, eb.Error, "signature does not verify: "+tc.wantErr.Error())
				assert.NotContains(t, eb.Error, a)
				assert.NotContains(t, eb.Error, b)
			})
		}
	}
}

// The reference library for Go signs a delivery that the validator accepts.
func TestReferenceLibrarySignedDeliveryIsAccepted(t *testing.T) {
	useTwo(t)
	scheme, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	s := serve(t, Options{Signature: &signature.Verifier{Scheme: scheme, Secrets: []string{whsecA}}})
	wh, err := standardwebhooks.NewWebhook(whsecA)
	require.NoError(t, err)
	now := time.Now()
	sig, err := wh.Sign(msgID, now, []byte(aBody))
	require.NoError(t, err)
	resp, eb := s.do(t, req{path: "/a.made", body: aBody, header: map[string]string{
		standardwebhooks.HeaderWebhookID:        msgID,
		standardwebhooks.HeaderWebhookTimestamp: strconv.FormatInt(now.Unix(), 10),
		standardwebhooks.HeaderWebhookSignature: sig,
	}})
	require.Equal(t, http.StatusNoContent, resp.StatusCode, eb.Error)
	assert.True(t, s.last(t).Signed)
}

// The credentials the document declares are still checked, before the
// body is read, when a verifier is set too.
func TestSignatureAndCredentials(t *testing.T) {
	useChoices(t)
	scheme, err := signature.Lookup(signature.HMACSHA256)
	require.NoError(t, err)
	s := serve(t, Options{Token: token, Signature: &signature.Verifier{Scheme: scheme, Secrets: []string{plainA}}})
	h, err := signature.Sign(scheme, plainA, "", time.Now(), []byte(placed))
	require.NoError(t, err)
	signedH := map[string]string{scheme.Header: h.Get(scheme.Header)}

	resp, _ := s.do(t, req{path: "/hooks/order.placed", header: signedH, body: placed})
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.ErrorIs(t, s.last(t).Err, ErrUnauthorized)
	assert.NotErrorIs(t, s.last(t).Err, ErrBadSignature)

	signedH["Authorization"] = bearerH(token)["Authorization"]
	resp, eb := s.do(t, req{path: "/hooks/order.placed", header: signedH, body: placed})
	require.Equal(t, http.StatusNoContent, resp.StatusCode, eb.Error)
	assert.True(t, s.last(t).Signed)

	resp, _ = s.do(t, req{path: "/hooks/order.placed", header: bearerH(token), body: placed})
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.ErrorIs(t, s.last(t).Err, signature.ErrMissingHeader)
}

func TestNewChecksTheVerifier(t *testing.T) {
	useTwo(t)
	std, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	const notWhsec = "not-a-whsec-secret-0123456789"
	for _, tc := range []struct {
		name string
		v    signature.Verifier
		want error
	}{
		{"no secret", signature.Verifier{Scheme: std}, signature.ErrBadSecret},
		{"not a whsec_ secret", signature.Verifier{Scheme: std, Secrets: []string{notWhsec}}, signature.ErrBadSecret},
		{"no scheme", signature.Verifier{Secrets: []string{plainA}}, signature.ErrBadScheme},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Options{Signature: &tc.v})
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), "Options.Signature")
			assert.NotContains(t, err.Error(), notWhsec)
		})
	}
}
