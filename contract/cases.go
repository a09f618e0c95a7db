package contract

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ufhook/ufhook/openapi"
)

// Case is one conformance check.
type Case struct {
	// ID is stable and hierarchical, e.g. "auth/wrong-token"; it is also the
	// subtest name under TestContract, so go test -run selects by it.
	ID string
	// Sends says in one sentence what the case sends.
	Sends string
	// Requirement is what the receiver must do, paraphrasing Userfront's
	// documentation or the RFC it relies on.
	Requirement string
	// Strict marks a SHOULD-level case, run only with Config.Strict.
	Strict bool
	// Event is the event whose payload the case sends, or "" when it sends
	// no payload of the catalog.
	Event string

	// shape is the payload's shape, for cases that send a payload.
	shape shape
	// delivers marks a case that sends a valid payload with the right
	// token, which a receiver processes.
	delivers bool
	run      func(ctx context.Context, s *Suite) Result
}

// Cases returns the catalog of cases: https, auth, one events case per event
// of the spec and payload shape, delivery, and strict. The events cases come
// from openapi.Events, so a webhook added to the spec is tested at once. It
// panics only if the embedded spec has no events, which package openapi's
// tests rule out.
func Cases() []Case {
	evs, err := openapi.Events()
	if err != nil || len(evs) == 0 {
		// The embedded spec is checked by package openapi's tests.
		panic(fmt.Sprintf("contract: the embedded spec has no events: %v", err))
	}
	first := evs[0].Name
	var cs []Case
	cs = append(cs, httpsCases()...)
	cs = append(cs, authCases(first)...)
	for _, ev := range evs {
		cs = append(cs, eventCases(ev)...)
	}
	cs = append(cs, deliveryCases(first)...)
	cs = append(cs, strictCases(first)...)
	return cs
}

func passed(got string) Result { return Result{Outcome: Pass, Got: got} }

func failed(want, got, advice string) Result {
	return Result{Outcome: Fail, Want: want, Got: got, Reason: advice}
}

func skipped(reason string) Result { return Result{Outcome: Skip, Reason: reason} }

// suiteBug reports a payload the suite could not build. It cannot happen
// with the embedded spec, whose payloads the package's tests build.
func suiteBug(want string, err error) Result {
	return failed(want, "nothing sent: "+err.Error(), "the suite could not build its payload: please report this bug in ufhook")
}

// adviceFor explains the usual causes of a bad answer.
func adviceFor(x exchange) string {
	var ne net.Error
	switch {
	case x.status == 0 && errors.As(x.err, &ne) && ne.Timeout():
		return "answer within the timeout: reply 2xx first, then do slow work in the background"
	case x.status == 0:
		return "the receiver closed the connection without an answer: it probably crashed; look at its logs"
	case x.status/100 == 3:
		return "webhook senders do not follow redirects: configure the final URL (the Location) as the webhook URL"
	case x.status/100 == 5:
		return "the receiver failed on this request: look at its logs"
	}
	return ""
}

// delivery sends a valid payload of event, of the given shape, with header
// auth, and judges the answer with ok.
func delivery(id, event string, shape shape, auth func(*Suite) string, want string, ok func(exchange) bool, advice func(exchange) string) func(context.Context, *Suite) Result {
	return func(ctx context.Context, s *Suite) Result {
		body, err := s.payload(id, event, shape)
		if err != nil {
			return suiteBug(want, err)
		}
		x := s.send(ctx, request{event: event, auth: auth(s), body: body})
		return judge(x, want, ok, advice)
	}
}

// judge turns an exchange into a Result.
func judge(x exchange, want string, ok func(exchange) bool, advice func(exchange) string) Result {
	if x.skip != "" {
		return skipped(x.skip)
	}
	if ok(x) {
		return passed(x.got())
	}
	a := ""
	if advice != nil {
		a = advice(x)
	}
	if a == "" {
		a = adviceFor(x)
	}
	return failed(want, x.got(), a)
}

func is2xx(x exchange) bool      { return x.status/100 == 2 }
func isRejected(x exchange) bool { return x.status == 401 || x.status == 403 }

func rightToken(s *Suite) string { return s.authHeader() }

// ---- https ----

func httpsCases() []Case {
	return []Case{
		{
			ID:          "https/live-https",
			Sends:       "nothing: it reads the scheme of the target and route URLs (live mode only)",
			Requirement: "Live webhooks must be sent over HTTPS: Userfront fails a live webhook configured with a plain http:// URL.",
			run:         checkLiveHTTPS,
		},
		{
			ID:          "https/certificate",
			Sends:       "a TLS handshake to every https URL, verifying the certificate against the system roots or -ca",
			Requirement: "The receiver's certificate must verify for its host name, or Userfront cannot deliver.",
			run:         checkCertificate,
		},
		{
			ID:          "https/tls-version",
			Sends:       "a TLS handshake to every https URL, offering TLS 1.0 to 1.3",
			Requirement: "The receiver must negotiate TLS 1.2 or later.",
			run:         checkTLSVersion,
		},
	}
}

func checkLiveHTTPS(_ context.Context, s *Suite) Result {
	if s.cfg.Mode != "live" {
		return skipped("test mode: test webhooks may use plain HTTP")
	}
	var plain []string
	for _, raw := range s.urls() {
		if u, _ := url.Parse(raw); u.Scheme == "http" {
			plain = append(plain, raw)
		}
	}
	if len(plain) > 0 {
		return failed("https:// URLs only", "plain HTTP: "+strings.Join(plain, ", "),
			"Userfront fails a live webhook configured with a plain http:// URL: serve the receiver over HTTPS, or check a test-mode receiver in test mode (-mode=test)")
	}
	return passed("every URL uses https")
}

// httpsOrigins returns the https origins, in a stable order.
func (s *Suite) httpsOrigins() []*origin {
	var out []*origin
	seen := map[string]bool{}
	for _, raw := range s.urls() {
		u, _ := url.Parse(raw)
		key := originKey(u)
		if u.Scheme == "https" && !seen[key] {
			seen[key] = true
			out = append(out, s.origins[key])
		}
	}
	return out
}

func checkCertificate(_ context.Context, s *Suite) Result {
	origins := s.httpsOrigins()
	if len(origins) == 0 {
		return skipped("no https URL: plain HTTP has no certificate to check")
	}
	if s.cfg.Insecure {
		return skipped("-insecure: certificates were not verified, so this case cannot pass")
	}
	var good []string
	for _, o := range origins {
		key := originKey(o.url)
		if o.handshakeErr != nil {
			return failed("a verified TLS handshake", "TLS handshake with "+key+" failed: "+o.handshakeErr.Error(),
				"serve HTTPS at this URL (is it plain HTTP?)")
		}
		if o.certErr != nil {
			return failed("a certificate that verifies for "+o.url.Hostname(), key+": "+o.certErr.Error(),
				"serve a certificate from a public CA (e.g. Let's Encrypt); for a local receiver pass its CA with -ca=FILE")
		}
		good = append(good, key)
	}
	return passed("certificate verified for " + strings.Join(good, ", "))
}

func checkTLSVersion(_ context.Context, s *Suite) Result {
	origins := s.httpsOrigins()
	if len(origins) == 0 {
		return skipped("no https URL: plain HTTP has no TLS version")
	}
	var got []string
	for _, o := range origins {
		key := originKey(o.url)
		if o.handshakeErr != nil {
			return failed("TLS 1.2 or later", "TLS handshake with "+key+" failed: "+o.handshakeErr.Error(),
				"serve HTTPS at this URL, with TLS 1.2 or 1.3 enabled")
		}
		if o.version < tls.VersionTLS12 {
			return failed("TLS 1.2 or later", key+" negotiated "+tls.VersionName(o.version),
				"enable TLS 1.2 and 1.3 on the receiver (and disable 1.0 and 1.1)")
		}
		got = append(got, key+" negotiated "+tls.VersionName(o.version))
	}
	return passed(strings.Join(got, ", "))
}

// ---- auth ----

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

func authCases(event string) []Case {
	type near struct {
		id, sends, what string
		header          func(tok string) (string, string) // header, skip reason
	}
	list := []near{
		{"auth/missing-token", "no Authorization header", "no token",
			func(string) (string, string) { return "", "" }},
		{"auth/wrong-token", "Authorization: Bearer <a different token of the same length>", "a wrong token",
			func(tok string) (string, string) { return "Bearer " + rotate(tok), "" }},
		{"auth/last-char-changed", "Authorization: Bearer <the token with its last character changed>", "a token that differs in its last character",
			func(tok string) (string, string) {
				head, last := lastRune(tok)
				return "Bearer " + head + rotate(last), ""
			}},
		{"auth/extra-chars", "Authorization: Bearer <the token followed by extra characters>", "the token plus extra characters",
			func(tok string) (string, string) { return "Bearer " + tok + "00", "" }},
		{"auth/token-prefix", "Authorization: Bearer <the token without its last character>", "a prefix of the token",
			func(tok string) (string, string) { head, _ := lastRune(tok); return "Bearer " + head, "" }},
		{"auth/case-changed", "Authorization: Bearer <the token with the case of its letters swapped>", "the token in another letter case",
			func(tok string) (string, string) {
				if swapCase(tok) == tok {
					return "", "the token has no letters whose case could change"
				}
				return "Bearer " + swapCase(tok), ""
			}},
		{"auth/basic-scheme", "Authorization: Basic <token>", "the right token with the Basic scheme",
			func(tok string) (string, string) { return "Basic " + tok, "" }},
		{"auth/no-scheme", "Authorization: <token>, without a scheme", "the right token without the Bearer scheme",
			func(tok string) (string, string) { return tok, "" }},
		{"auth/empty-bearer", "Authorization: Bearer, with no token", "an empty bearer token",
			func(string) (string, string) { return "Bearer ", "" }},
	}
	cs := make([]Case, 0, len(list))
	for _, n := range list {
		c := Case{
			ID:          n.id,
			Sends:       "a valid " + event + " payload with " + n.sends,
			Requirement: "A webhook with " + n.what + " is rejected with 401 or 403: only the exact webhook token in a Bearer header may be accepted.",
			Event:       event,
			shape:       fullShape,
		}
		c.run = func(ctx context.Context, s *Suite) Result {
			h, skip := n.header(s.cfg.Token)
			if skip != "" {
				return skipped(skip)
			}
			body, err := s.payload(c.ID, event, fullShape)
			if err != nil {
				return suiteBug("401 or 403", err)
			}
			x := s.send(ctx, request{event: event, auth: h, body: body})
			return judge(x, "401 or 403", isRejected, func(x exchange) string {
				if is2xx(x) {
					return "the receiver accepted " + n.what + ": compare the whole Bearer token with the configured one, in constant time (crypto/subtle), and answer 401 on any mismatch"
				}
				if x.status/100 == 4 {
					return "reject a bad token with 401 (or 403), so that the sender can tell an auth failure from a bad payload"
				}
				return ""
			})
		}
		cs = append(cs, c)
	}
	return cs
}

// ---- events ----

func eventCases(ev openapi.Event) []Case {
	variants := []struct {
		suffix, sends, requirement string
		shape                      shape
	}{
		{"full", "a fully populated " + ev.Name + " payload (every property set, none null)",
			"A valid " + ev.Name + " webhook with the right token gets a 2xx within the timeout: Userfront counts any 2xx as delivered.",
			fullShape},
		{"sparse", "a sparse " + ev.Name + " payload: only required properties, null or empty wherever the spec allows",
			"A valid " + ev.Name + " webhook whose record has nulls and empty strings gets a 2xx: a receiver must not choke on a null.",
			sparseShape},
		{"nulls", "a fully populated " + ev.Name + " payload with every property that may be null set to null, at any depth",
			"A valid " + ev.Name + " webhook whose optional properties are present but null gets a 2xx: a receiver must not choke on a null.",
			nullShape},
		{"unknown-fields", "a realistic " + ev.Name + " payload plus properties the spec does not define, in the envelope and the record",
			"A valid " + ev.Name + " webhook with unknown fields gets a 2xx: Userfront adds fields over time, so a receiver must ignore fields it does not know.",
			unknownShape},
	}
	cs := make([]Case, 0, len(variants))
	for _, v := range variants {
		id := "events/" + ev.Name + "/" + v.suffix
		cs = append(cs, Case{
			ID:          id,
			Sends:       v.sends + ", with the right token",
			Requirement: v.requirement,
			Event:       ev.Name,
			shape:       v.shape,
			delivers:    true,
			run:         delivery(id, ev.Name, v.shape, rightToken, "a 2xx", is2xx, eventAdvice(v.shape)),
		})
	}
	return cs
}

func eventAdvice(shape shape) func(exchange) string {
	return func(x exchange) string {
		if x.status/100 != 4 {
			return ""
		}
		if x.status == 401 || x.status == 403 {
			return "the receiver refused the right token: is it configured with the token for this mode (-mode=test or -mode=live)?"
		}
		switch shape {
		case sparseShape, nullShape:
			return "the receiver refused a valid payload with nulls or empty strings: accept null wherever the spec allows it (openapi/webhooks.yaml)"
		case unknownShape:
			return "the receiver refused unknown fields: do not decode with DisallowUnknownFields or additionalProperties: false"
		}
		return "the receiver refused a valid payload: check it against openapi/webhooks.yaml"
	}
}

// ---- delivery ----

func deliveryCases(event string) []Case {
	cs := []Case{
		{
			ID:          "delivery/no-redirect",
			Sends:       "a valid " + event + " payload with the right token",
			Requirement: "The webhook URL answers without a redirect: webhook senders do not follow 3xx.",
			Event:       event, shape: fullShape, delivers: true,
		},
		{
			ID:          "delivery/malformed-json",
			Sends:       "a truncated JSON body with the right token",
			Requirement: "Malformed JSON gets a 4xx: neither a 2xx (accepting garbage) nor a 5xx (crashing).",
			Event:       event,
		},
		{
			ID:          "delivery/unknown-action",
			Sends:       "a well-formed payload whose action is \"archive\", with the right token",
			Requirement: "An event with an unknown action gets no 5xx: Userfront may add actions, and a receiver must not crash on one.",
			Event:       event,
		},
		{
			ID:          "delivery/unknown-model",
			Sends:       "a well-formed payload whose model is \"organization\", with the right token",
			Requirement: "An event with an unknown model gets no 5xx: Userfront may add models, and a receiver must not crash on one.",
			Event:       event,
		},
		{
			ID:          "delivery/duplicate",
			Sends:       "the same valid " + event + " payload twice, one after the other, with the right token",
			Requirement: "A repeated delivery gets a 2xx both times: senders retry, so a receiver accepts a repeat (and deduplicates it itself if it must).",
			Event:       event, shape: fullShape, delivers: true,
		},
		{
			ID:          "delivery/timeout",
			Sends:       "a valid " + event + " payload with the right token, and times the answer",
			Requirement: "Every response arrives within the timeout (-timeout, 10s by default).",
			Event:       event, shape: fullShape, delivers: true,
		},
	}
	cs[0].run = delivery(cs[0].ID, event, fullShape, rightToken, "a status other than 3xx",
		func(x exchange) bool { return x.status != 0 && x.status/100 != 3 }, nil)
	cs[1].run = func(ctx context.Context, s *Suite) Result {
		body := []byte(`{"action":"create","model":"user","mode":"` + string(s.cfg.Mode) + `","record":{"userId":1,"email":`)
		x := s.send(ctx, request{event: event, auth: s.authHeader(), body: body})
		return judge(x, "a 4xx", func(x exchange) bool { return x.status/100 == 4 }, func(x exchange) string {
			if is2xx(x) {
				return "the receiver accepted a body that is not JSON: parse the body and answer 400 when it fails"
			}
			if x.status/100 == 5 {
				return "the receiver failed on malformed JSON: answer 400 when the body does not parse"
			}
			return ""
		})
	}
	cs[2].run = unknownEvent(cs[2].ID, event, "action", "archive")
	cs[3].run = unknownEvent(cs[3].ID, event, "model", "organization")
	cs[4].run = func(ctx context.Context, s *Suite) Result {
		body, err := s.payload(cs[4].ID, event, fullShape)
		if err != nil {
			return suiteBug("a 2xx twice", err)
		}
		first := s.send(ctx, request{event: event, auth: s.authHeader(), body: body})
		if first.skip != "" {
			return skipped(first.skip)
		}
		if !is2xx(first) {
			return failed("a 2xx twice", "first delivery: "+first.got(), adviceFor(first))
		}
		second := s.send(ctx, request{event: event, auth: s.authHeader(), body: body})
		if !is2xx(second) {
			a := adviceFor(second)
			if second.status/100 == 4 {
				a = "the receiver refused a repeat: senders retry, so answer 2xx to an event already processed (and skip it)"
			}
			return failed("a 2xx twice", "first delivery: "+first.got()+"; second: "+second.got(), a)
		}
		return passed("first: " + first.got() + "; second: " + second.got())
	}
	cs[5].run = func(ctx context.Context, s *Suite) Result {
		body, err := s.payload(cs[5].ID, event, fullShape)
		if err != nil {
			return suiteBug("a response", err)
		}
		x := s.send(ctx, request{event: event, auth: s.authHeader(), body: body})
		want := fmt.Sprintf("a response within %v", s.cfg.Timeout)
		r := judge(x, want, func(x exchange) bool { return x.status != 0 }, nil)
		if r.Outcome == Pass {
			r.Got = fmt.Sprintf("%s after %v", r.Got, x.elapsed.Round(1e6))
		}
		return r
	}
	return cs
}

// unknownEvent sends a valid payload of event whose field (action or model)
// is set to value.
func unknownEvent(id, event, field, value string) func(context.Context, *Suite) Result {
	return func(ctx context.Context, s *Suite) Result {
		want := "a 2xx or a 4xx, not a 5xx"
		body, err := s.payload(id, event, fullShape)
		if err == nil {
			body, err = setField(body, field, value)
		}
		if err != nil {
			return suiteBug(want, err)
		}
		x := s.send(ctx, request{event: event, auth: s.authHeader(), body: body})
		return judge(x, want, func(x exchange) bool { return is2xx(x) || x.status/100 == 4 }, func(x exchange) string {
			if x.status/100 == 5 {
				return "the receiver failed on an unknown " + field + ": ignore it (2xx) or refuse it (400), without crashing"
			}
			return ""
		})
	}
}

// ---- strict ----

func strictCases(event string) []Case {
	cs := []Case{
		{
			ID:          "strict/lowercase-bearer",
			Sends:       "a valid " + event + " payload with Authorization: bearer <token>, the scheme in lower case",
			Requirement: "SHOULD: the auth scheme is case-insensitive (RFC 9110 §11.1), so a lower-case bearer with the right token gets a 2xx.",
			Strict:      true, Event: event, shape: fullShape, delivers: true,
		},
		{
			ID:          "strict/www-authenticate",
			Sends:       "a valid " + event + " payload with no Authorization header",
			Requirement: "SHOULD: a request without a token gets 401 with a WWW-Authenticate: Bearer header (RFC 6750 §3).",
			Strict:      true, Event: event, shape: fullShape,
		},
		{
			ID:          "strict/method-not-allowed",
			Sends:       "a GET with the right token and no body",
			Requirement: "SHOULD: the webhook URL accepts POST only, and answers any other method with 405 (RFC 9110 §15.5.6).",
			Strict:      true, Event: event,
		},
		{
			ID:          "strict/fast",
			Sends:       "a valid " + event + " payload with the right token, and times the answer",
			Requirement: fmt.Sprintf("SHOULD: the receiver answers in under %v, doing slow work after replying.", StrictLatency),
			Strict:      true, Event: event, shape: fullShape, delivers: true,
		},
	}
	cs[0].run = delivery(cs[0].ID, event, fullShape, func(s *Suite) string { return "bearer " + s.cfg.Token }, "a 2xx", is2xx,
		func(x exchange) string {
			if x.status == 401 || x.status == 403 {
				return "match the scheme case-insensitively (strings.EqualFold(scheme, \"Bearer\"))"
			}
			return ""
		})
	cs[1].run = delivery(cs[1].ID, event, fullShape, func(*Suite) string { return "" }, "401 with WWW-Authenticate: Bearer",
		func(x exchange) bool {
			return x.status == 401 && strings.HasPrefix(strings.ToLower(x.header.Get("WWW-Authenticate")), "bearer")
		},
		func(x exchange) string {
			if x.status == 401 || x.status == 403 {
				return "answer a missing token with 401 and the header WWW-Authenticate: Bearer"
			}
			return ""
		})
	cs[2].run = func(ctx context.Context, s *Suite) Result {
		x := s.send(ctx, request{method: "GET", event: event, auth: s.authHeader()})
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
	}
	cs[3].run = func(ctx context.Context, s *Suite) Result {
		body, err := s.payload(cs[3].ID, event, fullShape)
		want := fmt.Sprintf("a response in under %v", strictLatency)
		if err != nil {
			return suiteBug(want, err)
		}
		x := s.send(ctx, request{event: event, auth: s.authHeader(), body: body})
		r := judge(x, want, func(x exchange) bool { return x.status != 0 && x.elapsed < strictLatency }, nil)
		if x.status != 0 {
			r.Got = fmt.Sprintf("%s after %v", x.got(), x.elapsed.Round(1e6))
			if r.Outcome == Fail {
				r.Reason = "reply 2xx first, then do slow work in the background"
			}
		}
		return r
	}
	return cs
}

// setField sets a top-level string field of a JSON object.
func setField(body []byte, field, value string) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("decode the payload: %w", err)
	}
	v, err := json.Marshal(value)
	if err != nil {
		return nil, err
	}
	m[field] = v
	return json.Marshal(m)
}
