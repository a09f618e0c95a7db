package contract

// Signed runs. With Config.Signature set, every request the suite sends is
// signed validly (signRequest), and the signature cases below check that
// the receiver verifies signatures as the Standard Webhooks specification
// and the provider families' documentation require: missing headers,
// another secret, a changed body, an old or future timestamp, another
// message id, several signatures, an unknown version, a truncated
// signature, a re-formatted body and a repeated delivery. The signing
// itself is package signature's; the cases only rearrange what it makes.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

// Skew is how far from now the timestamps of signature/timestamp-too-old
// and signature/timestamp-in-future are: twice the five minutes of
// tolerance that Standard Webhooks' libraries and payment providers use.
const Skew = 10 * time.Minute

// checkSigning checks Config.Signature and Config.Secret: a valid scheme
// with a secret it can use, or neither.
func checkSigning(cfg Config) error {
	if cfg.Signature == nil {
		if cfg.Secret != "" {
			return fmt.Errorf("%w: a signing secret was given but no scheme: give the scheme too (-sign, e.g. -sign=standard-webhooks), or leave the secret out for an unsigned run", signature.ErrBadScheme)
		}
		return nil
	}
	if _, err := signature.NewSigner(*cfg.Signature, cfg.Secret); err != nil {
		if errors.Is(err, signature.ErrBadSecret) {
			return fmt.Errorf("signing secret (-secret or UFHOOK_SIGNING_SECRET): %w", err)
		}
		return fmt.Errorf("signature scheme (-sign): %w", err)
	}
	return nil
}

// Cases returns the cases of this suite: Cases, followed by the signature
// cases (signature/...) when Config.Signature is set.
func (s *Suite) Cases() []Case {
	cs := Cases()
	if s.signer == nil {
		return cs
	}
	evs, err := openapi.Events()
	if err != nil || len(evs) == 0 {
		return cs // Cases has panicked already
	}
	return append(cs, signatureCases(evs[0], s.signer.Scheme())...)
}

// signatureHeaders returns the names of the headers that scheme sc sends.
func signatureHeaders(sc signature.Scheme) []string {
	out := []string{sc.Header}
	for _, h := range []string{sc.IDHeader, sc.TimestampHeader} {
		if h != "" {
			out = append(out, h)
		}
	}
	return out
}

// signRequest sets the signature headers of req on h, in a signed run:
// the case's own (req.sig), or else a valid signature of the body with a
// fresh message id and timestamp. Header parameters of the document with
// the same names give way to them.
func (s *Suite) signRequest(h http.Header, req request) error {
	if s.signer == nil {
		return nil
	}
	for _, name := range signatureHeaders(s.signer.Scheme()) {
		h.Del(name)
	}
	sig := req.sig
	if sig == nil {
		var err error
		if sig, err = s.signer.Sign(signature.NewMessageID(), time.Now(), req.body); err != nil {
			return fmt.Errorf("the suite could not sign its request: %w", err)
		}
	}
	for k, v := range sig {
		h[http.CanonicalHeaderKey(k)] = v
	}
	return nil
}

// Quotes of the Standard Webhooks specification (version 1.0.0,
// https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md)
// and of GitHub's "Validating webhook deliveries"
// (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries),
// which the signature cases' requirements cite.
const (
	quoteAuthenticity = `Standard Webhooks: "Webhooks are just HTTP requests from an unknown source, so verifying the authenticity of webhooks is a requirement for any secure webhook implementation."`
	quoteSensitive    = `Standard Webhooks: "Cryptographic signatures are sensitive to even the smallest changes, and even a stray space can cause the signature to be invalid."`
	quoteTolerance    = "Standard Webhooks: \"Make sure to verify the `webhook-timestamp` header has a timestamp that is within some allowable tolerance of the current timestamp to prevent replay attacks.\""
	quoteMetadata     = `Standard Webhooks: "A secure signature scheme should verify the authenticity of both the payload, and the additional metadata (timestamp and unique identifier)."`
	quoteList         = `Standard Webhooks: "The signature header is a space delimited list of signatures associated with this webhook." ... "Webhook consumers can try to verify each signature until one matches."`
	quoteVersion      = "Standard Webhooks: \"Symmetric signatures are prefixed with `v1` and asymmetric with `v1a`. So for example, a symmetric signature will be v1, followed by a comma (`,`), followed by the base64 encoded signature.\""
	quoteConstant     = `Standard Webhooks: "When verifying symmetric signatures, use a constant time comparison function to compare the calculated with the expected signature. Failing to do so can expose consumers to timing-attacks and turn them into signing oracles."`
	quoteRaw          = `Standard Webhooks: "it's important to make sure that the payload sent is the same as the payload signed." ... "many webhook consumers often accidentally parse the body as json, and then serialize it again, which can cause for failed verification"`
	quoteIdempotency  = `Standard Webhooks: "The ID is often used as an idempotency key, which lets a consumer ensure that they only process a specific event once, even if sent multiple times maliciously, in error, or due to networking issues."`
	quoteSuccess      = "Standard Webhooks: \"A webhook delivery is considered successful if it was responded to with a `2xx` status code (status codes 200-299), and it is considered a failure in any other scenario.\""
	quoteGitHub       = `GitHub: "you should validate the webhook signature before processing the delivery further" ... "compare the hash that GitHub sent with the expected hash that you calculated, and ensure that they match."`
)

// Topics of the provider families' rules, for family.
const (
	topicVerify    = "verify"
	topicTolerance = "tolerance"
	topicVersions  = "versions"
	topicSeveral   = "several"
	topicRaw       = "raw"
)

// family adds, to a requirement quoting Standard Webhooks, what the
// scheme's own family says on topic: GitHub's documentation, quoted, for a
// body-only HMAC; for the one-header timestamped family (payment
// providers), a paraphrase, said to be one, as no copy of those providers'
// documentation was at hand to quote. It returns "" when the family says
// nothing more on topic.
func family(sc signature.Scheme, topic string) string {
	switch {
	case sc.Signed == signature.SignBody && sc.Parts.IsZero():
		if topic == topicVerify {
			return " " + quoteGitHub
		}
	case !sc.Parts.IsZero():
		rule, ok := map[string]string{
			topicVerify:    "compute the HMAC of timestamp.body with the secret and compare it with the " + sc.Parts.SignatureKey + " signature in constant time",
			topicTolerance: "refuse a timestamp outside a tolerance of about five minutes, against replays",
			topicVersions:  "take only the " + sc.Parts.SignatureKey + " signatures and ignore the other versions",
			topicSeveral:   "accept a delivery when any of its " + sc.Parts.SignatureKey + " signatures matches, as during a secret's rotation",
			topicRaw:       "compute the HMAC over the raw body as received",
		}[topic]
		if ok {
			return " Payment providers that send " + sc.Header + ": " + sc.Parts.TimestampKey + "=<ts>" + sc.Parts.Separator + sc.Parts.SignatureKey +
				"=<sig> say (paraphrased, not quoted: their documentation was not at hand): " + rule + "."
		}
	}
	return ""
}

// refusal is what a signature case that must be refused wants.
const refusal = "400, 401 or 403"

func isRefusal(x exchange) bool { return x.status == 400 || x.status == 401 || x.status == 403 }

// forgery makes the body and the signature headers that a signature case
// sends, from the valid body, with sign (the run's signer, or one with
// another secret) and the run's scheme; skip says why it cannot, if so.
type forgery func(f forger) (body []byte, sig http.Header, skip string, err error)

// forger is what a forgery works with.
type forger struct {
	body []byte
	// sign signs with the run's secret, other with another one.
	sign, other func(id string, ts time.Time, body []byte) (http.Header, error)
	event       openapi.Event
}

// valid signs f.body now with a fresh id.
func (f forger) valid() (http.Header, error) {
	return f.sign(signature.NewMessageID(), time.Now(), f.body)
}

// signatureCases are the signature cases of scheme sc, on event.
func signatureCases(event openapi.Event, sc signature.Scheme) []Case {
	timed := sc.Signed != signature.SignBody
	var cs []Case
	refused := func(id, sends, requirement, advice string, forge forgery) {
		cs = append(cs, Case{
			ID:          "signature/" + id,
			Sends:       "a valid " + event.Name + " payload with the right token and " + sends,
			Requirement: requirement,
			Event:       event, payload: shaped(fake.Full),
			check: refusedCheck(forge, advice),
		})
	}
	missing := func(id, header, what string) {
		refused("missing-"+id, "a valid "+sc.Name+" signature, but no "+header+" header",
			"A delivery without the "+header+" header ("+what+") is refused with 400, 401 or 403. "+quoteAuthenticity+family(sc, topicVerify),
			"the receiver accepted a delivery without "+header+": refuse it (401) before reading the body",
			func(f forger) ([]byte, http.Header, string, error) {
				h, err := f.valid()
				if h != nil {
					h.Del(header)
				}
				return f.body, h, "", err
			})
	}
	missing("signature", sc.Header, "the signature")
	if sc.IDHeader != "" {
		missing("id", sc.IDHeader, "the message id")
	}
	if sc.TimestampHeader != "" {
		missing("timestamp", sc.TimestampHeader, "the timestamp")
	} else if !sc.Parts.IsZero() {
		refused("missing-timestamp", "a "+sc.Header+" header with a valid signature but no "+sc.Parts.TimestampKey+"= part",
			"A delivery whose "+sc.Header+" carries no timestamp is refused with 400, 401 or 403: the timestamp is signed, and no signature verifies without it. "+quoteMetadata+family(sc, topicVerify),
			"the receiver accepted a signature without its timestamp: read "+sc.Parts.TimestampKey+"= from "+sc.Header+", sign it with the body, and refuse the delivery without it",
			func(f forger) ([]byte, http.Header, string, error) {
				h, err := f.valid()
				if err != nil {
					return nil, nil, "", err
				}
				_, sigs, _ := splitSignatures(sc, h.Get(sc.Header))
				h.Set(sc.Header, joinSignatures(sc, "", sc.Parts.SignatureKey, sigs))
				return f.body, h, "", nil
			})
	}
	refused("wrong-secret", "a signature made with another secret",
		"A delivery signed with another secret is refused with 400, 401 or 403. "+quoteAuthenticity+family(sc, topicVerify),
		"the receiver accepted a signature made with another secret: compute the HMAC with the configured secret and compare it with the signature",
		func(f forger) ([]byte, http.Header, string, error) {
			h, err := f.other(signature.NewMessageID(), time.Now(), f.body)
			return f.body, h, "", err
		})
	refused("body-changed", "a valid signature of the body, one byte of which (inside a string value) was changed after signing",
		"A delivery whose body was changed after signing is refused with 400, 401 or 403, even when the change keeps the JSON valid. "+quoteSensitive+family(sc, topicVerify),
		"the receiver accepted a body that does not match its signature: verify the signature over the raw body before handling it",
		func(f forger) ([]byte, http.Header, string, error) {
			h, err := f.valid()
			if err != nil {
				return nil, nil, "", err
			}
			changed, ok := changeOneByte(f.event, f.body)
			if !ok {
				return nil, nil, "the payload has no string value whose change keeps it valid", nil
			}
			return changed, h, "", nil
		})
	if timed {
		for _, d := range []struct {
			id, what string
			skew     time.Duration
		}{{"timestamp-too-old", "10 minutes ago", -Skew}, {"timestamp-in-future", "10 minutes ahead", Skew}} {
			refused(d.id, "a valid signature for a timestamp "+d.what,
				"A delivery whose timestamp is "+d.what+" is refused with 400, 401 or 403, though its signature is valid for that timestamp. "+quoteTolerance+family(sc, topicTolerance),
				"the receiver accepted a timestamp "+d.what+": refuse timestamps more than a few minutes (5 is usual) from the receiver's clock, in both directions",
				func(f forger) ([]byte, http.Header, string, error) {
					h, err := f.sign(signature.NewMessageID(), time.Now().Add(d.skew), f.body)
					return f.body, h, "", err
				})
		}
	}
	if sc.Signed == signature.SignIDTimestampBody {
		refused("other-id", "the "+sc.IDHeader+" of another message with a valid signature of this body under the first message's id",
			"A delivery whose signature was made for another message id is refused with 400, 401 or 403. "+quoteMetadata,
			"the receiver accepted a signature made for another message id: sign id.timestamp.body with the id from "+sc.IDHeader,
			func(f forger) ([]byte, http.Header, string, error) {
				h, err := f.valid()
				if err == nil {
					h.Set(sc.IDHeader, signature.NewMessageID())
				}
				return f.body, h, "", err
			})
	}
	if next, ok := unknownVersion(sc); ok {
		shown := next
		if !sc.Parts.IsZero() {
			shown += "="
		}
		refused("unknown-version", "only a signature of an unknown version ("+shown+" instead of "+versionOf(sc)+"), whose value is the valid signature",
			"A delivery that carries only signatures of a version the receiver does not know is refused with 400, 401 or 403: such a signature says nothing. "+quoteVersion+family(sc, topicVersions),
			"the receiver accepted a signature of an unknown version: take only the signatures of the version you verify ("+versionOf(sc)+"), and refuse when none verifies",
			func(f forger) ([]byte, http.Header, string, error) {
				h, err := f.valid()
				if err != nil {
					return nil, nil, "", err
				}
				ts, sigs, _ := splitSignatures(sc, h.Get(sc.Header))
				if sc.Parts.IsZero() {
					for i, s := range sigs {
						sigs[i] = next + strings.TrimPrefix(s, sc.Prefix)
					}
					h.Set(sc.Header, joinSignatures(sc, ts, "", sigs))
				} else {
					h.Set(sc.Header, joinSignatures(sc, ts, next, sigs))
				}
				return f.body, h, "", nil
			})
	}
	refused("truncated", "the first half of the valid signature",
		"A delivery whose signature is a prefix of the valid one is refused with 400, 401 or 403. "+quoteConstant+family(sc, topicVerify),
		"the receiver accepted a prefix of the signature: decode the signature and compare all of it with the computed HMAC, in constant time (hmac.Equal in Go)",
		func(f forger) ([]byte, http.Header, string, error) {
			h, err := f.valid()
			if err != nil {
				return nil, nil, "", err
			}
			ts, sigs, key := splitSignatures(sc, h.Get(sc.Header))
			for i, s := range sigs {
				enc := strings.TrimPrefix(s, sc.Prefix)
				sigs[i] = sc.Prefix + enc[:len(enc)/2]
			}
			h.Set(sc.Header, joinSignatures(sc, ts, key, sigs))
			return f.body, h, "", nil
		})
	if timed {
		cs = append(cs, Case{
			ID:    "signature/several-signatures",
			Sends: "a valid " + event.Name + " payload with the right token and two signatures in " + sc.Header + ": one made with another secret, then the valid one",
			Requirement: "A delivery whose signatures include a valid one gets a 2xx, wherever the valid one stands: senders sign with the old and the new secret while a secret is rotated. " +
				quoteList + family(sc, topicSeveral),
			Event: event, payload: shaped(fake.Full), delivers: true,
			check: acceptedCheck(func(f forger) ([]byte, http.Header, string, error) {
				id, now := signature.NewMessageID(), time.Now()
				good, err := f.sign(id, now, f.body)
				if err != nil {
					return nil, nil, "", err
				}
				bad, err := f.other(id, now, f.body)
				if err != nil {
					return nil, nil, "", err
				}
				ts, valid, key := splitSignatures(sc, good.Get(sc.Header))
				_, wrong, _ := splitSignatures(sc, bad.Get(sc.Header))
				good.Set(sc.Header, joinSignatures(sc, ts, key, append(wrong, valid...)))
				return f.body, good, "", nil
			}, "the receiver refused a delivery whose second signature is valid: try every signature of the header (space-separated, or each "+
				cmp.Or(sc.Parts.SignatureKey, "v1")+"= part) until one matches"),
		})
	}
	cs = append(cs, Case{
		ID:    "signature/reformatted-body",
		Sends: "a valid " + event.Name + " payload with the right token, serialised with the keys in reverse order, indented, with spaces around the colons, and validly signed over exactly those bytes",
		Requirement: "A delivery whose body is JSON formatted in an unusual way, and validly signed over its raw bytes, gets a 2xx: the signature covers the bytes sent, not a re-serialisation. " +
			quoteRaw + family(sc, topicRaw),
		Event: event, payload: shaped(fake.Full), delivers: true,
		check: acceptedCheck(func(f forger) ([]byte, http.Header, string, error) {
			body, err := reformat(f.body)
			if err != nil {
				return nil, nil, "", err
			}
			h, err := f.sign(signature.NewMessageID(), time.Now(), body)
			return body, h, "", err
		}, "the receiver refused a body signed over its raw bytes: verify the signature over the body exactly as received (read it whole, verify, then parse), never over JSON parsed and serialised again"),
	})
	if sc.IDHeader != "" || timed {
		sameID := "the same message id"
		if sc.IDHeader == "" {
			sameID = "the same body"
		}
		cs = append(cs, Case{
			ID:    "signature/repeat",
			Sends: "a valid " + event.Name + " payload with the right token twice, with " + sameID + " and each attempt signed afresh (a new timestamp), as a sender retries",
			Requirement: "A repeated delivery gets a 2xx both times: the receiver accepts the repeat or deduplicates it, never answers it with a 5xx, and does not refuse it either, since a sender retries any answer but a 2xx. " +
				quoteIdempotency + " " + quoteSuccess,
			Event: event, payload: shaped(fake.Full), delivers: true,
			check: repeatCheck,
		})
	}
	return cs
}

// forgerOf returns the forger of case c in s.
func (s *Suite) forgerOf(c Case) (forger, error) {
	body, err := s.payload(c)
	if err != nil {
		return forger{}, err
	}
	other, err := signature.NewSigner(s.signer.Scheme(), otherSecret(s.cfg.Secret))
	if err != nil {
		return forger{}, fmt.Errorf("another secret: %w", err)
	}
	return forger{body: body, sign: s.signer.Sign, other: other.Sign, event: c.Event}, nil
}

// unsignedRun is the skip reason of a signature case in a run without a
// scheme (a case taken from another suite's Cases).
const unsignedRun = "an unsigned run: give the scheme (Config.Signature, -sign) and the secret to run the signature cases"

// forged sends what forge makes for case c.
func (s *Suite) forged(ctx context.Context, c Case, forge forgery, want string) (exchange, Result, bool) {
	if s.signer == nil {
		return exchange{}, skipped(unsignedRun), false
	}
	f, err := s.forgerOf(c)
	if err != nil {
		return exchange{}, suiteBug(want, err), false
	}
	body, sig, skip, err := forge(f)
	if err != nil {
		return exchange{}, suiteBug(want, err), false
	}
	if skip != "" {
		return exchange{}, skipped(skip), false
	}
	if sig == nil {
		sig = http.Header{}
	}
	return s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: body, sig: sig}), Result{}, true
}

// refusedCheck is the check of a case whose forgery must be refused with
// 400, 401 or 403.
func refusedCheck(forge forgery, advice string) func(context.Context, *Suite, Case) Result {
	return func(ctx context.Context, s *Suite, c Case) Result {
		x, r, ok := s.forged(ctx, c, forge, refusal)
		if !ok {
			return r
		}
		return judge(x, refusal, isRefusal, func(x exchange) string {
			switch {
			case is2xx(x):
				return advice
			case x.status/100 == 4:
				return "refuse a delivery whose signature does not verify with 401 (400 or 403 pass too), so that the sender can tell it apart"
			}
			return ""
		})
	}
}

// acceptedCheck is the check of a case whose validly signed request must
// get a 2xx.
func acceptedCheck(forge forgery, advice string) func(context.Context, *Suite, Case) Result {
	return func(ctx context.Context, s *Suite, c Case) Result {
		x, r, ok := s.forged(ctx, c, forge, "a 2xx")
		if !ok {
			return r
		}
		return judge(x, "a 2xx", is2xx, func(x exchange) string {
			if x.status/100 == 4 {
				return advice
			}
			return ""
		})
	}
}

// repeatCheck is the check of signature/repeat: the same delivery twice,
// each attempt signed afresh with the same message id. The second answer
// passes on a 2xx only: a 5xx is a crash, and any other answer makes a
// sender retry a delivery the receiver has already taken.
func repeatCheck(ctx context.Context, s *Suite, c Case) Result {
	const want = "a 2xx twice"
	if s.signer == nil {
		return skipped(unsignedRun)
	}
	body, err := s.payload(c)
	if err != nil {
		return suiteBug(want, err)
	}
	id := signature.NewMessageID()
	attempt := func() exchange {
		sig, err := s.signer.Sign(id, time.Now(), body)
		if err != nil {
			return exchange{err: err, timeout: s.cfg.Timeout}
		}
		return s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: body, sig: sig})
	}
	first := attempt()
	if first.skip != "" {
		return skipped(first.skip)
	}
	if !is2xx(first) {
		return first.mark(failed(want, "first attempt: "+first.got(), adviceFor(first)))
	}
	// A second apart at least, so that a timestamped signature differs.
	select {
	case <-ctx.Done():
		return skipped("the run was interrupted")
	case <-time.After(time.Until(time.Now().Truncate(time.Second).Add(time.Second))):
	}
	second := attempt()
	got := "first attempt: " + first.got() + "; second, same message id: " + second.got()
	if !is2xx(second) {
		a := adviceFor(second)
		if second.status/100 == 4 {
			a = "the receiver refused the repeat of a delivery it accepted: a sender retries every answer but a 2xx, so answer 2xx to a message id already processed, and skip it"
		}
		return second.mark(failed(want, got, a))
	}
	return second.mark(passed(got))
}

// otherSecret returns a secret unlike secret, of the same form: for a
// base64 secret (Standard Webhooks, with or without whsec_) the key with
// every bit flipped, else every character rotated.
func otherSecret(secret string) string {
	rest, prefixed := strings.CutPrefix(secret, "whsec_")
	if key, err := base64.StdEncoding.DecodeString(rest); err == nil && len(key) > 0 {
		for i := range key {
			key[i] ^= 0xff
		}
		out := base64.StdEncoding.EncodeToString(key)
		if prefixed {
			out = "whsec_" + out
		}
		return out
	}
	if r := rotate(secret); r != secret {
		return r
	}
	return secret + "0"
}

// splitSignatures splits the value v of scheme sc's signature header into
// the timestamp part (for a one-header scheme with parts), the signatures
// (each with its prefix), and the key of the signature parts.
func splitSignatures(sc signature.Scheme, v string) (ts string, sigs []string, key string) {
	if sc.Parts.IsZero() {
		return "", strings.Fields(v), ""
	}
	ts, sigs = sc.Parts.Split(v)
	return ts, sigs, sc.Parts.SignatureKey
}

// joinSignatures is the inverse of splitSignatures: ts (if any) and sigs,
// each under key, for a scheme with parts; sigs space-separated for one
// without.
func joinSignatures(sc signature.Scheme, ts, key string, sigs []string) string {
	if sc.Parts.IsZero() {
		return strings.Join(sigs, " ")
	}
	return sc.Parts.Join(ts, key, sigs)
}

var (
	versionedPrefix = regexp.MustCompile(`^([A-Za-z]+)(\d+)([,=])$`)
	versionedKey    = regexp.MustCompile(`^([A-Za-z]+)(\d+)$`)
)

// versionOf names the version that sc's signatures carry: their prefix
// ("v1,") or their part's key ("v1=").
func versionOf(sc signature.Scheme) string {
	if !sc.Parts.IsZero() {
		return sc.Parts.SignatureKey + "="
	}
	return sc.Prefix
}

// unknownVersion returns another version than sc's, when its signatures
// carry a numbered version: "v2," for Standard Webhooks' "v1,", the key
// "v0" for a part "v1=". A scheme whose signatures carry none, or a
// prefix that names the hash (hmac-sha256's "sha256="), has no unknown
// version to send.
func unknownVersion(sc signature.Scheme) (string, bool) {
	if !sc.Parts.IsZero() {
		m := versionedKey.FindStringSubmatch(sc.Parts.SignatureKey)
		if m == nil {
			return "", false
		}
		n := "0"
		if m[2] == "0" {
			n = "1"
		}
		return m[1] + n, true
	}
	m := versionedPrefix.FindStringSubmatch(sc.Prefix)
	if m == nil || strings.HasPrefix(strings.ToLower(m[1]), "sha") {
		return "", false
	}
	n, _ := strconv.Atoi(m[2])
	return m[1] + strconv.Itoa(n+1) + m[3], true
}

// changeOneByte returns body with one letter or digit inside a string value
// changed, such that the payload is still a valid payload of ev: a receiver
// that does not verify the signature accepts it. It tries the string values
// in order, and reports false when no change keeps the payload valid.
func changeOneByte(ev openapi.Event, body []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct{ object, wantKey bool }
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		isKey := len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].wantKey
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantKey = !isKey
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].wantKey = true
				}
				if len(stack) == 0 {
					return nil, false
				}
			}
		case string:
			if isKey {
				continue
			}
			end := int(dec.InputOffset()) - 1 // the closing quote
			start := bytes.LastIndexByte(body[:end], '"') + 1
			if start <= 0 || string(body[start:end]) != t {
				continue // escapes: not worth the trouble
			}
			for i := end - 1; i >= start; i-- {
				c := body[i]
				if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
					continue
				}
				changed := slices.Clone(body)
				changed[i] = rotate(string(c))[0]
				if openapi.Validate(ev, changed) == nil {
					return changed, true
				}
				break
			}
		}
	}
}

// reformat serialises the JSON body again with every object's keys in
// reverse order, indented by two spaces, with a space on each side of the
// colons: the same value in other bytes.
func reformat(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var b bytes.Buffer
	if err := reformatValue(dec, &b, ""); err != nil {
		return nil, fmt.Errorf("re-format the payload: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("re-format the payload: data after the JSON value")
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// reformatValue writes the next value of dec to b, at indent.
func reformatValue(dec *json.Decoder, b *bytes.Buffer, indent string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		inner := indent + "  "
		if t == '[' {
			var items []bytes.Buffer
			for dec.More() {
				var item bytes.Buffer
				if err := reformatValue(dec, &item, inner); err != nil {
					return err
				}
				items = append(items, item)
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			if len(items) == 0 {
				b.WriteString("[ ]")
				return nil
			}
			b.WriteString("[\n")
			for i, item := range items {
				b.WriteString(inner)
				b.Write(item.Bytes())
				if i < len(items)-1 {
					b.WriteByte(',')
				}
				b.WriteByte('\n')
			}
			b.WriteString(indent + "]")
			return nil
		}
		type member struct {
			key   string
			value bytes.Buffer
		}
		var members []*member
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			m := &member{key: k.(string)}
			if err := reformatValue(dec, &m.value, inner); err != nil {
				return err
			}
			members = append(members, m)
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		if len(members) == 0 {
			b.WriteString("{ }")
			return nil
		}
		b.WriteString("{\n")
		for i := len(members) - 1; i >= 0; i-- {
			key, _ := json.Marshal(members[i].key)
			b.WriteString(inner)
			b.Write(key)
			b.WriteString(" : ")
			b.Write(members[i].value.Bytes())
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case json.Number:
		b.WriteString(t.String())
	case string:
		s, _ := json.Marshal(t)
		b.Write(s)
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case nil:
		b.WriteString("null")
	}
	return nil
}
