package signature_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/signature"
)

// The Standard Webhooks test vector, published with the reference libraries
// (github.com/standard-webhooks/standard-webhooks, libraries v0.0.1:
// go/webhook_test.go TestWebhookSign, the same in the Python, Java and C#
// tests).
const (
	vecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vecID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vecTS     = 1614265330
	vecBody   = `{"test": 2432232314}`
	vecSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	// vecOther is the reference tests' wrong v1 signature.
	vecOther = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
)

var vecTime = time.Unix(vecTS, 0)

func std(t *testing.T) signature.Scheme {
	t.Helper()
	s, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	return s
}

func vecHeader() http.Header {
	h := http.Header{}
	h.Set("webhook-id", vecID)
	h.Set("webhook-timestamp", strconv.Itoa(vecTS))
	h.Set("webhook-signature", vecSig)
	return h
}

func TestStandardWebhooksVectorSign(t *testing.T) {
	h, err := signature.Sign(std(t), vecSecret, vecID, vecTime, []byte(vecBody))
	require.NoError(t, err)
	assert.Equal(t, vecSig, h.Get("webhook-signature"))
	assert.Equal(t, vecID, h.Get("webhook-id"))
	assert.Equal(t, strconv.Itoa(vecTS), h.Get("webhook-timestamp"))
}

func TestStandardWebhooksVectorVerify(t *testing.T) {
	require.NoError(t, signature.Verify(std(t), []string{vecSecret}, vecHeader(), []byte(vecBody), vecTime, 0))
	// The secret without its whsec_ prefix is accepted too, as by the reference library.
	require.NoError(t, signature.Verify(std(t), []string{strings.TrimPrefix(vecSecret, "whsec_")}, vecHeader(), []byte(vecBody), vecTime, 0))
}

func TestStandardWebhooksAgainstReferenceLibrary(t *testing.T) {
	body := []byte(`{"type":"user.created","data":{"id":42}}`)
	now := time.Now()
	wh, err := standardwebhooks.NewWebhook(vecSecret)
	require.NoError(t, err)

	t.Run("ours verified by the library", func(t *testing.T) {
		h, err := signature.Sign(std(t), vecSecret, "msg_ours", now, body)
		require.NoError(t, err)
		require.NoError(t, wh.Verify(body, h))
		require.Error(t, wh.Verify(append([]byte{' '}, body...), h), "the library must refuse another body")
	})
	t.Run("library's verified by ours", func(t *testing.T) {
		sig, err := wh.Sign("msg_theirs", now, body)
		require.NoError(t, err)
		h := http.Header{}
		h.Set("webhook-id", "msg_theirs")
		h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
		h.Set("webhook-signature", sig)
		require.NoError(t, signature.Verify(std(t), []string{vecSecret}, h, body, now, 0))
		require.ErrorIs(t, signature.Verify(std(t), []string{"whsec_" + vecOther}, h, body, now, 0), signature.ErrBadSignature)
	})
}

func TestVerifyFailures(t *testing.T) {
	body := []byte(vecBody)
	otherSecret := "whsec_" + vecOther
	tests := []struct {
		name    string
		secrets []string
		edit    func(h http.Header)
		body    []byte
		now     time.Time
		want    error // nil: accepted
	}{
		{name: "valid", want: nil},
		{name: "missing signature header", edit: func(h http.Header) { h.Del("webhook-signature") }, want: signature.ErrMissingHeader},
		{name: "missing id header", edit: func(h http.Header) { h.Del("webhook-id") }, want: signature.ErrMissingHeader},
		{name: "missing timestamp header", edit: func(h http.Header) { h.Del("webhook-timestamp") }, want: signature.ErrMissingHeader},
		{name: "another secret", secrets: []string{otherSecret}, want: signature.ErrBadSignature},
		{name: "one of two secrets (rotation)", secrets: []string{otherSecret, vecSecret}, want: nil},
		{name: "one body byte changed", body: []byte(strings.Replace(vecBody, "2", "3", 1)), want: signature.ErrBadSignature},
		{name: "re-serialised body", body: []byte(`{"test":2432232314}`), want: signature.ErrBadSignature},
		{name: "too old", now: vecTime.Add(signature.DefaultTolerance + time.Minute), want: signature.ErrTimestampTooOld},
		{name: "too far in the future", now: vecTime.Add(-signature.DefaultTolerance - time.Minute), want: signature.ErrTimestampInFuture},
		{name: "edge of the window, old side", now: vecTime.Add(signature.DefaultTolerance), want: nil},
		{name: "edge of the window, future side", now: vecTime.Add(-signature.DefaultTolerance), want: nil},
		{name: "timestamp not a number", edit: func(h http.Header) { h.Set("webhook-timestamp", "yesterday") }, want: signature.ErrBadTimestamp},
		{name: "another message id", edit: func(h http.Header) { h.Set("webhook-id", "msg_other") }, want: signature.ErrBadSignature},
		{
			name: "several signatures, one valid",
			edit: func(h http.Header) {
				h.Set("webhook-signature", "v1,"+vecOther+" v2,"+vecOther+" "+vecSig+" v1,"+vecOther)
			},
			want: nil,
		},
		{name: "only v2", edit: func(h http.Header) { h.Set("webhook-signature", "v2,"+strings.TrimPrefix(vecSig, "v1,")) }, want: signature.ErrBadSignature},
		{name: "prefix of the signature", edit: func(h http.Header) { h.Set("webhook-signature", vecSig[:20]) }, want: signature.ErrBadSignature},
		{name: "empty v1 signature", edit: func(h http.Header) { h.Set("webhook-signature", "v1,") }, want: signature.ErrBadSignature},
		{name: "bad secret", secrets: []string{"whsec_not base64!"}, want: signature.ErrBadSecret},
		{name: "no secret", secrets: []string{}, want: signature.ErrBadSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := vecHeader()
			if tc.edit != nil {
				tc.edit(h)
			}
			secrets := tc.secrets
			if secrets == nil {
				secrets = []string{vecSecret}
			}
			b := body
			if tc.body != nil {
				b = tc.body
			}
			now := vecTime
			if !tc.now.IsZero() {
				now = tc.now
			}
			err := signature.Verify(std(t), secrets, h, b, now, 0)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			for _, s := range secrets {
				assert.NotContains(t, err.Error(), s, "a secret must never appear whole")
			}
		})
	}
}

func TestToleranceIsConfigurable(t *testing.T) {
	now := vecTime.Add(2 * time.Minute)
	require.ErrorIs(t, signature.Verify(std(t), []string{vecSecret}, vecHeader(), []byte(vecBody), now, time.Minute), signature.ErrTimestampTooOld)
	require.NoError(t, signature.Verify(std(t), []string{vecSecret}, vecHeader(), []byte(vecBody), now, 3*time.Minute))
}

func TestPresetsEndToEnd(t *testing.T) {
	body := []byte(`{"event":"user.created","id":7}`)
	now := time.Now()
	tests := []struct {
		preset, secret string
		header         string
		shape          string // a substring the signature header must hold
	}{
		{signature.StandardWebhooks, vecSecret, "webhook-signature", "v1,"},
		{signature.HMACSHA256, "It's a Secret to Everybody", "X-Hub-Signature-256", "sha256="},
		{signature.Timestamped, "whsec_payment_secret_123", "Signature", "t=" + strconv.FormatInt(now.Unix(), 10) + ",v1="},
	}
	for _, tc := range tests {
		t.Run(tc.preset, func(t *testing.T) {
			s, err := signature.Lookup(tc.preset)
			require.NoError(t, err)
			h, err := signature.Sign(s, tc.secret, "msg_1", now, body)
			require.NoError(t, err)
			assert.Contains(t, h.Get(tc.header), tc.shape)
			require.NoError(t, signature.Verify(s, []string{tc.secret}, h, body, now, 0))
			require.ErrorIs(t, signature.Verify(s, []string{tc.secret}, h, append(body, '\n'), now, 0), signature.ErrBadSignature)
			require.ErrorIs(t, signature.Verify(s, []string{tc.secret}, http.Header{}, body, now, 0), signature.ErrMissingHeader)
		})
	}
}

// Known values computed with openssl, for example
// printf %s 'Hello, World!' | openssl dgst -sha256 -hmac "It's a Secret to Everybody"
// (the Hello, World! value is also the example of GitHub's webhook documentation).
func TestKnownHMACValues(t *testing.T) {
	tests := []struct {
		name, spec, secret, body string
		ts                       int64
		header, want             string
	}{
		{
			name: "hmac-sha256", spec: "hmac-sha256", secret: "It's a Secret to Everybody", body: "Hello, World!",
			header: "X-Hub-Signature-256", want: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
		},
		{
			name: "hmac-sha256, header renamed", spec: "hmac-sha256 header=X-Gitea-Signature prefix=", secret: "It's a Secret to Everybody",
			body: `{"event":"push"}`, header: "X-Gitea-Signature", want: "7b0f67ac09a92815170c8a54993f583aa6a9882d949a6ed660db80e8379980e0",
		},
		{
			name: "timestamped", spec: "timestamped", secret: "whsec_payment_secret_123", body: `{"id":"evt_1"}`, ts: 1700000000,
			header: "Signature", want: "t=1700000000,v1=4e8155f0259edf5b2ff83d8238d32a891d9645a6cdb40350e1b0dcdf0224790c",
		},
		{
			name: "timestamped, ts;h1 parts", spec: "timestamped header=X-Signature parts=ts={ts};h1={sig}", secret: "whsec_payment_secret_123",
			body: `{"id":"evt_1"}`, ts: 1700000000,
			header: "X-Signature", want: "ts=1700000000;h1=4e8155f0259edf5b2ff83d8238d32a891d9645a6cdb40350e1b0dcdf0224790c",
		},
		{
			name: "custom sha512 base64", spec: "custom header=X-Sig hash=sha512 encoding=base64", secret: "custom-secret-42", body: `{"a":1}`,
			header: "X-Sig", want: "RLpIaUa3LrtXyW1vsf6LNAJ48vB7ZpjLqQ9fNaL/bdafqaPnEft/KjNAL6zn09cght1v0eWYT+HWddQ6718bCw==",
		},
		{
			name: "custom sha1 hex", spec: "custom header=X-Hub-Signature prefix=sha1= hash=sha1", secret: "custom-secret-42", body: `{"a":1}`,
			header: "X-Hub-Signature", want: "sha1=daf9c78e803adebf4136b4b0380c138eee0eb199",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := signature.Parse(tc.spec)
			require.NoError(t, err)
			ts := time.Unix(tc.ts, 0)
			h, err := signature.Sign(s, tc.secret, "", ts, []byte(tc.body))
			require.NoError(t, err)
			assert.Equal(t, tc.want, h.Get(tc.header))

			given := http.Header{}
			given.Set(tc.header, tc.want)
			require.NoError(t, signature.Verify(s, []string{tc.secret}, given, []byte(tc.body), ts, 0))
			require.ErrorIs(t, signature.Verify(s, []string{"another-secret-entirely"}, given, []byte(tc.body), ts, 0), signature.ErrBadSignature)
		})
	}
}

func TestOneHeaderFailures(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	body := []byte(`{"id":"evt_1"}`)
	const good = "4e8155f0259edf5b2ff83d8238d32a891d9645a6cdb40350e1b0dcdf0224790c"
	tsp, err := signature.Lookup(signature.Timestamped)
	require.NoError(t, err)
	hub, err := signature.Lookup(signature.HMACSHA256)
	require.NoError(t, err)
	tests := []struct {
		name   string
		scheme signature.Scheme
		header string
		now    time.Time
		want   error
	}{
		{"several v1, one valid", tsp, "t=1700000000,v1=" + strings.Repeat("0", 64) + ",v1=" + good, ts, nil},
		{"v0 ignored beside a valid v1", tsp, "t=1700000000,v0=abc,v1=" + good, ts, nil},
		{"only v0", tsp, "t=1700000000,v0=" + good, ts, signature.ErrBadSignature},
		{"prefix of the signature", tsp, "t=1700000000,v1=" + good[:32], ts, signature.ErrBadSignature},
		{"no timestamp part", tsp, "v1=" + good, ts, signature.ErrMissingHeader},
		{"too old", tsp, "t=1700000000,v1=" + good, ts.Add(time.Hour), signature.ErrTimestampTooOld},
		{"in the future", tsp, "t=1700000000,v1=" + good, ts.Add(-time.Hour), signature.ErrTimestampInFuture},
		{"other timestamp, same signature", tsp, "t=1700000001,v1=" + good, ts, signature.ErrBadSignature},
		{"hub without prefix", hub, good, ts, signature.ErrBadSignature},
		{"hub not hex", hub, "sha256=zz", ts, signature.ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			h.Set(tc.scheme.Header, tc.header)
			err := signature.Verify(tc.scheme, []string{"whsec_payment_secret_123"}, h, body, tc.now, 0)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		spec  string
		want  error
		check func(t *testing.T, s signature.Scheme)
	}{
		{spec: "standard-webhooks", check: func(t *testing.T, s signature.Scheme) {
			assert.Equal(t, "webhook-signature", s.Header)
			assert.Equal(t, signature.SignIDTimestampBody, s.Signed)
		}},
		{spec: "  HMAC-SHA256  header=X-Sig ", check: func(t *testing.T, s signature.Scheme) {
			assert.Equal(t, "X-Sig", s.Header)
			assert.Equal(t, "sha256=", s.Prefix)
		}},
		{spec: "custom header=X-S signed=id.timestamp.body id-header=X-Id timestamp-header=X-Ts separator=: prefix=v1,", check: func(t *testing.T, s signature.Scheme) {
			assert.Equal(t, ":", s.Separator)
			assert.Equal(t, "v1,", s.Prefix)
			assert.Equal(t, "X-Id", s.IDHeader)
		}},
		{spec: "timestamped parts=ts={ts};h1={sig}", check: func(t *testing.T, s signature.Scheme) {
			assert.Equal(t, signature.Parts{TimestampKey: "ts", SignatureKey: "h1", Separator: ";"}, s.Parts)
			assert.Equal(t, "ts={ts};h1={sig}", s.Parts.String())
		}},
		{spec: "svix", want: signature.ErrUnknownScheme},
		{spec: "", want: signature.ErrBadScheme},
		{spec: "custom", want: signature.ErrBadScheme},
		{spec: "custom header=X hash=md5", want: signature.ErrBadScheme},
		{spec: "custom header=X encoding=base32", want: signature.ErrBadScheme},
		{spec: "custom header=X signed=timestamp.body", want: signature.ErrBadScheme},
		{spec: "custom header=X signed=id.timestamp.body timestamp-header=T", want: signature.ErrBadScheme},
		{spec: "custom header=X signed=everything", want: signature.ErrBadScheme},
		{spec: "hmac-sha256 colour=blue", want: signature.ErrBadScheme},
		{spec: "hmac-sha256 header", want: signature.ErrBadScheme},
		{spec: "timestamped parts=t<ts>v1", want: signature.ErrBadScheme},
		{spec: "timestamped signed=body", want: signature.ErrBadScheme},
		{spec: "timestamped timestamp-header=X-Ts", want: signature.ErrBadScheme},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := signature.Parse(tc.spec)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				assert.Contains(t, err.Error(), ":", "the message must say what to do")
				return
			}
			require.NoError(t, err)
			tc.check(t, s)
		})
	}
	assert.Equal(t, []string{"hmac-sha256", "standard-webhooks", "timestamped"}, signature.Presets())
}

func TestSignErrors(t *testing.T) {
	_, err := signature.Sign(std(t), vecSecret, "", vecTime, nil)
	require.ErrorIs(t, err, signature.ErrMissingID)
	const secret = "whsec_this is not base64 at all!!"
	_, err = signature.Sign(std(t), secret, vecID, vecTime, nil)
	require.ErrorIs(t, err, signature.ErrBadSecret)
	assert.NotContains(t, err.Error(), secret)
	assert.Contains(t, err.Error(), bearer.Mask(secret))
	_, err = signature.Sign(std(t), "", vecID, vecTime, nil)
	require.ErrorIs(t, err, signature.ErrBadSecret)
	_, err = signature.Sign(signature.Scheme{Name: "broken"}, "s", vecID, vecTime, nil)
	require.ErrorIs(t, err, signature.ErrBadScheme)
}

func TestCustomIDSchemeEndToEnd(t *testing.T) {
	s, err := signature.Parse("custom header=X-Sig id-header=X-Id timestamp-header=X-Ts signed=id.timestamp.body separator=: hash=sha512 encoding=base64 prefix=v1,")
	require.NoError(t, err)
	body := []byte(`{"n":1}`)
	h, err := signature.Sign(s, "a-custom-secret", "msg_9", vecTime, body)
	require.NoError(t, err)
	assert.Equal(t, "msg_9", h.Get("X-Id"))
	assert.Equal(t, strconv.Itoa(vecTS), h.Get("X-Ts"))
	require.NoError(t, signature.Verify(s, []string{"a-custom-secret"}, h, body, vecTime, 0))

	h.Set("X-Id", "msg_10")
	require.ErrorIs(t, signature.Verify(s, []string{"a-custom-secret"}, h, body, vecTime, 0), signature.ErrBadSignature)
	h.Del("X-Id")
	require.ErrorIs(t, signature.Verify(s, []string{"a-custom-secret"}, h, body, vecTime, 0), signature.ErrMissingHeader)
}
