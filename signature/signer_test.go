package signature_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/signature"
)

func TestSignerAndVerifierRoundTrip(t *testing.T) {
	for _, name := range signature.Presets() {
		t.Run(name, func(t *testing.T) {
			scheme, err := signature.Lookup(name)
			require.NoError(t, err)
			secret := "a-shared-secret-of-some-length"
			if name == signature.StandardWebhooks {
				secret = vecSecret
			}
			s, err := signature.NewSigner(scheme, secret)
			require.NoError(t, err)
			assert.Equal(t, scheme, s.Scheme())
			assert.NotContains(t, s.Secret(), secret[4:len(secret)-3], "the secret is shown masked")
			id := signature.NewMessageID()
			now := time.Unix(1_800_000_000, 0)
			body := []byte(`{"a": 1}`)
			h, err := s.Sign(id, now, body)
			require.NoError(t, err)
			v := &signature.Verifier{Scheme: scheme, Secrets: []string{"another-secret-of-some-len", secret}, Now: func() time.Time { return now.Add(time.Minute) }}
			if name == signature.StandardWebhooks {
				v.Secrets[0] = "whsec_" + strings.Repeat("QUJD", 8)
			}
			require.NoError(t, v.Check())
			require.NoError(t, v.Verify(h, body))
			assert.ErrorIs(t, v.Verify(h, []byte(`{"a": 2}`)), signature.ErrBadSignature)
		})
	}
}

func TestNewMessageIDIsFresh(t *testing.T) {
	a, b := signature.NewMessageID(), signature.NewMessageID()
	assert.NotEqual(t, a, b)
	assert.Regexp(t, `^msg_[A-Z2-7]{26}$`, a)
}

func TestSignerAndVerifierRefuseBadInput(t *testing.T) {
	std, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	tests := []struct {
		name string
		err  error
		run  func() error
	}{
		{"signer empty secret", signature.ErrBadSecret, func() error { _, err := signature.NewSigner(std, ""); return err }},
		{"signer secret not base64", signature.ErrBadSecret, func() error { _, err := signature.NewSigner(std, "whsec_%%%notbase64%%%"); return err }},
		{"signer bad scheme", signature.ErrBadScheme, func() error { _, err := signature.NewSigner(signature.Scheme{Name: "x"}, "s"); return err }},
		{"verifier no secret", signature.ErrBadSecret, func() error { return (&signature.Verifier{Scheme: std}).Check() }},
		{"verifier bad secret", signature.ErrBadSecret, func() error {
			return (&signature.Verifier{Scheme: std, Secrets: []string{"whsec_!!"}}).Check()
		}},
		{"verifier negative tolerance", signature.ErrBadScheme, func() error {
			return (&signature.Verifier{Scheme: std, Secrets: []string{vecSecret}, Tolerance: -time.Second}).Check()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			require.ErrorIs(t, err, tt.err)
			assert.NotContains(t, err.Error(), "notbase64", "the secret is never printed whole")
		})
	}
}

func TestSchemeString(t *testing.T) {
	tests := []struct{ name, want string }{
		{signature.StandardWebhooks, "standard-webhooks: webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>"},
		{signature.HMACSHA256, "hmac-sha256: X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of body>"},
		{signature.Timestamped, "timestamped: Signature: t=<ts>,v1=<hex HMAC-SHA256 of timestamp.body>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := signature.Lookup(tt.name)
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.String())
		})
	}
}

func TestVerifierChecked(t *testing.T) {
	var none *signature.Verifier
	c, err := none.Checked()
	require.NoError(t, err)
	assert.Nil(t, c)

	std, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	v := &signature.Verifier{Scheme: std, Secrets: []string{vecSecret}}
	c, err = v.Checked()
	require.NoError(t, err)
	v.Secrets[0] = "changed-by-the-caller"
	assert.Equal(t, []string{vecSecret}, c.Secrets, "the copy keeps its own secrets")

	_, err = (&signature.Verifier{Scheme: std, Secrets: []string{"whsec_!!"}}).Checked()
	assert.ErrorIs(t, err, signature.ErrBadSecret)
}

func TestPartsSplitAndJoin(t *testing.T) {
	tests := []struct {
		name, value, ts string
		sigs            []string
		parts           signature.Parts
	}{
		{"stripe-like", "t=1700000000,v1=aa,v0=zz,v1=bb", "1700000000", []string{"aa", "bb"}, signature.Parts{TimestampKey: "t", SignatureKey: "v1", Separator: ","}},
		{"semicolons", "ts=17;h1=cc", "17", []string{"cc"}, signature.Parts{TimestampKey: "ts", SignatureKey: "h1", Separator: ";"}},
		{"no timestamp", "v1=dd", "", []string{"dd"}, signature.Parts{TimestampKey: "t", SignatureKey: "v1", Separator: ","}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, sigs := tt.parts.Split(tt.value)
			assert.Equal(t, tt.ts, ts)
			assert.Equal(t, tt.sigs, sigs)
			again, sigs2 := tt.parts.Split(tt.parts.Join(ts, tt.parts.SignatureKey, sigs))
			assert.Equal(t, ts, again, "Join is Split's inverse")
			assert.Equal(t, sigs, sigs2)
		})
	}
	p := signature.Parts{TimestampKey: "t", SignatureKey: "v1", Separator: ","}
	assert.Equal(t, "t=5,v0=x,v0=y", p.Join("5", "v0", []string{"x", "y"}))
}
