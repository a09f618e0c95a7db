package contract

// The auth cases send a valid payload with a missing, wrong or near-miss
// token, the right token in the wrong scheme, or (in runs of the document's
// default mode, Userfront's live) a token that does not fit the payload's mode: each must be refused, on a fresh
// connection and on one that has just carried an accepted webhook.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// negative is a request that the receiver must refuse: a valid payload with
// a bad Authorization header, or with a token that does not fit the
// payload's mode. Each is an auth case of its own, on a fresh connection,
// and auth/reused-connection sends it again on a connection that has just
// carried an accepted webhook.
type negative struct {
	id string
	// sends says what the request carries, after "a valid ... payload with".
	sends string
	// what names it in the requirement and the advice.
	what string
	// requirement, if set, replaces the requirement made from what.
	requirement string
	// mode is the payload's mode; "" means the run's.
	mode gen.Mode
	// runMode, when set, is the only mode of the runs that send the
	// negative (the document's default mode); runs in another mode skip
	// it, with modeOnly, after the run's mode, as the reason.
	runMode  gen.Mode
	modeOnly string
	// advice1, if set, replaces the advice on an accepted request.
	advice1 string
	// header makes the credentials (an Authorization header for bearer)
	// from the run's token, or says why the negative cannot be sent.
	header func(tok string) (c cred, skip string)
}

// negatives returns the auth cases' requests for the first event of the
// spec: the token missing, wrong, nearly right or in the wrong scheme, and,
// when the document declares modes with a token each (modeNegatives), the
// token that does not fit the payload's mode.
func negatives(event openapi.Event) []negative {
	bearerOf := func(f func(string) string) func(string) (cred, string) {
		return func(tok string) (cred, string) { return authz("Bearer " + f(tok)), "" }
	}
	ns := []negative{
		{id: "auth/missing-token", sends: "no Authorization header", what: "no token",
			header: func(string) (cred, string) { return cred{}, "" }},
		{id: "auth/wrong-token", sends: "Authorization: Bearer <a different token of the same length>", what: "a wrong token",
			header: bearerOf(rotate)},
		{id: "auth/last-char-changed", sends: "Authorization: Bearer <the token with its last character changed>", what: "a token that differs in its last character",
			header: bearerOf(func(tok string) string { head, last := lastRune(tok); return head + rotate(last) })},
		{id: "auth/extra-chars", sends: "Authorization: Bearer <the token followed by extra characters>", what: "the token plus extra characters",
			header: bearerOf(func(tok string) string { return tok + "00" })},
		{id: "auth/token-prefix", sends: "Authorization: Bearer <the token without its last character>", what: "a prefix of the token",
			header: bearerOf(func(tok string) string { head, _ := lastRune(tok); return head })},
		{id: "auth/case-changed", sends: "Authorization: Bearer <the token with the case of its letters swapped>", what: "the token in another letter case",
			header: func(tok string) (cred, string) {
				if swapCase(tok) == tok {
					return cred{}, "the token has no letters whose case could change"
				}
				return authz("Bearer " + swapCase(tok)), ""
			}},
		{id: "auth/basic-scheme", sends: "Authorization: Basic <token>", what: "the right token with the Basic scheme",
			header: func(tok string) (cred, string) { return authz("Basic " + tok), "" }},
		{id: "auth/no-scheme", sends: "Authorization: <token>, without a scheme", what: "the right token without the Bearer scheme",
			header: func(tok string) (cred, string) { return authz(tok), "" }},
		{id: "auth/empty-bearer", sends: "Authorization: Bearer, with no token", what: "an empty bearer token",
			header: func(string) (cred, string) { return authz("Bearer "), "" }},
	}
	return append(ns, modeNegatives(bearerOf)...)
}

// modeNegatives returns, when the document declares modes with a webhook API
// key each (x-ufhook-modes: separateTokens), the auth cases about a token
// that does not fit the payload's mode, for each mode other than the
// default one (Userfront's test, beside live): a payload of that mode with
// a wrong token, and a payload of the default mode with a stand-in for that
// mode's token. Runs in the default mode send them; the others skip them.
func modeNegatives(bearerOf func(func(string) string) func(string) (cred, string)) []negative {
	set, ok := openapi.Modes()
	if !ok || !set.SeparateTokens {
		return nil
	}
	run := set.Default
	var ns []negative
	for _, other := range set.Names() {
		if other == run {
			continue
		}
		ns = append(ns,
			negative{
				id:    "auth/" + other + "-payload-wrong-token",
				sends: "mode " + other + ", in a " + run + " run, and Authorization: Bearer <a token that is not the " + run + " one>",
				what:  "a wrong token on a " + other + "-mode payload",
				requirement: "A " + other + "-mode webhook with a wrong token is rejected with 401 or 403, as a " + run + " one is: " +
					"a receiver that skips the token check when mode is " + other + " lets in anyone who sends \"mode\": \"" + other + "\". " +
					"In a " + run + " run the suite knows only the " + run + " token, and sends another one, which a receiver that knows the " + other + " token must refuse too.",
				mode:     gen.Mode(other),
				runMode:  gen.Mode(run),
				modeOnly: "the other auth cases already send " + other + "-mode payloads with wrong tokens",
				header:   bearerOf(rotate),
			},
			negative{
				id:    "auth/" + run + "-payload-" + other + "-token",
				sends: "mode " + run + " and Authorization: Bearer <a stand-in for the " + other + "-mode token: a token that is not the " + run + " one>",
				what:  "a token other than the " + run + " one on a " + run + " payload",
				requirement: "A " + run + " webhook is accepted with the " + run + " token only: a receiver that knows both tokens rejects a " + run + " payload " +
					"that carries the " + other + "-mode token with 401 or 403, or whoever holds the " + other + " token could send " + run + " events. " +
					"In a " + run + " run the suite knows only the " + run + " token, so it sends a token that is not the " + run + " one in the " + other + " token's place: " +
					"this proves that a " + run + " payload needs the " + run + " token, but cannot catch a receiver that takes the real " + other + " token for " + run + " payloads " +
					"(choose the token by the payload's mode to rule that out).",
				mode:    gen.Mode(run),
				runMode: gen.Mode(run),
				modeOnly: "a receiver configured with the " + other + " token alone may take it for " + run + " payloads too, " +
					"so only a " + run + " run (with the " + run + " token) can check that a " + run + " payload needs the " + run + " token",
				header: bearerOf(standIn),
			},
		)
	}
	return ns
}

// authCases are the cases of each kind of security scheme that the events
// use (bearer, basic, an apiKey in a header, in the query), each on the
// first event that uses it, and auth/reused-connection over them all. An
// event that declares no security has none (see Notes).
func authCases(evs []openapi.Event) []Case {
	var cs []Case
	var all []eventNegative
	for _, event := range kinds(evs) {
		for _, n := range schemeNegatives(event) {
			cs = append(cs, authCase(event, n))
			all = append(all, eventNegative{event, n})
		}
	}
	if len(all) == 0 {
		return nil
	}
	return append(cs, reusedConnectionCase(all))
}

// eventNegative is a negative with the event it is sent as.
type eventNegative struct {
	event openapi.Event
	negative
}

// authCase is the case that sends n on a fresh connection, with a valid full
// payload of event, and wants 401 or 403.
func authCase(event openapi.Event, n negative) Case {
	req := n.requirement
	if req == "" {
		req = "A webhook with " + n.what + " is rejected with 401 or 403: only the exact webhook API key in a Bearer header may be accepted."
	}
	return Case{
		ID:          n.id,
		Sends:       "a valid " + event.Name + " payload with " + n.sends + ", on a fresh connection",
		Requirement: req,
		Event:       event,
		payload:     shaped(fake.Full),
		check: func(ctx context.Context, s *Suite, c Case) Result {
			if skip := n.skip(s); skip != "" {
				return skipped(skip)
			}
			x, err := s.sendNegative(ctx, c, n, s.dial())
			if err != nil {
				return suiteBug("401 or 403", err)
			}
			return judge(x, "401 or 403", isRejected, n.advice)
		},
	}
}

// skip says why n is not sent in this run, if it is not.
func (n negative) skip(s *Suite) string {
	if n.runMode != "" && s.cfg.Mode != n.runMode {
		return string(s.cfg.Mode) + " mode: " + n.modeOnly
	}
	_, skip := n.header(s.cfg.Token)
	return skip
}

// sendNegative sends n as case c does, on conn, which it closes.
func (s *Suite) sendNegative(ctx context.Context, c Case, n negative, on *conn) (exchange, error) {
	defer on.close()
	h, _ := n.header(s.cfg.Token)
	mode := n.mode
	if mode == "" {
		mode = s.cfg.Mode
	}
	body, err := payloadFor(s.cfg.Seed, mode, n.id, c.Event, fake.Full)
	if err != nil {
		return exchange{}, err
	}
	return s.send(ctx, request{event: c.Event, auth: h, body: body, conn: on}), nil
}

// advice explains a wrong answer to n.
func (n negative) advice(x exchange) string {
	if is2xx(x) {
		if n.advice1 != "" {
			return n.advice1
		}
		if n.mode != "" {
			return "the receiver accepted " + n.what + ": check the token of every payload, whatever its mode, and pick the token to compare by the payload's mode when you know both"
		}
		return "the receiver accepted " + n.what + ": compare the whole Bearer token with the configured one, in constant time (crypto/subtle), and answer 401 on any mismatch"
	}
	if x.status/100 == 4 {
		return "reject a bad token with 401 (or 403), so that the sender can tell an auth failure from a bad payload"
	}
	return ""
}

// idReusedConnection is the case that sends the negatives on reused
// connections.
const idReusedConnection = "auth/reused-connection"

// reusedConnectionCase is the case that sends every negative again on a
// connection of its own that has just carried an accepted webhook, and
// fails when one that was refused on a fresh connection is accepted there.
func reusedConnectionCase(ns []eventNegative) Case {
	const want = "401 or 403 on a reused connection to every request refused on a fresh one"
	event := ns[0].event
	var names []string
	for _, n := range ns {
		if !slices.Contains(names, n.event.Name) {
			names = append(names, n.event.Name)
		}
	}
	return Case{
		ID: idReusedConnection,
		Sends: "each request of the auth cases above again, each on a connection of its own right after a valid " + strings.Join(names, " or ") +
			" webhook with the right token, and on a fresh connection to compare",
		Requirement: "The token is checked on every request, not once per connection: a request refused on a fresh connection is refused " +
			"just the same on a keep-alive connection that has carried an accepted webhook.",
		Event:   event,
		payload: shaped(fake.Full),
		check: func(ctx context.Context, s *Suite, c Case) Result {
			var (
				refused  []string // refused both ways
				accepted []string // refused fresh, accepted reused: the defect
				notReuse []string // the receiver closed the connection after the accepted webhook
				status   int
			)
			for _, en := range ns {
				n, c := en.negative, c
				c.Event = en.event
				if n.skip(s) != "" {
					continue
				}
				// A body of its own for each connection: a receiver may
				// refuse a repeat (delivery/duplicate's business).
				good, err := payloadFor(s.cfg.Seed, s.cfg.Mode, c.ID+"/"+n.id, c.Event, fake.Full)
				if err != nil {
					return suiteBug(want, err)
				}
				on := s.dial()
				first := s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: good, conn: on})
				if first.skip != "" {
					on.close()
					return skipped(first.skip)
				}
				if !is2xx(first) {
					on.close()
					return skipped("the right token got no 2xx (" + first.got() + "), so no connection carried an accepted webhook: see events/" + c.Event.Name + "/full")
				}
				reused, err := s.sendNegative(ctx, c, n, on)
				if err != nil {
					return suiteBug(want, err)
				}
				fresh, err := s.sendNegative(ctx, c, n, s.dial())
				if err != nil {
					return suiteBug(want, err)
				}
				switch {
				case is2xx(fresh):
					// Accepted anyway: its own case reports it.
				case !reused.reused:
					notReuse = append(notReuse, n.id)
				case is2xx(reused):
					accepted = append(accepted, fmt.Sprintf("%s (fresh: %s, reused: %s)", n.id, fresh.short(), reused.got()))
					status = reused.status
				default:
					refused = append(refused, n.id)
				}
			}
			switch {
			case len(accepted) > 0:
				return Result{Outcome: Fail, Want: want, Status: status,
					Got: "accepted on a connection that had carried an accepted webhook, though refused on a fresh one: " + strings.Join(accepted, "; "),
					Reason: "authenticate every request: check the Authorization header of each request, not once per connection " +
						"(behind a proxy or a load balancer, one keep-alive connection carries requests from anyone)"}
			case len(refused) > 0:
				got := fmt.Sprintf("%d requests refused on fresh and on reused connections alike", len(refused))
				if len(notReuse) > 0 {
					got += fmt.Sprintf("; %d not sent on a reused connection, because the receiver closed it", len(notReuse))
				}
				return passed(got)
			case len(notReuse) > 0:
				return skipped("the receiver closed the connection after every accepted webhook, so no request could ride on one")
			}
			return skipped("no request was refused on a fresh connection (see the other auth cases), so there is nothing to compare")
		},
	}
}

// standIn is the token that stands for the test-mode token in a live run:
// unlike the live token, and unlike auth/wrong-token's, in every character.
func standIn(live string) string { return shift(live, 3, 7, 'z') }

// rotate changes every letter and digit of s to another of its kind, and
// anything else to 'x'.
func rotate(s string) string { return shift(s, 5, 13, 'x') }

// shift moves every ASCII digit of s by digits places and every ASCII
// letter by letters places, each in its own range and case, and turns
// anything else into other, a letter.
func shift(s string, digits, letters, other rune) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return '0' + (r-'0'+digits)%10
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+letters)%26
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+letters)%26
		}
		return other
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
