package contract

// The auth cases send a valid payload with a missing, wrong or near-miss
// token, or the right token in the wrong scheme: each must be refused.

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

func authCases(evs []openapi.Event) []Case {
	event := evs[0]
	return []Case{
		authCase(event, "auth/missing-token", "no Authorization header", "no token",
			func(string) (string, string) { return "", "" }),
		authCase(event, "auth/wrong-token", "Authorization: Bearer <a different token of the same length>", "a wrong token",
			func(tok string) (string, string) { return "Bearer " + rotate(tok), "" }),
		authCase(event, "auth/last-char-changed", "Authorization: Bearer <the token with its last character changed>", "a token that differs in its last character",
			func(tok string) (string, string) {
				head, last := lastRune(tok)
				return "Bearer " + head + rotate(last), ""
			}),
		authCase(event, "auth/extra-chars", "Authorization: Bearer <the token followed by extra characters>", "the token plus extra characters",
			func(tok string) (string, string) { return "Bearer " + tok + "00", "" }),
		authCase(event, "auth/token-prefix", "Authorization: Bearer <the token without its last character>", "a prefix of the token",
			func(tok string) (string, string) { head, _ := lastRune(tok); return "Bearer " + head, "" }),
		authCase(event, "auth/case-changed", "Authorization: Bearer <the token with the case of its letters swapped>", "the token in another letter case",
			func(tok string) (string, string) {
				if swapCase(tok) == tok {
					return "", "the token has no letters whose case could change"
				}
				return "Bearer " + swapCase(tok), ""
			}),
		authCase(event, "auth/basic-scheme", "Authorization: Basic <token>", "the right token with the Basic scheme",
			func(tok string) (string, string) { return "Basic " + tok, "" }),
		authCase(event, "auth/no-scheme", "Authorization: <token>, without a scheme", "the right token without the Bearer scheme",
			func(tok string) (string, string) { return tok, "" }),
		authCase(event, "auth/empty-bearer", "Authorization: Bearer, with no token", "an empty bearer token",
			func(string) (string, string) { return "Bearer ", "" }),
	}
}

// authCase is a case that sends a valid full payload of event with the
// Authorization header that header makes from the right token (or, when
// header gives a skip reason, skips), and wants 401 or 403. sends says what
// the header is, and what says what it carries.
func authCase(event openapi.Event, id, sends, what string, header func(tok string) (h, skip string)) Case {
	return Case{
		ID:          id,
		Sends:       "a valid " + event.Name + " payload with " + sends,
		Requirement: "A webhook with " + what + " is rejected with 401 or 403: only the exact webhook token in a Bearer header may be accepted.",
		Event:       event,
		payload:     shaped(fake.Full),
		check: func(ctx context.Context, s *Suite, c Case) Result {
			h, skip := header(s.cfg.Token)
			if skip != "" {
				return skipped(skip)
			}
			body, err := s.payload(c)
			if err != nil {
				return suiteBug("401 or 403", err)
			}
			x := s.send(ctx, request{event: c.Event, auth: h, body: body})
			return judge(x, "401 or 403", isRejected, func(x exchange) string {
				if is2xx(x) {
					return "the receiver accepted " + what + ": compare the whole Bearer token with the configured one, in constant time (crypto/subtle), and answer 401 on any mismatch"
				}
				if x.status/100 == 4 {
					return "reject a bad token with 401 (or 403), so that the sender can tell an auth failure from a bad payload"
				}
				return ""
			})
		},
	}
}

// rotate changes every letter and digit of s to another of its kind, and
// anything else to 'x' (or 'y' for an 'x').
func rotate(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return '0' + (r-'0'+5)%10
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+13)%26
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+13)%26
		case r == 'x':
			return 'y'
		}
		return 'x'
	}, s)
}

// swapCase turns upper-case letters to lower case and back.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, s)
}

// lastRune splits s before its last character.
func lastRune(s string) (string, string) {
	_, n := utf8.DecodeLastRuneInString(s)
	return s[:len(s)-n], s[len(s)-n:]
}
