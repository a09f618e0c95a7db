package signature

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // HMAC-SHA1 is offered for providers that still sign with it.
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/ufhook/ufhook/bearer"
)

// DefaultTolerance is the largest gap Verify accepts, in either direction,
// between a delivery's timestamp and the verifier's clock when it is given
// no tolerance (Standard Webhooks recommends five minutes).
const DefaultTolerance = 5 * time.Minute

// Errors returned by Sign and Verify. Match them with errors.Is.
var (
	// ErrMissingHeader means a header the scheme needs is absent or empty.
	ErrMissingHeader = errors.New("missing signature header")
	// ErrBadSignature means no signature in the header matches the body
	// under any of the secrets (or the header holds no signature of the
	// scheme's version at all).
	ErrBadSignature = errors.New("signature does not match")
	// ErrBadTimestamp means the timestamp is not a Unix time in seconds.
	ErrBadTimestamp = errors.New("invalid signature timestamp")
	// ErrTimestampTooOld means the timestamp is older than the tolerance.
	ErrTimestampTooOld = errors.New("signature timestamp too old")
	// ErrTimestampInFuture means the timestamp is further ahead than the tolerance.
	ErrTimestampInFuture = errors.New("signature timestamp too far in the future")
	// ErrBadSecret means a secret is empty or, for Standard Webhooks, not
	// `whsec_` followed by base64.
	ErrBadSecret = errors.New("invalid signing secret")
	// ErrMissingID means Sign was given no message id for a scheme that signs one.
	ErrMissingID = errors.New("missing message id")
)

// Sign returns the headers that sign body under scheme with secret: the
// signature header, and the id and timestamp headers when the scheme has
// them. id is the message id (kept the same across the retries of one
// delivery); ts is the time of this attempt. The Standard Webhooks scheme is
// signed by the reference library.
func Sign(scheme Scheme, secret, id string, ts time.Time, body []byte) (http.Header, error) {
	k, err := newKeyed(scheme, secret)
	if err != nil {
		return nil, err
	}
	return k.sign(id, ts, body)
}

// keyed is a validated scheme with its secret's key, and for Standard
// Webhooks the reference library's signer, made once.
type keyed struct {
	scheme Scheme
	secret string
	key    []byte
	wh     *standardwebhooks.Webhook // nil unless the scheme is Standard Webhooks
}

// newKeyed validates scheme and derives the key of secret.
func newKeyed(scheme Scheme, secret string) (*keyed, error) {
	if err := scheme.Validate(); err != nil {
		return nil, err
	}
	key, err := scheme.key(secret)
	if err != nil {
		return nil, err
	}
	k := &keyed{scheme: scheme, secret: secret, key: key}
	if scheme.isStandard() {
		if k.wh, err = standardwebhooks.NewWebhookRaw(key); err != nil {
			return nil, fmt.Errorf("%w %s: %v", ErrBadSecret, bearer.Mask(secret), err)
		}
	}
	return k, nil
}

// sign returns the headers that sign body as message id at ts.
func (k *keyed) sign(id string, ts time.Time, body []byte) (http.Header, error) {
	scheme := k.scheme
	if scheme.Signed == SignIDTimestampBody && id == "" {
		return nil, fmt.Errorf("%w: scheme %q signs the message id: give one, such as msg_<random>", ErrMissingID, scheme.Name)
	}
	h := http.Header{}
	unix := strconv.FormatInt(ts.Unix(), 10)
	if scheme.IDHeader != "" {
		h.Set(scheme.IDHeader, id)
	}
	if scheme.TimestampHeader != "" {
		h.Set(scheme.TimestampHeader, unix)
	}
	var sig string
	if k.wh != nil {
		var err error
		if sig, err = k.wh.Sign(id, ts, body); err != nil {
			return nil, fmt.Errorf("sign with Standard Webhooks: %w", err)
		}
	} else {
		sig = scheme.Prefix + scheme.encode(scheme.mac(k.key, id, unix, body))
	}
	if !scheme.Parts.IsZero() {
		sig = scheme.Parts.Join(unix, scheme.Parts.SignatureKey, []string{sig})
	}
	h.Set(scheme.Header, sig)
	return h, nil
}

// key returns the HMAC key of secret: for Standard Webhooks the bytes of the
// base64 after `whsec_`, for the other schemes the bytes of secret.
func (s Scheme) key(secret string) ([]byte, error) {
	if secret == "" {
		return nil, fmt.Errorf("%w: the secret is empty: give the provider's signing secret", ErrBadSecret)
	}
	if !s.isStandard() {
		return []byte(secret), nil
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("%w %s: a Standard Webhooks secret is whsec_ followed by base64; copy it whole from the provider",
			ErrBadSecret, bearer.Mask(secret))
	}
	return key, nil
}

func (s Scheme) newHash() func() hash.Hash {
	switch s.Hash {
	case SHA512:
		return sha512.New
	case SHA1:
		return sha1.New
	default:
		return sha256.New
	}
}

// mac returns the HMAC of what s signs.
func (s Scheme) mac(key []byte, id, unix string, body []byte) []byte {
	m := hmac.New(s.newHash(), key)
	switch s.Signed {
	case SignIDTimestampBody:
		m.Write([]byte(id + s.Separator + unix + s.Separator))
	case SignTimestampBody:
		m.Write([]byte(unix + s.Separator))
	}
	m.Write(body)
	return m.Sum(nil)
}

func (s Scheme) encode(sum []byte) string {
	if s.Encoding == Base64 {
		return base64.StdEncoding.EncodeToString(sum)
	}
	return hex.EncodeToString(sum)
}

func (s Scheme) decode(text string) ([]byte, error) {
	if s.Encoding == Base64 {
		return base64.StdEncoding.DecodeString(text)
	}
	return hex.DecodeString(text)
}

// Verify checks that header signs body under scheme with one of secrets
// (several allow key rotation). It compares in constant time, against the raw
// body exactly as received; with a timestamp, it refuses one further than
// tolerance from now in either direction (DefaultTolerance when tolerance is
// zero or negative). Any valid signature among several passes; signatures
// without the scheme's prefix (another version, such as `v2,...`) are
// ignored. The Standard Webhooks scheme is verified by the reference library.
func Verify(scheme Scheme, secrets []string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if err := scheme.Validate(); err != nil {
		return err
	}
	if len(secrets) == 0 {
		return fmt.Errorf("%w: no secret to verify with: give the provider's signing secret", ErrBadSecret)
	}
	keys := make([][]byte, 0, len(secrets))
	for _, sec := range secrets {
		k, err := scheme.key(sec)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	raw := header.Get(scheme.Header)
	if raw == "" {
		return fmt.Errorf("%w: no %s header: the sender must sign with scheme %q", ErrMissingHeader, scheme.Header, scheme.Name)
	}
	id := ""
	if scheme.IDHeader != "" {
		if id = header.Get(scheme.IDHeader); id == "" {
			return fmt.Errorf("%w: no %s header: the sender must send the message id with scheme %q", ErrMissingHeader, scheme.IDHeader, scheme.Name)
		}
	}
	var unix string
	var sigs []string
	if !scheme.Parts.IsZero() {
		var values []string
		unix, values = scheme.Parts.Split(raw)
		for _, v := range values {
			sigs = append(sigs, scheme.Prefix+v)
		}
		if unix == "" {
			return fmt.Errorf("%w: %s has no %s= part: the sender must send the timestamp there", ErrMissingHeader, scheme.Header, scheme.Parts.TimestampKey)
		}
	} else {
		for _, v := range header.Values(scheme.Header) {
			sigs = append(sigs, strings.Fields(v)...)
		}
		if scheme.TimestampHeader != "" {
			if unix = header.Get(scheme.TimestampHeader); unix == "" {
				return fmt.Errorf("%w: no %s header: the sender must send the timestamp with scheme %q", ErrMissingHeader, scheme.TimestampHeader, scheme.Name)
			}
		}
	}
	if unix != "" {
		if err := checkTime(unix, now, tolerance); err != nil {
			return err
		}
	}
	known := 0
	for _, s := range sigs {
		if strings.HasPrefix(s, scheme.Prefix) {
			known++
		}
	}
	if known == 0 {
		return fmt.Errorf("%w: %s holds no signature starting with %q (unknown versions are ignored): sign with scheme %q",
			ErrBadSignature, scheme.Header, scheme.Prefix, scheme.Name)
	}
	if scheme.isStandard() {
		return verifyStandard(keys, header, body)
	}
	for _, key := range keys {
		want := scheme.mac(key, id, unix, body)
		for _, s := range sigs {
			text, ok := strings.CutPrefix(s, scheme.Prefix)
			if !ok {
				continue
			}
			got, err := scheme.decode(text)
			if err != nil {
				continue
			}
			if hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: none of the %d signature(s) in %s matches the body under the %d secret(s): check the secret and that the body is verified as received",
		ErrBadSignature, known, scheme.Header, len(keys))
}

// verifyStandard checks the signatures with the Standard Webhooks reference
// library; the timestamp was checked against the caller's clock before.
func verifyStandard(keys [][]byte, header http.Header, body []byte) error {
	var last error
	for _, key := range keys {
		wh, err := standardwebhooks.NewWebhookRaw(key)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadSecret, err)
		}
		last = wh.VerifyIgnoringTimestamp(body, header)
		if last == nil {
			return nil
		}
	}
	switch {
	case errors.Is(last, standardwebhooks.ErrRequiredHeaders):
		return fmt.Errorf("%w: %v", ErrMissingHeader, last)
	case errors.Is(last, standardwebhooks.ErrInvalidHeaders):
		return fmt.Errorf("%w: %v", ErrBadTimestamp, last)
	}
	return fmt.Errorf("%w: no v1 signature in webhook-signature matches the body under the %d secret(s): check the secret and that the body is verified as received",
		ErrBadSignature, len(keys))
}

func checkTime(unix string, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return fmt.Errorf("%w %q: it must be a Unix time in seconds", ErrBadTimestamp, unix)
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance {
		return fmt.Errorf("%w: %s old, more than %s: sign each attempt with a fresh timestamp, or check the clocks",
			ErrTimestampTooOld, d.Round(time.Second), tolerance)
	}
	if d := ts.Sub(now); d > tolerance {
		return fmt.Errorf("%w: %s ahead, more than %s: check the sender's clock", ErrTimestampInFuture, d.Round(time.Second), tolerance)
	}
	return nil
}
