package signature

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/ufhook/ufhook/bearer"
)

// Signer signs deliveries with one scheme and one secret; the emitter and
// the conformance suite hold one. Build it with NewSigner, which checks the
// secret once.
type Signer struct {
	k *keyed
}

// NewSigner checks scheme and secret (a Standard Webhooks secret must be
// `whsec_` followed by base64) and returns a Signer. It fails with
// ErrBadScheme or ErrBadSecret; the error shows the secret masked.
func NewSigner(scheme Scheme, secret string) (*Signer, error) {
	k, err := newKeyed(scheme, secret)
	if err != nil {
		return nil, err
	}
	return &Signer{k: k}, nil
}

// Scheme returns the signer's scheme.
func (s *Signer) Scheme() Scheme { return s.k.scheme }

// Secret returns the signer's secret masked (bearer.Mask), for messages:
// the whole secret is never printed.
func (s *Signer) Secret() string { return bearer.Mask(s.k.secret) }

// Sign returns the headers that sign body as message id at ts (see Sign),
// with the key derived once by NewSigner. Give each delivery its own id
// (NewMessageID) and keep it across that delivery's retries; give each
// attempt a fresh ts.
func (s *Signer) Sign(id string, ts time.Time, body []byte) (http.Header, error) {
	return s.k.sign(id, ts, body)
}

// NewMessageID returns a fresh random message id, `msg_` followed by 26
// base32 characters (130 random bits), as Standard Webhooks senders use.
func NewMessageID() string { return "msg_" + rand.Text() }

// Verifier checks the signatures of incoming deliveries: the receiver
// library and ufhook receive hold one. The zero Tolerance means
// DefaultTolerance; a nil Now means time.Now.
type Verifier struct {
	// Scheme is how the deliveries are signed.
	Scheme Scheme
	// Secrets are the secrets a signature may be made with: one, or
	// several while a key is rotated.
	Secrets []string
	// Tolerance is the largest gap accepted between a delivery's timestamp
	// and Now, in either direction; zero means DefaultTolerance.
	Tolerance time.Duration
	// Now is the verifier's clock; nil means time.Now.
	Now func() time.Time
}

// Check reports, wrapping ErrBadScheme or ErrBadSecret, what is wrong with
// v before any delivery comes: receivers call it when they are built.
func (v *Verifier) Check() error {
	if err := v.Scheme.Validate(); err != nil {
		return err
	}
	if len(v.Secrets) == 0 {
		return fmt.Errorf("%w: no secret to verify %q signatures with: give the provider's signing secret", ErrBadSecret, v.Scheme.Name)
	}
	for _, sec := range v.Secrets {
		if _, err := v.Scheme.key(sec); err != nil {
			return err
		}
	}
	if v.Tolerance < 0 {
		return fmt.Errorf("%w: tolerance %s is negative: use a positive duration such as 5m", ErrBadScheme, v.Tolerance)
	}
	return nil
}

// Checked returns a copy of v, its Secrets copied too, once Check passes,
// so that a receiver built with it is not changed by its caller's later
// edits of v; nil for a nil v.
func (v *Verifier) Checked() (*Verifier, error) {
	if v == nil {
		return nil, nil
	}
	c := *v
	c.Secrets = slices.Clone(v.Secrets)
	if err := c.Check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Verify checks that header signs body, the raw bytes as received (see the
// function Verify).
func (v *Verifier) Verify(header http.Header, body []byte) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	return Verify(v.Scheme, v.Secrets, header, body, now(), v.Tolerance)
}
