// Package bearer handles the webhook token of the Authorization header: it
// parses `Bearer <token>` (RFC 6750, scheme case-insensitive per RFC 7235),
// compares tokens in constant time, and masks tokens for output so that a
// token is never printed whole.
package bearer

import (
	"crypto/subtle"
	"errors"
	"strings"
)

// Errors returned by Parse. Match them with errors.Is.
var (
	// ErrMissing means the request has no Authorization header.
	ErrMissing = errors.New("missing Authorization header")
	// ErrScheme means the Authorization header does not use the Bearer scheme.
	ErrScheme = errors.New("authorization scheme is not Bearer")
	// ErrEmpty means the Bearer scheme carries no token.
	ErrEmpty = errors.New("empty bearer token")
)

// Header returns the Authorization header value for token.
func Header(token string) string { return "Bearer " + token }

// Parse returns the token of an Authorization header value. The scheme is
// matched case-insensitively; exactly one space or more separates it from the
// token. It errors with ErrMissing, ErrScheme or ErrEmpty.
func Parse(header string) (string, error) {
	if header == "" {
		return "", ErrMissing
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", ErrScheme
	}
	token = strings.TrimLeft(token, " ")
	if !ok || token == "" {
		return "", ErrEmpty
	}
	return token, nil
}

// Equal reports whether got equals want, in time that does not depend on
// where they differ. An empty want never matches.
func Equal(got, want string) bool {
	if want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// Mask returns a form of token that is safe to print: its first four and last
// three characters around an ellipsis, or only an ellipsis for a token too
// short to show any of it.
func Mask(token string) string {
	if len(token) < 12 {
		return "…"
	}
	return token[:4] + "…" + token[len(token)-3:]
}
