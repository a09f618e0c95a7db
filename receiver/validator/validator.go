// Package validator is a net/http handler that receives the webhooks of any
// OpenAPI 3.1 document in use (openapi.UseFile): it verifies, validates and
// reports each delivery, with no generated Go types. It is what `ufhook
// receive --spec FILE` serves; package receiver is the typed handler for
// Userfront's own document.
//
// Per request it bounds the body (413 beyond Options.MaxBodyBytes), routes
// the delivery to its webhook, checks the credentials that the webhook's
// security scheme declares in constant time (401 with a WWW-Authenticate
// header that fits the scheme), checks the method (405) and the
// Content-Type, and validates the body against the webhook's schema.
//
// A delivery is routed, in this order:
//
//  1. by the request path, when its last segment is a webhook's name
//     (/hooks/push serves push), so that one handler can serve several
//     webhooks on their own paths;
//  2. by the header parameters whose value the document fixes (say
//     X-GitHub-Event: push): the webhook whose fixed headers all match;
//  3. by the string consts of the body (openapi.Event.Matches): the match
//     with the most consts;
//  4. by schema: the webhooks whose schema the body validates against. One
//     is the delivery's webhook; of several, the first in document order,
//     with a warning that names the others; with none, a 400 that lists the
//     problems against the closest webhook (the one with fewest problems of
//     the whole body, then fewest problems).
//
// So a payload that breaks its schema is tolerated (see below) only once
// its webhook is known by path, headers or consts: a document without
// consts or fixed headers is best served one webhook per path.
//
// Options.Signature verifies signed deliveries (Standard Webhooks, the
// hmac-sha256 and timestamped presets of package signature, or a custom
// scheme), as providers that sign rather than send a token need: on the raw
// body bytes as read, before the body is parsed, in constant time, with a
// tolerance window on the timestamp (5 minutes by default), several
// signatures in one header and several secrets. A delivery that fails is
// refused with 401 and ErrBadSignature, the reason from package signature
// in the same chain. It is checked once the body is read (after the method,
// the credentials shared by every candidate webhook, the Content-Type under
// Strict, and the body's size), before routing by the body.
//
// Like package receiver it is strict in what it refuses and tolerant of the
// rest: by default a payload that breaks its schema, or a Content-Type that
// is not JSON, is accepted (204) with warnings in Delivery.Warnings;
// Options.Strict refuses them instead (400, 415). Every refusal has a JSON
// body {"error", "event", "problems"}, the shape of package receiver's.
package validator

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver/internal/wire"
	"github.com/ufhook/ufhook/signature"
)

// DefaultMaxBodyBytes is the body limit when Options.MaxBodyBytes is zero.
const DefaultMaxBodyBytes int64 = 1 << 20

// Errors of the validator. New returns ErrNoToken or ErrNoEvents; every
// other one is the reason a request was refused, found in Delivery.Err.
// Match them with errors.Is.
var (
	// ErrNoToken means Options.Token is empty while a webhook of the
	// document declares credentials.
	ErrNoToken = errors.New("no webhook credentials configured")
	// ErrNoEvents means the document in use has no webhook to serve.
	ErrNoEvents = errors.New("no webhooks to serve")
	// ErrMethod means the request's method is not the one its webhook is
	// sent with (405).
	ErrMethod = errors.New("method not allowed")
	// ErrUnauthorized means the credentials that the webhook's security
	// scheme declares are missing or wrong (401).
	ErrUnauthorized = errors.New("missing or wrong webhook credentials")
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
	// ErrContentType means the Content-Type is not JSON (415, with
	// Options.Strict only; a warning otherwise).
	ErrContentType = errors.New("content type is not JSON")
	// ErrMalformedJSON means the body is not one well-formed JSON value
	// (400).
	ErrMalformedJSON = errors.New("malformed JSON body")
	// ErrUnknownEvent means the delivery fits no webhook of the document:
	// not by path, headers or consts, and its body validates against no
	// webhook's schema (400).
	ErrUnknownEvent = errors.New("no webhook fits the delivery")
	// ErrInvalidPayload means the payload breaks its webhook's schema (400,
	// with Options.Strict only). The problems come as an
	// *openapi.ValidationError in the same chain.
	ErrInvalidPayload = errors.New("payload does not match the schema")
)

// Options configures a Handler.
type Options struct {
	// Token is the secret the deliveries carry, read as each webhook's
	// security scheme says: the bearer token (http bearer), "user:password"
	// (http basic), or the API key (apiKey in a header or the query).
	// Required unless every webhook declares no security.
	Token string
	// MaxBodyBytes bounds the body; larger bodies get 413. Zero or less
	// means DefaultMaxBodyBytes (1 MiB).
	MaxBodyBytes int64
	// Strict refuses a payload that breaks its webhook's schema (400) and
	// a Content-Type that is not JSON (415), instead of accepting them with
	// warnings.
	Strict bool
	// Signature, if set, verifies each delivery's signature (Standard
	// Webhooks or another scheme of package signature) on the raw body
	// bytes as read, before the body is parsed; a delivery that fails is
	// refused with 401 and ErrBadSignature. Credentials the document
	// declares are checked too. New checks the scheme and the secrets
	// (Verifier.Check) and keeps a copy. Nil verifies nothing.
	Signature *signature.Verifier
	// Logger receives one record per request, at warn level for a request
	// refused or accepted with warnings; nil discards them. The token is
	// never logged.
	Logger *slog.Logger
	// OnDelivery, if set, is called once per request after the response
	// status is chosen, accepted or not. It may be called concurrently.
	OnDelivery func(Delivery)
}

// Route names how a delivery found its webhook.
type Route string

// The ways of routing, in the order they are tried.
const (
	// ByPath: the last segment of the request path is the webhook's name.
	ByPath Route = "path"
	// ByHeader: the request carries the header values the webhook fixes.
	ByHeader Route = "header"
	// ByConsts: the body carries the webhook's string consts.
	ByConsts Route = "consts"
	// BySchema: the body validates against the webhook's schema.
	BySchema Route = "schema"
)

// Delivery describes one request, for Options.OnDelivery.
type Delivery struct {
	// Time is when the request arrived.
	Time time.Time
	// Event is the webhook's name, e.g. "push"; "" if unknown.
	Event string
	// Route is how the webhook was found; "" if it was not.
	Route Route
	// Status is the HTTP status answered.
	Status int
	// Err is why the request was refused; nil on success.
	Err error
	// Warnings are what the handler tolerated, each with its JSON
	// pointer: schema problems, a Content-Type that is not JSON, a body
	// that fits several webhooks. Nil when there are none.
	Warnings []openapi.Problem
	// Body is the request body as read; nil when it was not read.
	Body []byte
	// Signed reports that the body's signature was verified
	// (Options.Signature); false without a verifier, or when the request
	// was refused before or at the signature check.
	Signed bool
}

// Handler is an http.Handler that serves every webhook of the document in
// use when New was called. It is safe for concurrent use.
type Handler struct {
	opts    Options
	log     *slog.Logger
	events  []entry
	byName  map[string]int
	methods []string // every webhook's method, for Allow
}

// entry is a webhook and what routing reads of it.
type entry struct {
	ev     openapi.Event
	fixed  []openapi.Header // the header parameters with a fixed value
	consts int              // how many consts the body must carry
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler for every webhook of the document in use
// (openapi.Events). It errors with ErrNoToken when opts.Token is empty and
// a webhook declares credentials, with ErrNoEvents when there is no
// webhook, and with signature.ErrBadScheme or signature.ErrBadSecret when
// opts.Signature is set and its scheme or a secret is unusable. Build it after openapi.UseFile: it keeps the webhooks it was
// built with.
func New(opts Options) (*Handler, error) {
	sig, err := opts.Signature.Checked()
	if err != nil {
		return nil, fmt.Errorf("validator: Options.Signature: %w", err)
	}
	opts.Signature = sig
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	evs, err := openapi.Events()
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("%w: the document has no webhooks: describe them in its webhooks section", ErrNoEvents)
	}
	h := &Handler{opts: opts, log: log, byName: make(map[string]int, len(evs))}
	var needs []string
	for i, ev := range evs {
		e := entry{ev: ev, consts: len(ev.Consts())}
		for _, hd := range ev.Headers() {
			if hd.Value != "" {
				e.fixed = append(e.fixed, hd)
			}
		}
		h.events = append(h.events, e)
		h.byName[ev.Name] = i
		if !slices.Contains(h.methods, ev.Method) {
			h.methods = append(h.methods, ev.Method)
		}
		if ev.Auth.Scheme != openapi.AuthNone && ev.Auth.Scheme != "" {
			needs = append(needs, ev.Name+" ("+ev.Auth.String()+")")
		}
	}
	if opts.Token == "" && len(needs) > 0 {
		return nil, fmt.Errorf("%w: %s declare credentials: set Options.Token to the secret they carry (the bearer token, user:password for basic, or the API key)", ErrNoToken, strings.Join(needs, ", "))
	}
	return h, nil
}

// NeedsToken reports whether a webhook of the document in use declares
// credentials, so that New needs Options.Token.
func NeedsToken() bool {
	evs, err := openapi.Events()
	if err != nil {
		return true
	}
	return slices.ContainsFunc(evs, func(ev openapi.Event) bool {
		return ev.Auth.Scheme != openapi.AuthNone && ev.Auth.Scheme != ""
	})
}

// rejection is a refused request: its status, its error, and what the
// response body says.
type rejection struct {
	status   int
	err      error
	message  string
	problems []openapi.Problem
	header   http.Header // extra response headers, such as Allow
}

// ServeHTTP handles one delivery of any webhook.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := Delivery{Time: time.Now()}
	if rej := h.handle(w, r, &d); rej != nil {
		d.Status, d.Err = rej.status, rej.err
		reject(w, d.Event, rej)
	} else {
		d.Status = http.StatusNoContent
		w.WriteHeader(http.StatusNoContent)
	}
	h.logDelivery(r, &d)
	if h.opts.OnDelivery != nil {
		h.opts.OnDelivery(d)
	}
}

// handle runs the checks in order; nil means success.
func (h *Handler) handle(w http.ResponseWriter, r *http.Request, d *Delivery) *rejection {
	cands, by := h.candidates(r)
	if len(cands) == 0 {
		return &rejection{status: http.StatusBadRequest,
			err:     fmt.Errorf("%w: its headers", ErrUnknownEvent),
			message: "the request's headers name no webhook of the document: send the fixed header values of one webhook (" + h.fixedHeaders() + ")"}
	}
	// Before the body: the method, and the credentials when every webhook
	// the request may be shares them.
	if len(cands) == 1 {
		d.Event, d.Route = h.events[cands[0]].ev.Name, by
	}
	if rej := h.checkMethod(r, cands, d); rej != nil {
		return rej
	}
	cands = slices.DeleteFunc(cands, func(i int) bool { return h.events[i].ev.Method != r.Method })
	authed := false
	if auth, same := h.sharedAuth(cands); same {
		if rej := h.checkAuth(r, auth); rej != nil {
			return rej
		}
		authed = true
	}
	if rej := h.checkContentType(r, d); rej != nil {
		return rej
	}
	body, rej := h.readBody(w, r)
	if rej != nil {
		return rej
	}
	d.Body = body
	// The signature, on the bytes as read, before anything parses them.
	if sv := h.opts.Signature; sv != nil {
		if err := sv.Verify(r.Header, body); err != nil {
			return &rejection{status: http.StatusUnauthorized,
				err:     fmt.Errorf("%w: %w", ErrBadSignature, err),
				message: "the webhook signature does not verify: " + err.Error()}
		}
		d.Signed = true
	}
	v, err := openapi.DecodeJSON(body)
	if err != nil {
		return &rejection{status: http.StatusBadRequest,
			err:     fmt.Errorf("%w: %w", ErrMalformedJSON, err),
			message: "the body is not well-formed JSON (" + err.Error() + "): send one JSON value, the webhook's payload"}
	}

	i, validated, rej := h.route(v, cands, by, d)
	if rej != nil {
		return rej
	}
	ev := h.events[i].ev
	if !authed {
		if rej := h.checkAuth(r, ev.Auth); rej != nil {
			return rej
		}
	}
	if validated {
		return nil
	}
	if err := openapi.ValidateValue(ev, v); err != nil {
		if h.opts.Strict {
			return &rejection{status: http.StatusBadRequest,
				err:      joined{ErrInvalidPayload, err},
				message:  ev.Name + " payload does not match the schema: fix the fields listed in problems",
				problems: wire.ProblemsOf(err)}
		}
		d.Warnings = append(d.Warnings, wire.ProblemsOf(err)...)
	}
	return nil
}

// candidates returns the webhooks that the request may be, before its body
// is read, in document order, and how they were narrowed: by path, by
// fixed headers, or not at all ("").
func (h *Handler) candidates(r *http.Request) ([]int, Route) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if i, ok := h.byName[path[strings.LastIndexByte(path, '/')+1:]]; ok {
		return []int{i}, ByPath
	}
	// The webhooks whose fixed headers all match, the most headers first;
	// else every webhook but those whose fixed header the request carries
	// with another value.
	best, most := []int(nil), 0
	var rest []int
	for i, e := range h.events {
		matched, conflict := 0, false
		for _, hd := range e.fixed {
			got := r.Header.Values(hd.Name)
			switch {
			case len(got) == 0:
			case len(got) == 1 && got[0] == hd.Value:
				matched++
			default:
				conflict = true
			}
		}
		if conflict {
			continue
		}
		rest = append(rest, i)
		if matched > 0 && matched == len(e.fixed) {
			switch {
			case matched > most:
				best, most = []int{i}, matched
			case matched == most:
				best = append(best, i)
			}
		}
	}
	if len(best) > 0 {
		return best, ByHeader
	}
	return rest, ""
}

// fixedHeaders describes the webhooks' fixed headers, for errors.
func (h *Handler) fixedHeaders() string {
	var out []string
	for _, e := range h.events {
		var hs []string
		for _, hd := range e.fixed {
			hs = append(hs, hd.Name+": "+hd.Value)
		}
		if len(hs) > 0 {
			out = append(out, e.ev.Name+" has "+strings.Join(hs, ", "))
		}
	}
	return strings.Join(out, "; ")
}

// checkMethod refuses a method that none of cands is sent with.
func (h *Handler) checkMethod(r *http.Request, cands []int, d *Delivery) *rejection {
	var allowed []string
	for _, i := range cands {
		m := h.events[i].ev.Method
		if m == r.Method {
			return nil
		}
		if !slices.Contains(allowed, m) {
			allowed = append(allowed, m)
		}
	}
	return h.methodNotAllowed(r, d.Event, allowed)
}

// methodNotAllowed is the 405 of a method that event (or, when "", any
// webhook the request may be) is not sent with.
func (h *Handler) methodNotAllowed(r *http.Request, event string, allowed []string) *rejection {
	if len(allowed) == 0 {
		allowed = h.methods
	}
	who := "these webhooks are"
	if event != "" {
		who = event + " is"
	}
	return &rejection{status: http.StatusMethodNotAllowed,
		err:     fmt.Errorf("%w: %s", ErrMethod, r.Method),
		message: fmt.Sprintf("method %s not allowed: %s sent with %s", r.Method, who, strings.Join(allowed, " or ")),
		header:  http.Header{"Allow": {strings.Join(allowed, ", ")}}}
}

// sharedAuth returns the auth of cands when they all have the same.
func (h *Handler) sharedAuth(cands []int) (openapi.Auth, bool) {
	if len(cands) == 0 {
		return openapi.Auth{}, false
	}
	first := h.events[cands[0]].ev.Auth
	for _, i := range cands[1:] {
		if h.events[i].ev.Auth != first {
			return openapi.Auth{}, false
		}
	}
	return first, true
}

// checkAuth checks the credentials that auth declares, in constant time.
func (h *Handler) checkAuth(r *http.Request, auth openapi.Auth) *rejection {
	switch auth.Scheme {
	case openapi.AuthBearer:
		tok, err := bearer.Parse(r.Header.Get("Authorization"))
		if err != nil {
			challenge := `Bearer error="invalid_token"`
			if errors.Is(err, bearer.ErrMissing) {
				challenge = "Bearer"
			}
			return unauthorized(fmt.Errorf("%w: %w", ErrUnauthorized, err), challenge,
				err.Error()+": send the header Authorization: Bearer <token>")
		}
		if !bearer.Equal(tok, h.opts.Token) {
			return unauthorized(ErrUnauthorized, `Bearer error="invalid_token"`, "wrong bearer token: send the token that this receiver is configured with")
		}
	case openapi.AuthBasic:
		const challenge = `Basic realm="webhooks", charset="UTF-8"`
		got, ok := basicCredentials(r.Header.Get("Authorization"))
		if !ok {
			return unauthorized(ErrUnauthorized, challenge, "missing or malformed Basic credentials: send the header Authorization: Basic base64(user:password)")
		}
		if !bearer.Equal(got, h.opts.Token) {
			return unauthorized(ErrUnauthorized, challenge, "wrong user or password: send the user:password that this receiver is configured with")
		}
	case openapi.AuthAPIKey:
		challenge := fmt.Sprintf("APIKey in=%q, name=%q", auth.In, auth.Name)
		got := r.Header.Get(auth.Name)
		where := "the header " + auth.Name
		if auth.In == "query" {
			got, where = r.URL.Query().Get(auth.Name), "the query parameter "+auth.Name
		}
		if got == "" {
			return unauthorized(ErrUnauthorized, challenge, "missing API key: send it in "+where)
		}
		if !bearer.Equal(got, h.opts.Token) {
			return unauthorized(ErrUnauthorized, challenge, "wrong API key in "+where+": send the key that this receiver is configured with")
		}
	}
	return nil
}

// basicCredentials decodes "Basic base64(user:password)" into
// "user:password".
func basicCredentials(header string) (string, bool) {
	scheme, enc, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil || !bytes.ContainsRune(b, ':') {
		return "", false
	}
	return string(b), true
}

func unauthorized(err error, challenge, message string) *rejection {
	return &rejection{status: http.StatusUnauthorized, err: err, message: message,
		header: http.Header{"Www-Authenticate": {challenge}}}
}

// checkContentType refuses (Strict) or warns of a Content-Type that is not
// JSON: application/json or a +json type.
func (h *Handler) checkContentType(r *http.Request, d *Delivery) *rejection {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	shown := ct
	if shown == "" {
		shown = "(none)"
	}
	if h.opts.Strict {
		return &rejection{status: http.StatusUnsupportedMediaType,
			err:     fmt.Errorf("%w: %s", ErrContentType, shown),
			message: "Content-Type " + shown + " is not JSON: send Content-Type: application/json"}
	}
	d.Warnings = append(d.Warnings, openapi.Problem{Keyword: "content-type", Message: "Content-Type " + shown + " is not JSON: send application/json"})
	return nil
}

// route finds the webhook of v among cands: the one that path or headers
// chose, else by consts, else by schema (even when one webhook is left: a
// body that neither carries its consts nor fits its schema is not its
// delivery, and only a path or a header makes it so). validated tells that v was validated against
// the webhook's schema on the way, and found valid.
func (h *Handler) route(v any, cands []int, by Route, d *Delivery) (i int, validated bool, rej *rejection) {
	if by != "" && len(cands) == 1 {
		d.Event, d.Route = h.events[cands[0]].ev.Name, by
		return cands[0], false, nil
	}
	best, most := -1, 0
	for _, c := range cands {
		e := h.events[c]
		if e.consts > most && e.ev.Matches(v) {
			best, most = c, e.consts
		}
	}
	if best >= 0 {
		d.Event, d.Route = h.events[best].ev.Name, ByConsts
		return best, false, nil
	}
	var fits []string
	first, closest := -1, -1
	var fewest [2]int
	var closestErr error
	for _, c := range cands {
		err := openapi.ValidateValue(h.events[c].ev, v)
		if err == nil {
			if first < 0 {
				first = c
			} else {
				fits = append(fits, h.events[c].ev.Name)
			}
			continue
		}
		if n := distance(wire.ProblemsOf(err)); closest < 0 || n[0] < fewest[0] || n[0] == fewest[0] && n[1] < fewest[1] {
			closest, fewest, closestErr = c, n, err
		}
	}
	if first >= 0 {
		d.Event, d.Route = h.events[first].ev.Name, BySchema
		if len(fits) > 0 {
			d.Warnings = append(d.Warnings, openapi.Problem{Keyword: "route", Message: fmt.Sprintf(
				"the body fits %s and %s too; taken as %s, the first in document order: serve each webhook on its own path (/%s) or send its fixed headers to choose",
				h.events[first].ev.Name, strings.Join(fits, ", "), h.events[first].ev.Name, h.events[first].ev.Name)})
		}
		return first, true, nil
	}
	name := h.events[closest].ev.Name
	return 0, false, &rejection{status: http.StatusBadRequest,
		err:      joined{ErrUnknownEvent, closestErr},
		message:  fmt.Sprintf("the body fits no webhook of the document; the closest is %s (problems listed): fix them, or send the webhook's fixed headers or to its own path", name),
		problems: wire.ProblemsOf(closestErr)}
}

// distance tells how far a body is from a schema by its problems: first
// the problems of the whole body (a missing required property, the wrong
// type), which say it is another kind of payload, then all of them. A
// body with one wrong value deep inside is closer than one that lacks the
// schema's properties, though each has one problem.
func distance(problems []openapi.Problem) [2]int {
	root := 0
	for _, p := range problems {
		if p.Path == "" {
			root++
		}
	}
	return [2]int{root, len(problems)}
}

// readBody reads the whole body within the limit (wire.ReadBody).
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *rejection) {
	limit := h.opts.MaxBodyBytes
	body, over, err := wire.ReadBody(w, r, limit)
	switch {
	case over:
		return nil, tooLarge(limit)
	case err != nil:
		return nil, &rejection{status: http.StatusBadRequest,
			err:     fmt.Errorf("%w: %w", ErrBodyRead, err),
			message: "the body could not be read to its end: send the whole body"}
	}
	return body, nil
}

func tooLarge(limit int64) *rejection {
	return &rejection{status: http.StatusRequestEntityTooLarge,
		err:     fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit),
		message: fmt.Sprintf("the body is over the limit of %d bytes: send a smaller payload or raise the receiver's limit", limit)}
}

// joined is an error that is its sentinel and its cause at once.
type joined struct{ sentinel, cause error }

func (j joined) Error() string   { return j.sentinel.Error() + ": " + j.cause.Error() }
func (j joined) Unwrap() []error { return []error{j.sentinel, j.cause} }

// reject writes the JSON error body.
func reject(w http.ResponseWriter, event string, rej *rejection) {
	for k, v := range rej.header {
		w.Header()[k] = v
	}
	wire.WriteError(w, rej.status, wire.ErrorBody{Error: rej.message, Event: event, Problems: rej.problems})
}

// logDelivery writes one record for d; never the credentials.
func (h *Handler) logDelivery(r *http.Request, d *Delivery) {
	level := slog.LevelInfo
	if d.Status >= 400 || len(d.Warnings) > 0 {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("event", d.Event), slog.String("route", string(d.Route)),
		slog.Int("status", d.Status), slog.String("remote", r.RemoteAddr),
		slog.Int("warnings", len(d.Warnings)),
	}
	if h.opts.Signature != nil {
		attrs = append(attrs, slog.Bool("signed", d.Signed))
	}
	if d.Err != nil {
		attrs = append(attrs, slog.String("error", d.Err.Error()))
	}
	h.log.LogAttrs(r.Context(), level, "webhook", attrs...)
}
