package mock

import (
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

const stdSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// signedAttempt is what a verifying receiver saw of one attempt.
type signedAttempt struct {
	header http.Header
	err    error
}

// verifyingServer verifies every request with v and answers the statuses
// in turn (200 when they run out), a Retry-After of retryAfter on the first.
func verifyingServer(t *testing.T, verify func(http.Header, []byte) error, retryAfter string, answers ...int) (*httptest.Server, func() []signedAttempt) {
	t.Helper()
	var mu sync.Mutex
	var seen []signedAttempt
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := verify(r.Header, body)
		mu.Lock()
		n := len(seen)
		seen = append(seen, signedAttempt{r.Header.Clone(), err})
		mu.Unlock()
		switch {
		case err != nil:
			w.WriteHeader(http.StatusUnauthorized)
		case n < len(answers):
			if n == 0 && retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(answers[n])
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []signedAttempt {
		mu.Lock()
		defer mu.Unlock()
		return append([]signedAttempt(nil), seen...)
	}
}

// TestEmitterSignsEveryAttempt: with each preset, every attempt of a
// delivery verifies, all carry the delivery's message id, and a receiver
// built on the reference library accepts the Standard Webhooks ones.
func TestEmitterSignsEveryAttempt(t *testing.T) {
	for _, name := range signature.Presets() {
		t.Run(name, func(t *testing.T) {
			scheme, err := signature.Lookup(name)
			require.NoError(t, err)
			secret := "a-provider-signing-secret"
			verify := (&signature.Verifier{Scheme: scheme, Secrets: []string{secret}}).Verify
			if name == signature.StandardWebhooks {
				secret = stdSecret
				wh, err := standardwebhooks.NewWebhook(secret)
				require.NoError(t, err)
				verify = func(h http.Header, body []byte) error { return wh.Verify(body, h) }
			}
			signer, err := signature.NewSigner(scheme, secret)
			require.NoError(t, err)
			srv, seen := verifyingServer(t, verify, "", 503, 503)
			e := newEmitter(t, Config{Target: srv.URL, RootCAs: poolOf(srv), Retry: fastRetry, Signer: signer})
			ev := openapi.MustLookup("user.created")
			body, err := fake.Payload(ev, fake.Options{})
			require.NoError(t, err)
			r := e.Send(context.Background(), ev, body)
			require.NoError(t, r.Err)
			attempts := seen()
			require.Len(t, attempts, 3, "two 503s, then the 200")
			for i, a := range attempts {
				require.NoError(t, a.err, "attempt %d verifies", i+1)
				if scheme.IDHeader != "" {
					assert.Equal(t, r.MessageID, a.header.Get(scheme.IDHeader), "attempt %d carries the delivery's id", i+1)
				}
			}
			assert.Regexp(t, `^msg_[A-Z2-7]{26}$`, r.MessageID)

			// A second delivery of the same body gets another id.
			r2 := e.Send(context.Background(), ev, body)
			require.NoError(t, r2.Err)
			assert.NotEqual(t, r.MessageID, r2.MessageID)
		})
	}
}

// TestEmitterSignsEachAttemptAtItsTime: a retry a second later carries a
// fresh timestamp, not the first attempt's, and the same id.
func TestEmitterSignsEachAttemptAtItsTime(t *testing.T) {
	scheme, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	signer, err := signature.NewSigner(scheme, stdSecret)
	require.NoError(t, err)
	v := &signature.Verifier{Scheme: scheme, Secrets: []string{stdSecret}}
	srv, seen := verifyingServer(t, v.Verify, "1", 429)
	e := newEmitter(t, Config{Target: srv.URL, RootCAs: poolOf(srv), Signer: signer,
		Retry: RetryPolicy{Retries: 1, Base: time.Millisecond, Max: 5 * time.Second}})
	ev := openapi.MustLookup("tenant.updated")
	body, err := fake.Payload(ev, fake.Options{})
	require.NoError(t, err)
	r := e.Send(context.Background(), ev, body)
	require.NoError(t, r.Err)
	attempts := seen()
	require.Len(t, attempts, 2)
	ts := func(a signedAttempt) int64 {
		n, err := strconv.ParseInt(a.header.Get("webhook-timestamp"), 10, 64)
		require.NoError(t, err)
		return n
	}
	assert.Greater(t, ts(attempts[1]), ts(attempts[0]), "the retry is signed at its own time")
	assert.Equal(t, attempts[0].header.Get("webhook-id"), attempts[1].header.Get("webhook-id"))
	assert.NotEqual(t, attempts[0].header.Get("webhook-signature"), attempts[1].header.Get("webhook-signature"))
}

// TestTrySignsWithAFreshID: each Try is a delivery of its own.
func TestTrySignsWithAFreshID(t *testing.T) {
	scheme, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	signer, err := signature.NewSigner(scheme, stdSecret)
	require.NoError(t, err)
	v := &signature.Verifier{Scheme: scheme, Secrets: []string{stdSecret}}
	srv, seen := verifyingServer(t, v.Verify, "")
	e := newEmitter(t, Config{Target: srv.URL, RootCAs: poolOf(srv), Signer: signer})
	ev := openapi.MustLookup("user.deleted")
	body, err := fake.Payload(ev, fake.Options{})
	require.NoError(t, err)
	require.True(t, e.Try(context.Background(), ev, body).OK())
	require.True(t, e.Try(context.Background(), ev, body).OK())
	attempts := seen()
	require.Len(t, attempts, 2)
	assert.NotEqual(t, attempts[0].header.Get("webhook-id"), attempts[1].header.Get("webhook-id"))
}

// TestUnsignedEmitterSendsNoSignature: without a Signer nothing changes.
func TestUnsignedEmitterSendsNoSignature(t *testing.T) {
	srv, seen := verifyingServer(t, func(http.Header, []byte) error { return nil }, "")
	e := newEmitter(t, Config{Target: srv.URL, RootCAs: poolOf(srv)})
	ev := openapi.MustLookup("user.created")
	body, err := fake.Payload(ev, fake.Options{})
	require.NoError(t, err)
	r := e.Send(context.Background(), ev, body)
	require.NoError(t, r.Err)
	assert.Empty(t, r.MessageID)
	for _, h := range []string{"webhook-id", "webhook-signature", "webhook-timestamp", "X-Hub-Signature-256", "Signature"} {
		assert.Empty(t, seen()[0].header.Get(h), h)
	}
}

// poolOf returns the roots that trust srv's certificate.
func poolOf(srv *httptest.Server) *x509.CertPool {
	return srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
}
