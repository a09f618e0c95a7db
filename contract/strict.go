package contract

// The strict cases check SHOULD-level requirements, from the RFCs that
// webhooks rely on. They run only with Config.Strict (-strict).

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

func strictCases(evs []openapi.Event) []Case {
	event := evs[0]
	var cs []Case
	// The bearer cases run on the first bearer webhook, and not at all for
	// a document without one.
	if i := slices.IndexFunc(evs, func(ev openapi.Event) bool { return kind(ev.Auth) == string(openapi.AuthBearer) }); i >= 0 {
		cs = append(cs, bearerStrictCases(evs[i])...)
	}
	return append(cs, otherStrictCases(evs, event)...)
}

// bearerStrictCases are the SHOULD-level cases of the bearer scheme.
func bearerStrictCases(event openapi.Event) []Case {
	return []Case{
		{
			ID:          "strict/lowercase-bearer",
			Sends:       "a valid " + event.Name + " payload with Authorization: bearer <token>, the scheme in lower case",
			Requirement: "SHOULD: the auth scheme is case-insensitive (RFC 9110 §11.1), so a lower-case bearer with the right token gets a 2xx.",
			Strict:      true, Event: event, payload: shaped(fake.Full), delivers: true,
			check: delivery(func(s *Suite) cred { return authz("bearer " + s.cfg.Token) }, "a 2xx", is2xx,
				func(x exchange) string {
					if x.status == 401 || x.status == 403 {
						return "match the scheme case-insensitively (strings.EqualFold(scheme, \"Bearer\"))"
					}
					return ""
				}),
		},
		{
			ID:          "strict/www-authenticate",
			Sends:       "a valid " + event.Name + " payload with no Authorization header",
			Requirement: "SHOULD: a request without a token gets 401 with a WWW-Authenticate: Bearer header (RFC 6750 §3).",
			Strict:      true, Event: event, payload: shaped(fake.Full),
			check: delivery(func(*Suite) cred { return cred{} }, "401 with WWW-Authenticate: Bearer",
				func(x exchange) bool {
					return x.status == 401 && strings.HasPrefix(strings.ToLower(x.header.Get("WWW-Authenticate")), "bearer")
				},
				func(x exchange) string {
					if x.status == 401 || x.status == 403 {
						return "answer a missing token with 401 and the header WWW-Authenticate: Bearer"
					}
					return ""
				}),
		},
	}
}

// otherStrictCases are the SHOULD-level cases of every document, on event.
func otherStrictCases(evs []openapi.Event, event openapi.Event) []Case {
	cs := []Case{
		{
			ID:          "strict/method-not-allowed",
			Sends:       "a GET with the right token and no body",
			Requirement: "SHOULD: the webhook URL accepts POST only, and answers any other method with 405 (RFC 9110 §15.5.6).",
			Strict:      true, Event: event,
			check: func(ctx context.Context, s *Suite, c Case) Result {
				x := s.send(ctx, request{method: "GET", event: c.Event, auth: s.authHeader()})
				r := judge(x, "405", func(x exchange) bool { return x.status == 405 }, func(x exchange) string {
					if is2xx(x) {
						return "the receiver answered a GET as if it were a webhook: serve POST only, and 405 with Allow: POST otherwise"
					}
					return "answer methods other than POST with 405 and Allow: POST"
				})
				if allow := x.header.Get("Allow"); allow != "" {
					r.Got += ", Allow: " + allow
				}
				return r
			},
		},
		{
			ID:          "strict/fast",
			Sends:       "a valid " + event.Name + " payload with the right token, and times the answer",
			Requirement: fmt.Sprintf("SHOULD: the receiver answers in under %v, doing slow work after replying.", StrictLatency),
			Strict:      true, Event: event, payload: shaped(fake.Full), delivers: true,
			check: func(ctx context.Context, s *Suite, c Case) Result {
				body, err := s.payload(c)
				want := fmt.Sprintf("a response in under %v", strictLatency)
				if err != nil {
					return suiteBug(want, err)
				}
				x := s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: body})
				r := judge(x, want, func(x exchange) bool { return x.status != 0 && x.elapsed < strictLatency }, nil)
				if x.status != 0 {
					r.Got = fmt.Sprintf("%s after %v", x.got(), x.elapsed.Round(1e6))
					if r.Outcome == Fail {
						r.Reason = "reply 2xx first, then do slow work in the background"
					}
				}
				return r
			},
		},
	}
	if huge, ok := hugeEvent(evs); ok {
		cs = append(cs, Case{
			ID:          "strict/huge-body",
			Sends:       "a valid " + huge.Name + " payload whose free-form data holds about 900 KiB, the body just under 1 MiB, with the right token",
			Requirement: "SHOULD: a valid webhook of nearly 1 MiB gets a 2xx: Userfront documents no limit on custom data, so a receiver should take at least the 1 MiB that ufhook's receiver takes.",
			Strict:      true, Event: huge, payload: shaped(fake.Huge), delivers: true,
			check: delivery(rightToken, "a 2xx", is2xx, func(x exchange) string {
				if x.status == 413 || x.status/100 == 4 && x.status != 401 && x.status != 403 {
					return "the receiver refuses a body under 1 MiB: raise its body limit to at least 1 MiB (Userfront documents none)"
				}
				return ""
			}),
		})
	}
	return cs
}

// hugeEvent returns the first event whose schema has a free-form object
// that the Huge shape fills, if any.
func hugeEvent(evs []openapi.Event) (openapi.Event, bool) {
	for _, ev := range evs {
		if varies, err := fake.Varies(ev, fake.Huge); err == nil && varies {
			return ev, true
		}
	}
	return openapi.Event{}, false
}
