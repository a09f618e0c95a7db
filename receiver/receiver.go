// Package receiver is a net/http handler for Go backends that receive
// Userfront webhooks. It does what hand-written receivers tend to get wrong:
// it accepts POST only, checks the bearer token (the webhook API key) in constant time (a test-mode
// and a live-mode token may differ), bounds the body, validates the payload
// against the spec, decodes it into the generated types of package gen, and
// calls one typed callback per event. An event without a typed callback,
// such as a webhook added to the spec before package gen has a type for it,
// goes to one generic callback, Callbacks.OnEvent. A callback error or panic
// answers 500, so that the sender retries; success answers 204.
//
// It is strict in what it refuses, and tolerant of the rest, since the spec
// can be stricter than Userfront and Userfront changes its records over
// time (a record of 2022 lacks isEmailConfirmed). It refuses with 400 only
// what it cannot route or identify: a body that is not one JSON object, a
// model and action that name no event of the catalog, a mode other than
// test or live, and a record whose identifying properties (those the spec
// marks x-identity, such as userId) are missing or of the wrong JSON type.
// Every other difference from the spec is a warning: it is listed in
// Delivery.Warnings, logged at warn level, counted in Handler.Stats, and
// handed to the callback, which still runs and may read it with Warnings. A
// value that does not fit its generated Go type is left at its zero value,
// with a warning. Options.Strict refuses every schema problem instead.
//
// # Signed webhooks
//
// Options.Signature turns on signature verification, for deliveries signed
// with Standard Webhooks or another scheme of package signature (the
// standard-webhooks, hmac-sha256 and timestamped presets, or a custom
// scheme). The signature is checked on the raw body bytes exactly as read,
// before anything parses them, in constant time, with a tolerance window on
// the timestamp (5 minutes by default) and any number of signatures in one
// header, against one secret or several while a key is rotated; Standard
// Webhooks is verified by its reference library. A delivery that fails is
// refused with 401 and ErrBadSignature, with the reason from package
// signature (such as signature.ErrTimestampTooOld) in the same chain. The
// checks run in this order: the method (405); the bearer token, from the
// headers alone, so a stranger's body is never read (401); the body's size
// (413: what was not read cannot be verified); the signature (401); then
// the payload (400). Without Options.Signature nothing changes.
//
// The endpoint subpackage serves the same handler on its own address, over
// HTTPS with a throwaway CA, which is what `ufhook receive` does.
package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver/internal/wire"
	"github.com/ufhook/ufhook/signature"
)

// DefaultMaxBodyBytes is the body limit when Options.MaxBodyBytes is zero.
const DefaultMaxBodyBytes int64 = 1 << 20

// Errors of the receiver. New returns ErrNoToken; every other one is the
// reason a request was rejected, found in Delivery.Err.
// Match them with errors.Is.
var (
	// ErrNoToken means Options.Token is empty: a receiver without a token
	// would accept anyone's webhooks.
	ErrNoToken = errors.New("no webhook API key configured")
	// ErrMethod means the request was not a POST (405).
	ErrMethod = errors.New("method not allowed")
	// ErrUnauthorized means the Authorization header was missing, not
	// Bearer, empty, or carried a token that matches none configured (401).
	// It also wraps bearer.ErrMissing, bearer.ErrScheme or bearer.ErrEmpty
	// where one of them applies.
	ErrUnauthorized = errors.New("missing or wrong webhook API key")
	// ErrModeMismatch means the payload's mode does not match the token it
	// came with, when both a test and a live token are configured (401). It
	// comes wrapped together with ErrUnauthorized.
	ErrModeMismatch = errors.New("payload mode does not match its webhook API key")
	// ErrTooLarge means the body exceeds Options.MaxBodyBytes (413).
	ErrTooLarge = errors.New("request body too large")
	// ErrBodyRead means the body could not be read to its end (400).
	ErrBodyRead = errors.New("could not read the request body")
	// ErrBadSignature means Options.Signature is set and the delivery's
	// signature does not verify (401). The reason from package signature
	// is in the same chain: signature.ErrMissingHeader,
	// signature.ErrBadSignature, signature.ErrBadTimestamp,
	// signature.ErrTimestampTooOld or signature.ErrTimestampInFuture.
	ErrBadSignature = errors.New("webhook signature not verified")
	// ErrMalformedJSON means the body is not one well-formed JSON object
	// (400).
	ErrMalformedJSON = errors.New("malformed JSON body")
	// ErrUnknownEvent means the body's model and action, or the other
	// values that tell events apart (openapi.Event.Consts), name no event of
	// the catalog (400).
	ErrUnknownEvent = errors.New("unknown model and action")
	// ErrInvalidPayload means the payload cannot be received (400): its mode
	// is neither test nor live, its record cannot be identified (then
	// ErrUnidentified is in the same chain too), or, with Options.Strict
	// only, it breaks its event's schema or does not fit the generated type.
	// Schema problems come as an *openapi.ValidationError in the same chain.
	ErrInvalidPayload = errors.New("payload does not match the schema")
	// ErrUnidentified means a property that identifies the record, one that
	// the spec marks x-identity such as userId, is missing, of the wrong
	// JSON type, or does not fit its generated Go type (400). It comes
	// wrapped together with ErrInvalidPayload.
	ErrUnidentified = errors.New("the record cannot be identified")
	// ErrWrongEvent means a per-event URL (Handle<Op>Webhook) received the
	// body of another event (400).
	ErrWrongEvent = errors.New("payload is another event than this URL serves")
	// ErrLiveOverHTTP means a live-mode payload reached a receiver that
	// serves plain HTTP, where only test-mode webhooks are allowed (403).
	ErrLiveOverHTTP = errors.New("live webhooks must be sent over HTTPS")
	// ErrCallback means the event's callback returned an error (500, so that
	// the sender retries). The callback's error is in the same chain.
	ErrCallback = errors.New("webhook callback failed")
	// ErrCallbackPanic means the event's callback panicked; the panic was
	// recovered and logged (500).
	ErrCallbackPanic = errors.New("webhook callback panicked")
)

// Options configures a Handler.
type Options struct {
	// Token is the webhook API key. With TestToken set, it is the live-mode
	// token; alone, it serves both modes. Required.
	Token string
	// TestToken is the optional test-mode token. When both are set, a
	// payload whose mode does not match the token it came with is rejected
	// with 401.
	TestToken string
	// MaxBodyBytes bounds the body; larger bodies get 413. Zero or less means
	// DefaultMaxBodyBytes (1 MiB).
	MaxBodyBytes int64
	// SkipValidation turns off validation against the spec. The payload is
	// still routed, its mode and identity checked, and decoded into the
	// generated types, so a value of the wrong JSON type is still a warning
	// (a 400 with Strict), but a broken format, pattern or required field
	// goes unnoticed.
	SkipValidation bool
	// Strict refuses with 400 every payload that breaks its event's schema
	// or does not fit the generated type, listing the problems, instead of
	// accepting it with warnings. Without it the handler refuses only what
	// it cannot route or identify (see the package documentation).
	Strict bool
	// TestModeOnly rejects live-mode payloads with 403, for a receiver that
	// serves plain HTTP: live webhooks need HTTPS.
	TestModeOnly bool
	// Signature, if set, verifies each delivery's signature (Standard
	// Webhooks or another scheme of package signature) on the raw body
	// bytes as read, before anything parses them; a delivery that fails
	// is refused with 401 and ErrBadSignature. The bearer token is still
	// checked, before the body is read. New checks the scheme and the
	// secrets (Verifier.Check) and keeps a copy. Nil verifies nothing.
	Signature *signature.Verifier
	// Logger receives one record per request, at warn level for a request
	// refused or accepted with warnings; nil discards them, except a
	// callback's panic, which then goes to slog.Default(). The token is
	// never logged.
	Logger *slog.Logger
}

// Callbacks are the handlers of the events: one typed callback per event that
// has a generated type, and OnEvent for every other. An event whose callback
// is nil, and that OnEvent does not take either, is accepted without doing
// anything (204). A callback's error answers 500, so that the sender retries;
// so does a panic, which is recovered and logged.
type Callbacks struct {
	// OnUserCreated through OnTenantDeleted receive their event, validated
	// (unless Options.SkipValidation) and decoded into its generated type.
	// ctx is the request's context; Warnings(ctx) lists the payload's
	// differences from the spec, if any, and a field that did not fit its Go
	// type has its zero value.
	OnUserCreated   func(ctx context.Context, ev gen.UserCreatedEvent) error
	OnUserUpdated   func(ctx context.Context, ev gen.UserUpdatedEvent) error
	OnUserDeleted   func(ctx context.Context, ev gen.UserDeletedEvent) error
	OnTenantCreated func(ctx context.Context, ev gen.TenantCreatedEvent) error
	OnTenantUpdated func(ctx context.Context, ev gen.TenantUpdatedEvent) error
	OnTenantDeleted func(ctx context.Context, ev gen.TenantDeletedEvent) error
	// OnLoginLinkEmail, OnLoginCodeEmail and OnLoginCodeSms receive the
	// messaging webhooks, which Userfront sends instead of an email or a
	// text message: send ev.Factor.Message to ev.Factor.Email (or
	// PhoneNumber). Validated and decoded like the others.
	OnLoginLinkEmail func(ctx context.Context, ev gen.LoginLinkEmailEvent) error
	OnLoginCodeEmail func(ctx context.Context, ev gen.LoginCodeEmailEvent) error
	OnLoginCodeSms   func(ctx context.Context, ev gen.LoginCodeSmsEvent) error
	// OnEvent, if set, receives every event of the catalog that has no
	// typed callback: one of the above left nil, or an event of the spec
	// that this package has no generated type for (a webhook added to
	// openapi/webhooks.yaml is received this way with no Go change). ev is
	// the catalog's entry; body is the payload as received, validated
	// against ev's schema (unless Options.SkipValidation) and, for an event
	// with a generated type, checked to decode into it; Warnings(ctx) lists
	// its differences from the spec. Like a typed callback, it answers 204
	// when it returns nil, and 500 on an error or a panic. ctx is the
	// request's context.
	OnEvent func(ctx context.Context, ev openapi.Event, body json.RawMessage) error
	// OnDelivery, if set, is called once per request after the response
	// status is chosen, accepted or not. It may be called concurrently.
	OnDelivery func(d Delivery)
}

// Delivery describes one request, for OnDelivery.
type Delivery struct {
	// Time is when the request arrived.
	Time time.Time
	// Event is the event's name, e.g. "user.created"; "" if unknown.
	Event string
	// Mode is the payload's mode; "" if unknown.
	Mode gen.Mode
	// RecordID is the record's identity: the value of the property that
	// the spec marks x-identity (the userId of a user, the tenantId of a
	// tenant), as text, or several joined with "/"; "" if unknown or when
	// the event has no identifying property (the messaging webhooks).
	RecordID string
	// Status is the HTTP status answered.
	Status int
	// Err is why the request was rejected or failed; nil on success.
	Err error
	// Warnings are the payload's differences from the spec that the
	// handler tolerated, each with its JSON pointer: schema problems, and
	// values left at their zero value because they did not fit the
	// generated type. Nil when there are none, and always with
	// Options.Strict.
	Warnings []openapi.Problem
	// Body is the request body as read; nil when it was not read.
	Body []byte
	// Signed reports that the body's signature was verified
	// (Options.Signature); false without a verifier, or when the request
	// was refused before or at the signature check.
	Signed bool
}

// Handler is an http.Handler for one URL that serves every event of the
// catalog: the event comes from the body's model and action, and for events
// that share them, from the other values that tell them apart
// (openapi.Event.Consts). It also
// implements gen.WebhookReceiverInterface for receivers that mount one URL
// per event; each Handle<Op>Webhook method rejects the body of another event
// with 400. A Handler is safe for concurrent use.
type Handler struct {
	opts   Options
	cb     Callbacks
	log    *slog.Logger
	panics *slog.Logger          // where a callback's panic is logged
	routes map[routeKey][]*route // model, action -> events, most consts first
	known  string                // the catalog's events as bodies name them, for errors
	// The counts of Stats.
	accepted, rejected, failed, warned, warnings atomic.Uint64
}

// Stats counts the requests that a Handler has answered since New.
type Stats struct {
	// Accepted counts the requests answered 2xx, warnings or not.
	Accepted uint64
	// Rejected counts the requests refused with a 4xx.
	Rejected uint64
	// Failed counts the requests answered 5xx: their callback failed or
	// panicked.
	Failed uint64
	// Warned counts the requests whose payload had at least one warning,
	// whatever the answer.
	Warned uint64
	// Warnings counts the warnings of all requests.
	Warnings uint64
}

// Stats returns the handler's counts. It is safe for concurrent use, and
// each count is exact, though a request in flight may be in one count and
// not yet in another.
func (h *Handler) Stats() Stats {
	return Stats{
		Accepted: h.accepted.Load(),
		Rejected: h.rejected.Load(),
		Failed:   h.failed.Load(),
		Warned:   h.warned.Load(),
		Warnings: h.warnings.Load(),
	}
}

var _ gen.WebhookReceiverInterface = (*Handler)(nil)
var _ http.Handler = (*Handler)(nil)

// New returns a Handler for every event of the spec's catalog. It errors
// with ErrNoToken when opts.Token is empty, and with signature.ErrBadScheme
// or signature.ErrBadSecret when opts.Signature is set and its scheme or a
// secret is unusable. An event of the spec that has no generated type is
// served too: see Callbacks.OnEvent.
func New(opts Options, cb Callbacks) (*Handler, error) {
	return newHandler(opts, cb, bindings)
}

// newHandler is New with the table of bindings as a parameter, so that a
// test can leave an event unbound.
func newHandler(opts Options, cb Callbacks, table func(*Callbacks) map[string]binding) (*Handler, error) {
	if opts.Token == "" {
		return nil, fmt.Errorf("%w: set Options.Token to the webhook API key from Userfront's webhook settings (the live-mode key when TestToken is set too)", ErrNoToken)
	}
	sig, err := opts.Signature.Checked()
	if err != nil {
		return nil, fmt.Errorf("receiver: Options.Signature: %w", err)
	}
	opts.Signature = sig
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	log, panics := opts.Logger, opts.Logger
	if log == nil {
		log, panics = slog.New(slog.DiscardHandler), slog.Default()
	}
	evs, err := openapi.Events()
	if err != nil {
		return nil, err
	}
	h := &Handler{opts: opts, cb: cb, log: log, panics: panics, routes: make(map[routeKey][]*route, len(evs))}
	bound := table(&h.cb)
	var pairs []string
	for _, ev := range evs {
		rt := newRoute(ev)
		if b, ok := bound[ev.Name]; ok {
			rt.b, rt.idx = &b, headIndexOf(b.typ, ev)
		}
		h.addRoute(rt)
		pairs = append(pairs, rt.describe())
	}
	h.known = strings.Join(pairs, ", ")
	return h, nil
}

// ServeHTTP handles one webhook of any event.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve(w, r, "") }

// rejection is a failed request: its status, its error, and what the
// response body says.
type rejection struct {
	status   int
	err      error
	message  string
	problems []openapi.Problem
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, only string) {
	d := Delivery{Time: time.Now()}
	rej := h.handle(w, r, only, &d)
	if rej == nil {
		d.Status = http.StatusNoContent
		w.WriteHeader(http.StatusNoContent)
	} else {
		d.Status, d.Err = rej.status, rej.err
		h.reject(w, d.Event, rej)
	}
	switch {
	case d.Status < 300:
		h.accepted.Add(1)
	case d.Status < 500:
		h.rejected.Add(1)
	default:
		h.failed.Add(1)
	}
	if n := len(d.Warnings); n > 0 {
		h.warned.Add(1)
		h.warnings.Add(uint64(n))
	}
	h.logDelivery(r, &d)
	if h.cb.OnDelivery != nil {
		h.cb.OnDelivery(d)
	}
}

// handle runs the checks in order and the callback; nil means success.
func (h *Handler) handle(w http.ResponseWriter, r *http.Request, only string, d *Delivery) *rejection {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return &rejection{status: http.StatusMethodNotAllowed,
			err:     fmt.Errorf("%w: %s", ErrMethod, r.Method),
			message: "method " + r.Method + " not allowed: webhooks are sent with POST"}
	}

	// Auth. Both tokens are always compared, so the time taken does not
	// tell which one was close.
	tok, err := bearer.Parse(r.Header.Get("Authorization"))
	if err != nil {
		return unauthorized(fmt.Errorf("%w: %w", ErrUnauthorized, err),
			err.Error()+": send the header Authorization: Bearer <webhook API key>")
	}
	liveOK := bearer.Equal(tok, h.opts.Token)
	testOK := bearer.Equal(tok, h.opts.TestToken)
	if !liveOK && !testOK {
		return unauthorized(ErrUnauthorized, "wrong webhook API key: send the key that this receiver is configured with")
	}

	body, rej := h.readBody(w, r)
	if rej != nil {
		return rej
	}
	d.Body = body

	// The signature, on the bytes as read, before anything parses them.
	if v := h.opts.Signature; v != nil {
		if err := v.Verify(r.Header, body); err != nil {
			return badSignature(err)
		}
		d.Signed = true
	}

	// Route, validate against the spec, and decode into the generated type.
	var ev decoded
	if h.opts.SkipValidation {
		ev, rej = h.decodeLax(body, d)
	} else {
		ev, rej = h.decodeValidated(body, d)
	}
	if rej != nil {
		return rej
	}
	event := ev.rt.ev.Name
	d.Event, d.Mode, d.RecordID, d.Warnings = event, ev.mode, ev.recordID, ev.warnings
	h.bindOnEvent(&ev, body)
	if only != "" && event != only {
		return &rejection{status: http.StatusBadRequest,
			err:     fmt.Errorf("%w: got %s at the URL for %s", ErrWrongEvent, event, only),
			message: fmt.Sprintf("this URL receives %s webhooks, not %s: check the webhook URL settings", only, event)}
	}

	// Mode against token.
	if h.opts.TestToken != "" && !(liveOK && ev.mode == gen.ModeLive || testOK && ev.mode == gen.ModeTest) {
		return unauthorized(fmt.Errorf("%w: %w: %s payload", ErrUnauthorized, ErrModeMismatch, ev.mode),
			fmt.Sprintf("a %s-mode payload needs the %s-mode webhook API key", ev.mode, ev.mode))
	}
	if h.opts.TestModeOnly && ev.mode != gen.ModeTest {
		return &rejection{status: http.StatusForbidden,
			err:     ErrLiveOverHTTP,
			message: "live webhooks must be sent over HTTPS: this receiver serves plain HTTP and accepts test-mode webhooks only"}
	}

	return h.call(r.Context(), ev, d)
}

// decodeValidated routes body by its model and action, checks its mode and
// identity, validates it against the event's schema, and decodes it into
// the event's generated type. By default, schema problems and values that
// do not fit the generated type become warnings; with Options.Strict they
// are 400s.
func (h *Handler) decodeValidated(body []byte, d *Delivery) (decoded, *rejection) {
	v, err := openapi.DecodeJSON(body)
	if err != nil {
		return decoded{}, malformed(err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return decoded{}, malformed(errors.New("the body is not a JSON object"))
	}
	rt, rej := h.routePayload(obj, d)
	if rej != nil {
		return decoded{}, rej
	}
	event := rt.ev.Name
	var warnings []openapi.Problem
	if err := openapi.ValidateValue(rt.ev, v); err != nil {
		if h.opts.Strict {
			return decoded{}, invalid(event, err)
		}
		warnings = wire.ProblemsOf(err)
	}
	mode, rej := checkMode(obj["mode"], d)
	if rej != nil {
		return decoded{}, rej
	}
	id, rej := identify(rt, v)
	if rej != nil {
		return decoded{}, rej
	}
	if rt.b == nil {
		return generic(rt, mode, id, warnings), nil
	}
	if p := checkKeys(v, rt.b.typ, ""); p != nil {
		if h.opts.Strict {
			return decoded{}, &rejection{status: http.StatusBadRequest,
				err:      fmt.Errorf("%w: %s", ErrInvalidPayload, p),
				message:  event + " payload has a key that the generated types would read in place of a validated field: fix the key listed in problems",
				problems: []openapi.Problem{*p}}
		}
		return decodeFitted(rt, v, id, warnings)
	}
	ev, err := decodeTyped(rt, body)
	if err != nil {
		if h.opts.Strict {
			return decoded{}, decodeRejection(err)
		}
		return decodeFitted(rt, v, id, warnings)
	}
	ev.recordID, ev.warnings = id, warnings
	return ev, nil
}

// decodeLax routes and decodes body without the schema. The mode and the
// record's identity are still checked; a value that does not fit the
// generated type is a warning (a 400 with Options.Strict); formats,
// patterns and required fields are not checked.
func (h *Handler) decodeLax(body []byte, d *Delivery) (decoded, *rejection) {
	if ev, ok := h.decodeQuick(body); ok {
		d.Event, d.Mode = ev.rt.ev.Name, ev.mode
		return ev, nil
	}
	// The slow way, from the generic form: it tells a missing field from
	// a zero one, and a value of the wrong type from a broken body.
	v, err := openapi.DecodeJSON(body)
	if err != nil {
		return decoded{}, malformed(err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return decoded{}, malformed(errors.New("the body is not a JSON object"))
	}
	rt, rej := h.routePayload(obj, d)
	if rej != nil {
		return decoded{}, rej
	}
	mode, rej := checkMode(obj["mode"], d)
	if rej != nil {
		return decoded{}, rej
	}
	id, rej := identify(rt, v)
	if rej != nil {
		return decoded{}, rej
	}
	if rt.b == nil {
		return generic(rt, mode, id, nil), nil
	}
	ev, err := decodeTyped(rt, body)
	if err != nil {
		if h.opts.Strict {
			return decoded{}, decodeRejection(err)
		}
		return decodeFitted(rt, v, id, nil)
	}
	ev.recordID = id
	return ev, nil
}

// decodeQuick decodes body straight into its event's generated type, when
// that is all it takes: the body is a payload of an event with a generated
// type, which decodes as it is and from which the type reads a valid mode
// and the record's identity. ok is false otherwise, and the caller decodes
// the slow way, which tells why.
func (h *Handler) decodeQuick(body []byte) (ev decoded, ok bool) {
	if ev, ok = h.decodeFast(body); !ok {
		var head struct {
			Action string `json:"action"`
			Model  string `json:"model"`
		}
		if err := json.Unmarshal(body, &head); err != nil {
			return decoded{}, false
		}
		rt := h.routeBody(head.Model, head.Action, body)
		if rt == nil || rt.b == nil {
			return decoded{}, false
		}
		var err error
		if ev, err = decodeTyped(rt, body); err != nil {
			return decoded{}, false
		}
	}
	return ev, ev.identified && (ev.mode == gen.ModeLive || ev.mode == gen.ModeTest)
}

// decodeFast decodes a body that starts the way Userfront writes it,
// {"action":"…","model":"…", straight into the event's type, saving a
// decoding pass. The decoded action and model must match the start (a later
// duplicate key wins in encoding/json); ok is false when they do not, or the
// body starts otherwise, or the event has no generated type, and the caller
// decodes the slow way.
func (h *Handler) decodeFast(body []byte) (ev decoded, ok bool) {
	action, rest, found := cutString(body, `{"action":"`)
	if !found {
		return decoded{}, false
	}
	model, _, found := cutString(rest, `,"model":"`)
	if !found {
		return decoded{}, false
	}
	rt := h.routeBody(model, action, body)
	if rt == nil || rt.b == nil {
		return decoded{}, false
	}
	ev, err := decodeTyped(rt, body)
	if err != nil || ev.action != action || ev.model != model {
		return decoded{}, false
	}
	return ev, true
}

// routePayload finds the event of a payload, decoded by
// openapi.DecodeJSON, and records it on d, with the payload's mode when it
// is valid.
func (h *Handler) routePayload(obj map[string]any, d *Delivery) (*route, *rejection) {
	model, _ := obj["model"].(string)
	action, _ := obj["action"].(string)
	rt := h.routeOf(model, action, obj)
	if rt == nil {
		return nil, h.unknownEvent(obj["model"], obj["action"])
	}
	d.Event = rt.ev.Name
	if mode, _ := obj["mode"].(string); mode == string(gen.ModeLive) || mode == string(gen.ModeTest) {
		d.Mode = gen.Mode(mode)
	}
	return rt, nil
}

// checkMode checks a payload's mode, which the handler needs to match the
// token, and records it on d.
func checkMode(v any, d *Delivery) (gen.Mode, *rejection) {
	mode, _ := v.(string)
	if mode != string(gen.ModeLive) && mode != string(gen.ModeTest) {
		return "", &rejection{status: http.StatusBadRequest,
			err:      fmt.Errorf("%w: mode %s", ErrInvalidPayload, jsonText(v)),
			message:  fmt.Sprintf("mode %s is neither test nor live: send mode test or live", jsonText(v)),
			problems: []openapi.Problem{{Path: "/mode", Keyword: "enum", Message: "got " + jsonText(v) + ", want \"test\" or \"live\""}}}
	}
	d.Mode = gen.Mode(mode)
	return d.Mode, nil
}

// identify reads the record's identity from v, the generic form of a
// payload of rt's event, or refuses the payload.
func identify(rt *route, v any) (string, *rejection) {
	id, problems := rt.ev.Identify(v)
	if problems != nil {
		return "", unidentified(rt.ev.Name, problems)
	}
	return id, nil
}

// unidentified is the 400 of a payload whose identifying properties are
// missing, of the wrong type, or do not fit the generated type.
func unidentified(event string, problems []openapi.Problem) *rejection {
	paths := make([]string, len(problems))
	texts := make([]string, len(problems))
	for i, p := range problems {
		paths[i], texts[i] = p.Path, p.String()
	}
	return &rejection{status: http.StatusBadRequest,
		err:      fmt.Errorf("%w: %w: %s", ErrInvalidPayload, ErrUnidentified, strings.Join(texts, "; ")),
		message:  fmt.Sprintf("%s payload cannot be identified: send %s, of the type the spec gives (see problems)", event, strings.Join(paths, " and ")),
		problems: problems}
}

// invalid is the 400 of a payload that breaks its schema, under
// Options.Strict.
func invalid(event string, err error) *rejection {
	return &rejection{status: http.StatusBadRequest,
		err:      joined{ErrInvalidPayload, err},
		message:  event + " payload does not match the schema: fix the fields listed in problems",
		problems: wire.ProblemsOf(err)}
}

// generic is a payload of an event without a generated type: its head only.
func generic(rt *route, mode gen.Mode, id string, warnings []openapi.Problem) decoded {
	return decoded{rt: rt, warnings: warnings,
		head: head{action: rt.ev.Action, model: rt.ev.Model, mode: mode, recordID: id, identified: true}}
}

// decodeFitted decodes v, the generic form of a payload that does not
// decode as it is, into rt's generated type, after fit has dropped what the
// type cannot hold. Each value dropped is a warning, added to warnings
// (replacing a schema problem of the same path and rule); one at or above
// an identifying property refuses the payload, since the callback would not
// get the record's identity.
func decodeFitted(rt *route, v any, id string, warnings []openapi.Problem) (decoded, *rejection) {
	var dropped []openapi.Problem
	fitted, _ := fit(v, rt.b.typ, "", &dropped)
	ids := rt.ev.Identity()
	for _, p := range dropped {
		for _, ptr := range ids {
			if p.Path == ptr || strings.HasPrefix(ptr, p.Path+"/") {
				return decoded{}, unidentified(rt.ev.Name, []openapi.Problem{p})
			}
		}
	}
	body, err := json.Marshal(fitted)
	if err != nil {
		return decoded{}, decodeRejection(err)
	}
	ev, err := decodeTyped(rt, body)
	if err != nil {
		return decoded{}, decodeRejection(err)
	}
	ev.recordID, ev.warnings = id, mergeProblems(warnings, dropped)
	return ev, nil
}

// mergeProblems adds the problems of fit to those of the schema, sorted by
// path: one of fit replaces one of the schema with the same path and rule,
// which is the same finding with what the callback gets.
func mergeProblems(schema, dropped []openapi.Problem) []openapi.Problem {
	if len(dropped) == 0 {
		return schema
	}
	type key struct{ path, rule string }
	seen := make(map[key]bool, len(dropped))
	for _, p := range dropped {
		seen[key{p.Path, p.Keyword}] = true
	}
	out := make([]openapi.Problem, 0, len(schema)+len(dropped))
	for _, p := range schema {
		if !seen[key{p.Path, p.Keyword}] {
			out = append(out, p)
		}
	}
	out = append(out, dropped...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// cutString expects b to start with prefix followed by a JSON string without
// escapes, and returns that string and what follows its closing quote.
func cutString(b []byte, prefix string) (string, []byte, bool) {
	if !bytes.HasPrefix(b, []byte(prefix)) {
		return "", nil, false
	}
	b = b[len(prefix):]
	end := bytes.IndexByte(b, '"')
	if end < 0 || bytes.IndexByte(b[:end], '\\') >= 0 {
		return "", nil, false
	}
	return string(b[:end]), b[end+1:], true
}

// joined is an error that matches both sentinel and cause with errors.Is,
// and reads as cause alone, which already says what sentinel says.
type joined struct{ sentinel, cause error }

func (j joined) Error() string   { return j.cause.Error() }
func (j joined) Unwrap() []error { return []error{j.sentinel, j.cause} }

// readBody reads the whole body within the limit (wire.ReadBody).
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *rejection) {
	max := h.opts.MaxBodyBytes
	body, over, err := wire.ReadBody(w, r, max)
	switch {
	case over:
		return nil, tooLarge(max)
	case err != nil:
		return nil, &rejection{status: http.StatusBadRequest,
			err:     fmt.Errorf("%w: %w", ErrBodyRead, err),
			message: "could not read the request body: send the whole body with a correct Content-Length"}
	}
	return body, nil
}

// decoded is a payload decoded into its generated type (or only its head,
// for an event without one), with the callback bound to it.
type decoded struct {
	head
	rt   *route
	call func(ctx context.Context) error // nil without a callback
	// warnings are the payload's differences from the spec that the
	// handler tolerated.
	warnings []openapi.Problem
}

// decodeTyped decodes body into rt's generated type, which rt.b must have,
// and binds its typed callback, if set.
func decodeTyped(rt *route, body []byte) (decoded, error) {
	ev, err := rt.b.decode(body, rt.idx)
	if err != nil {
		return decoded{}, err
	}
	ev.rt = rt
	return ev, nil
}

// bindOnEvent binds OnEvent, if set, to an event without a typed callback:
// it gets body, the payload as received.
func (h *Handler) bindOnEvent(ev *decoded, body []byte) {
	if ev.call != nil || h.cb.OnEvent == nil {
		return
	}
	on, e, raw := h.cb.OnEvent, ev.rt.ev, json.RawMessage(body)
	ev.call = func(ctx context.Context) error { return on(ctx, e, raw) }
}

// call runs the event's callback, turning an error or a panic into a 500.
func (h *Handler) call(ctx context.Context, ev decoded, d *Delivery) (rej *rejection) {
	event := ev.rt.ev.Name
	if ev.call == nil {
		return nil
	}
	if len(ev.warnings) > 0 {
		ctx = context.WithValue(ctx, warningsKey{}, ev.warnings)
	}
	defer func() {
		if p := recover(); p != nil {
			h.panics.Error("webhook callback panicked", "event", event, "record", d.RecordID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			rej = &rejection{status: http.StatusInternalServerError,
				err:     fmt.Errorf("%w: %v", ErrCallbackPanic, p),
				message: "the " + event + " handler failed: retry later"}
		}
	}()
	if err := ev.call(ctx); err != nil {
		return &rejection{status: http.StatusInternalServerError,
			err:     fmt.Errorf("%w: %w", ErrCallback, err),
			message: "the " + event + " handler failed: retry later"}
	}
	return nil
}

// decodeRejection turns an encoding/json error into a 400 that names the
// field where it can.
func decodeRejection(err error) *rejection {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := ""
		if te.Field != "" {
			path = "/" + pointerFromField(te.Field)
		}
		return &rejection{status: http.StatusBadRequest,
			err:      fmt.Errorf("%w: %w", ErrInvalidPayload, err),
			message:  "payload does not fit the webhook's types: fix the fields listed in problems",
			problems: []openapi.Problem{{Path: path, Keyword: "type", Message: "got " + te.Value + ", want " + jsonKind(te.Type)}}}
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return &rejection{status: http.StatusBadRequest,
			err:     fmt.Errorf("%w: %w", ErrInvalidPayload, err),
			message: "payload has a date-time that the generated types cannot read (" + pe.Error() + "): write it as 2024-05-15T23:04:50.787Z"}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return malformed(err)
	}
	return &rejection{status: http.StatusBadRequest,
		err:     fmt.Errorf("%w: %w", ErrInvalidPayload, err),
		message: "payload does not fit the webhook's types: " + err.Error()}
}

// jsonKind names the JSON type that a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

// pointerFromField turns encoding/json's dotted field path into a JSON
// pointer body.
func pointerFromField(field string) string {
	b := []byte(field)
	for i, c := range b {
		if c == '.' {
			b[i] = '/'
		}
	}
	return string(b)
}

func malformed(err error) *rejection {
	return &rejection{status: http.StatusBadRequest,
		err:     fmt.Errorf("%w: %w", ErrMalformedJSON, err),
		message: "the body is not well-formed JSON (" + err.Error() + "): send one JSON object {action, model, mode, record}"}
}

func (h *Handler) unknownEvent(model, action any) *rejection {
	m, _ := model.(string)
	a, _ := action.(string)
	if rts := h.routes[routeKey{m, a}]; len(rts) > 0 {
		return &rejection{status: http.StatusBadRequest,
			err:     fmt.Errorf("%w: model %v, action %v, other values unknown", ErrUnknownEvent, model, action),
			message: fmt.Sprintf("no webhook with model %s and action %s has this body's other values (%s): send one of %s", jsonText(model), jsonText(action), extraFields(rts), h.known)}
	}
	return &rejection{status: http.StatusBadRequest,
		err:     fmt.Errorf("%w: model %v, action %v", ErrUnknownEvent, model, action),
		message: fmt.Sprintf("no webhook has model %s and action %s: send one of the model/action pairs %s", jsonText(model), jsonText(action), h.known)}
}

func unauthorized(err error, message string) *rejection {
	return &rejection{status: http.StatusUnauthorized, err: err, message: message}
}

// badSignature is the 401 of a delivery whose signature does not verify;
// err, from package signature, says why and what to do, and never holds a
// secret.
func badSignature(err error) *rejection {
	return &rejection{status: http.StatusUnauthorized,
		err:     fmt.Errorf("%w: %w", ErrBadSignature, err),
		message: "the webhook signature does not verify: " + err.Error()}
}

func tooLarge(max int64) *rejection {
	return &rejection{status: http.StatusRequestEntityTooLarge,
		err:     fmt.Errorf("%w: over %d bytes", ErrTooLarge, max),
		message: fmt.Sprintf("the body is over the limit of %d bytes: send a smaller payload or raise the receiver's limit", max)}
}

// jsonText shows a decoded JSON value, or "(missing)".
func jsonText(v any) string {
	if v == nil {
		return "(missing)"
	}
	b, err := json.Marshal(v)
	if err != nil || len(b) > 64 {
		return "(not a string)"
	}
	return string(b)
}

// reject writes the JSON error body.
func (h *Handler) reject(w http.ResponseWriter, event string, rej *rejection) {
	if rej.status == http.StatusUnauthorized && !errors.Is(rej.err, ErrBadSignature) {
		if errors.Is(rej.err, bearer.ErrMissing) {
			w.Header().Set("WWW-Authenticate", `Bearer`)
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
	}
	wire.WriteError(w, rej.status, wire.ErrorBody{Error: rej.message, Event: event, Problems: rej.problems})
}

func (h *Handler) logDelivery(r *http.Request, d *Delivery) {
	level := slog.LevelInfo
	switch {
	case d.Status >= 500:
		level = slog.LevelError
	case d.Status >= 400 || len(d.Warnings) > 0:
		level = slog.LevelWarn
	}
	ctx := r.Context()
	if !h.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("event", d.Event),
		slog.String("mode", string(d.Mode)),
		slog.String("record", d.RecordID),
		slog.Int("status", d.Status),
		slog.String("remote", r.RemoteAddr),
	}
	if h.opts.Signature != nil {
		attrs = append(attrs, slog.Bool("signed", d.Signed))
	}
	if d.Err != nil {
		attrs = append(attrs, slog.String("err", d.Err.Error()))
	}
	if n := len(d.Warnings); n > 0 {
		attrs = append(attrs, slog.Int("warnings", n), slog.String("warning", summarize(d.Warnings, maxLoggedWarnings)))
	}
	h.log.LogAttrs(ctx, level, "webhook", attrs...)
}
