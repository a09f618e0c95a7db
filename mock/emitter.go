// Package mock is ufhook's mock emitter: it delivers webhooks, realistic
// fake ones from package fake or any body, to any endpoint the way Userfront
// does: a POST with the bearer token (or the method, media type, header
// parameters and credentials that the webhook's operation declares, for
// another provider's document), TLS verified, redirects refused, every
// attempt bounded in time and retried with backoff on network errors, 429
// and 5xx. It owns the sending side that the conformance suite shares: the
// target check (CheckTarget), the TLS configuration (TLSConfig), the
// --route parser (Routes) and their errors.
package mock

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

// Version is the release of ufhook that sends; the User-Agent header is
// "ufhook/" + Version. The CLI sets it.
var Version = "dev"

// Defaults of Config.
const (
	DefaultTimeout = 10 * time.Second
	// ExcerptSize bounds Attempt.Excerpt, the start of the response body.
	ExcerptSize = 512
	// drainLimit bounds how much of a response body is read and thrown away
	// so that the connection can be reused; a longer body closes it.
	drainLimit = 64 << 10
)

// DefaultRetry is the retry policy that the CLI uses: 3 retries, from 500 ms
// doubling up to 10 s, with jitter.
var DefaultRetry = RetryPolicy{Retries: 3, Base: 500 * time.Millisecond, Max: 10 * time.Second}

// RetryPolicy says how often and when to retry a failed attempt:
// exponential backoff with jitter, capped at Max, with a Retry-After answer
// honoured but capped at Max too. Userfront documents no retry policy; this
// follows the Standard Webhooks recommendation of exponential backoff.
type RetryPolicy struct {
	// Retries is the number of attempts after the first; 0 means none.
	Retries int
	// Base is the delay before the first retry; 0 means 500 ms.
	Base time.Duration
	// Max caps every delay; 0 means 10 s.
	Max time.Duration
}

// Delay returns how long to wait before retry number retry (1 for the first
// retry). A positive retryAfter (the receiver's Retry-After) is honoured, up
// to Max. Otherwise the delay is Base doubled for each earlier retry, capped
// at Max, of which a random half is jitter: it lies in [d/2, d].
func (p RetryPolicy) Delay(retry int, retryAfter time.Duration) time.Duration {
	base, maxDelay := p.Base, p.Max
	if base <= 0 {
		base = DefaultRetry.Base
	}
	if maxDelay <= 0 {
		maxDelay = DefaultRetry.Max
	}
	if retryAfter > 0 {
		return min(retryAfter, maxDelay)
	}
	d := base
	for i := 1; i < retry && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	half := d / 2
	return half + rand.N(d-half+1)
}

// Config says where and how an Emitter delivers.
type Config struct {
	// Target is the URL that receives every event without a route.
	Target string
	// Routes maps event names to their own URLs, as Userfront configures
	// one URL per event (userCreatedWebhookUrl, ...).
	Routes map[string]string
	// Token is the webhook API key, sent as each event's security scheme
	// says (openapi.Event.Auth): "Authorization: Bearer <key>" for bearer
	// (Userfront's), "Authorization: Basic base64(<key>)" for basic, where
	// the key is "user:password", and the key itself in the header or
	// query parameter of an apiKey. It may be empty when every event sent
	// declares no security.
	Token string
	// Mode is the mode of the webhooks sent; "" means test. Live mode
	// refuses http:// URLs.
	Mode gen.Mode
	// CAFile is a PEM file of a private CA to trust, on top of the system's.
	CAFile string
	// RootCAs, if set, replaces the system's roots (CAFile still adds to
	// it).
	RootCAs *x509.CertPool
	// Insecure skips TLS verification. The CLI prints a warning.
	Insecure bool
	// Timeout bounds each attempt, from connecting to reading the answer;
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// Retry is the retry policy; its zero value means no retries.
	Retry RetryPolicy
	// Concurrency is how many deliveries Run makes at once, and how many
	// connections per host stay open; 0 means 1.
	Concurrency int
	// Events names the events this emitter sends; empty means every event
	// of the catalog. Only these need a URL (Target or a route), so that a
	// single route without a Target is enough to send its event.
	Events []string
	// Signer, if set, signs every attempt (see package signature): each
	// delivery gets its own message id, kept across its retries, and each
	// attempt a fresh timestamp, as Standard Webhooks requires. The
	// signature covers the body bytes exactly as sent.
	Signer *signature.Signer
}

// Emitter delivers webhooks as Userfront does: a POST with a JSON body, the
// bearer token and the ufhook User-Agent, over verified TLS, never following
// redirects. For another document it sends each webhook's method, media
// type, header parameters and credentials. It is safe for concurrent use.
type Emitter struct {
	cfg       Config
	routes    map[string]*route // event name -> how its deliveries go out
	names     []string          // the catalog's event names
	transport *http.Transport
	client    *http.Client
	// masks are the forms of the token that a receiver may echo: the
	// token, its base64 (basic) and its query escape (apiKey in the query).
	masks []string
}

// route is how the deliveries of one event go out, worked out once by
// NewEmitter so that a delivery costs no more than copying it.
type route struct {
	// url is where the deliveries go, with the API key in its query for an
	// apiKey in the query; never print it: shown is its masked form.
	url   string
	shown string
	// method is the operation's method, e.g. POST.
	method string
	// header holds every header that is the same for each delivery:
	// Content-Type, User-Agent, the credentials and the fixed header
	// parameters. It is shared by all requests and never modified.
	header http.Header
	// vary are the header parameters whose value is drawn for each
	// delivery (fake.HeaderValue), with their canonical names in keys.
	vary []openapi.Header
	keys []string
}

// NewEmitter checks cfg before anything is sent and returns an emitter. It
// errors with ErrMissingToken for an empty token when an event sent needs
// credentials (its Auth is not openapi.AuthNone), ErrBadConfig for a token
// without ":" when an event sent uses http basic (the token is then
// "user:password"), ErrBadTarget for a missing
// or malformed URL (see CheckTarget), ErrPlainHTTPLive for an http:// URL in
// live mode, ErrBadCA for an unreadable or empty CA file (see TLSConfig),
// fake.ErrUnknownMode, ErrBadRoute wrapping openapi.ErrUnknownEvent for a route to
// an unknown event, and ErrBadConfig for a negative timeout, retry count or
// concurrency, or for a token with a control character or a line break,
// which no HTTP header can carry (refused at once rather than retried).
func NewEmitter(cfg Config) (*Emitter, error) {
	if i := strings.IndexFunc(cfg.Token, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return nil, fmt.Errorf("%w: the webhook API key has a control character (%q at position %d), which no HTTP header can carry: give the key without it (a trailing newline from a file or a paste?)", ErrBadConfig, cfg.Token[i], i+1)
	}
	mode, err := fake.ParseMode(string(cfg.Mode))
	if err != nil {
		return nil, err
	}
	cfg.Mode = mode
	switch {
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("%w: timeout %s is negative; use a positive duration such as 10s", ErrBadConfig, cfg.Timeout)
	case cfg.Retry.Retries < 0:
		return nil, fmt.Errorf("%w: retries %d is negative; use 0 for no retries", ErrBadConfig, cfg.Retry.Retries)
	case cfg.Retry.Base < 0 || cfg.Retry.Max < 0:
		return nil, fmt.Errorf("%w: retry delays must not be negative", ErrBadConfig)
	case cfg.Concurrency < 0:
		return nil, fmt.Errorf("%w: concurrency %d is negative; use 1 or more", ErrBadConfig, cfg.Concurrency)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 1
	}
	e := &Emitter{cfg: cfg, routes: map[string]*route{}}
	evs, err := openapi.Events()
	if err != nil {
		return nil, err
	}
	if err := Routes(cfg.Routes).Check(); err != nil {
		return nil, err
	}
	sent := map[string]bool{}
	for _, name := range cfg.Events {
		if _, err := openapi.Lookup(name); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
		}
		sent[name] = true
	}
	if err := checkToken(cfg.Token, evs, sent); err != nil {
		return nil, err
	}
	e.masks = tokenForms(cfg.Token)
	ua := []string{"ufhook/" + Version}
	var missing []string
	for _, ev := range evs {
		e.names = append(e.names, ev.Name)
		u := cfg.Target
		if r, ok := cfg.Routes[ev.Name]; ok {
			u = r
		}
		if u == "" {
			if len(sent) == 0 || sent[ev.Name] {
				missing = append(missing, ev.Name)
			}
			continue
		}
		if err := CheckTarget(u, mode); err != nil {
			return nil, err
		}
		rt, err := newRoute(ev, u, cfg.Token, ua)
		if err != nil {
			return nil, err
		}
		e.routes[ev.Name] = rt
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: no URL for %s: give a target URL for every event (e.g. https://localhost:8443/webhook), or a route EVENT=URL for each", ErrBadTarget, strings.Join(missing, ", "))
	}
	tlsConf, err := TLSConfig(cfg.CAFile, cfg.RootCAs, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	e.transport = &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dialer.DialContext,
		DialTLSContext:         handshakes(dialer, tlsConf, maxHandshakes),
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxIdleConns:           max(100, cfg.Concurrency),
		MaxIdleConnsPerHost:    cfg.Concurrency,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	client := &http.Client{
		Transport: e.transport,
		// A 3xx is a failed delivery: never follow it, so that no
		// credentials (an Authorization header, an API key in a header or
		// in the URL's query) ever reach another URL.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	e.client = client
	return e, nil
}

// maxHandshakes bounds the TLS handshakes an emitter makes at once.
const maxHandshakes = 16

// handshakes returns a DialTLSContext for the emitter's transport that
// makes at most limit TLS handshakes at once, each with conf and bounded by
// the dialer's timeout. Without a bound, a burst of deliveries to a
// receiver with no open connection yet (the start of a --rate run) starts
// a handshake for each, the handshakes share the CPU and each takes
// longer, which starts yet more: a few hundred deliveries a second then
// open hundreds of connections and the run falls seconds behind. With the
// bound, a delivery that finds no idle connection waits for the first
// connection to come free or to be made, as the transport lets it.
// Requests through a proxy do not use it (the transport makes their TLS).
func handshakes(dialer *net.Dialer, conf *tls.Config, limit int) func(ctx context.Context, network, addr string) (net.Conn, error) {
	sem := make(chan struct{}, limit)
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		defer func() { <-sem }()
		raw, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c := conf.Clone()
		if c.ServerName == "" {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				host = addr
			}
			c.ServerName = host
		}
		hctx, cancel := context.WithTimeout(ctx, dialer.Timeout)
		defer cancel()
		tc := tls.Client(raw, c)
		if err := tc.HandshakeContext(hctx); err != nil {
			_ = raw.Close()
			return nil, err
		}
		return tc, nil
	}
}

// URL returns where ev is delivered: its route, or else the target, with
// the API key of an apiKey in the query masked (bearer.Mask). It returns ""
// for an event that is not in the catalog.
func (e *Emitter) URL(ev openapi.Event) string {
	if rt := e.routes[ev.Name]; rt != nil {
		return rt.shown
	}
	return ""
}

// Close releases the emitter's idle connections.
func (e *Emitter) Close() { e.transport.CloseIdleConnections() }

// Attempt is one HTTP request of a delivery.
type Attempt struct {
	// Status is the response's status code, or 0 when there was none.
	Status int `json:"status,omitempty"`
	// Latency runs from sending the request to reading the response body.
	Latency time.Duration `json:"latency"`
	// Err is the network, TLS or timeout error; nil when an answer came.
	Err error `json:"-"`
	// RetryAfter is the receiver's Retry-After, or 0.
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
	// Excerpt is the start of the response body, at most ExcerptSize bytes,
	// with the token masked (bearer.MaskIn).
	Excerpt string `json:"excerpt,omitempty"`
	// Location is the Location header of a 3xx answer, which is not
	// followed.
	Location string `json:"location,omitempty"`
}

// OK reports whether the receiver answered 2xx.
func (a Attempt) OK() bool { return a.Err == nil && a.Status >= 200 && a.Status < 300 }

// Retryable reports whether a failed attempt is worth repeating: a network
// error, a timeout, 429 or 5xx. A TLS verification failure, a cancelled
// context, an unknown event or URL, a payload that cannot be signed, a 3xx
// and any other 4xx are not.
func (a Attempt) Retryable() bool {
	if a.Err != nil {
		return !errors.Is(a.Err, ErrTLS) && !errors.Is(a.Err, ErrCancelled) && !errors.Is(a.Err, context.Canceled) &&
			!errors.Is(a.Err, ErrBadTarget) && !errors.Is(a.Err, ErrBadConfig) && !errors.Is(a.Err, openapi.ErrUnknownEvent)
	}
	return a.Status == http.StatusTooManyRequests || a.Status >= 500
}

var excerptBufs = sync.Pool{New: func() any { return new([ExcerptSize]byte) }}

// Try makes exactly one attempt to deliver body as ev, bounded by the
// configured timeout, and never retries (a caller with its own schedule,
// such as the mock server's outbox, retries itself).
func (e *Emitter) Try(ctx context.Context, ev openapi.Event, body []byte) Attempt {
	rt := e.routes[ev.Name]
	if rt == nil {
		return Attempt{Err: e.noURL(ev)}
	}
	return e.try(ctx, rt, body, rt.values(body), e.messageID())
}

// messageID returns a fresh message id for a delivery when the emitter
// signs, and "" when it does not.
func (e *Emitter) messageID() string {
	if e.cfg.Signer == nil {
		return ""
	}
	return signature.NewMessageID()
}

// try is Try with the route, the drawn header values and the message id
// given, which the retries of one delivery share.
func (e *Emitter) try(ctx context.Context, rt *route, body []byte, values []string, id string) Attempt {
	actx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	start := time.Now()
	resp, err := e.post(actx, rt, body, values, id)
	if err != nil {
		return Attempt{Latency: time.Since(start), Err: e.classify(ctx, actx, err)}
	}
	a := Attempt{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	if a.Status >= 300 && a.Status < 400 {
		a.Location = e.mask(resp.Header.Get("Location"))
	}
	// Read the start of the body for the report, then drain a bounded rest
	// so that the connection can be reused. A body that breaks off after
	// the status line still counts as an answer.
	buf := excerptBufs.Get().(*[ExcerptSize]byte)
	n, err := io.ReadFull(resp.Body, buf[:])
	if n > 0 {
		// A receiver that echoes the request's headers echoes the token:
		// mask it, since excerpts are printed, stored and shown.
		a.Excerpt = e.mask(strings.ToValidUTF8(string(buf[:n]), "\uFFFD"))
	}
	excerptBufs.Put(buf)
	if err == nil {
		_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
	}
	_ = resp.Body.Close()
	a.Latency = time.Since(start)
	return a
}

// noURL says why ev has no URL: it is not an event of the catalog the
// emitter was built with, or it has neither a route nor the target.
func (e *Emitter) noURL(ev openapi.Event) error {
	if !slices.Contains(e.names, ev.Name) {
		return fmt.Errorf("%w %q: this emitter sends %s", openapi.ErrUnknownEvent, ev.Name, strings.Join(e.names, ", "))
	}
	return fmt.Errorf("%w: no URL for %s; give a target or a route for it", ErrBadTarget, ev.Name)
}

// post sends one webhook: the route's method with body to its URL, with its
// headers (the content type, the ufhook User-Agent, the credentials and the
// header parameters, values holding the drawn ones, and with a Signer the
// signature headers of message id at this moment), through the emitter's
// client (verified TLS, no redirects followed, the configured timeouts). It
// is the same for every event, so a webhook added to the spec needs no code
// here.
func (e *Emitter) post(ctx context.Context, rt *route, body []byte, values []string, id string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, rt.method, rt.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrBadTarget, e.mask(err.Error()))
	}
	for k, v := range rt.header {
		req.Header[k] = v
	}
	for i, k := range rt.keys {
		req.Header[k] = []string{values[i]}
	}
	if e.cfg.Signer != nil {
		sig, err := e.cfg.Signer.Sign(id, time.Now(), body)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
		}
		for k, v := range sig {
			req.Header[k] = v
		}
	}
	return e.client.Do(req)
}

// mask returns text with every form of the token in it masked.
func (e *Emitter) mask(text string) string {
	for _, m := range e.masks {
		text = bearer.MaskIn(text, m)
	}
	return text
}

// classify turns a transport error into one that says what happened.
func (e *Emitter) classify(parent, attempt context.Context, err error) error {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var nerr net.Error
	switch {
	case parent.Err() != nil:
		return fmt.Errorf("%w: %w", ErrCancelled, parent.Err())
	case errors.Is(attempt.Err(), context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return fmt.Errorf("%w: the receiver did not answer within %s (raise --timeout if it is slow)", ErrTimeout, e.cfg.Timeout)
	case errors.As(err, &verr), errors.As(err, &uerr), errors.As(err, &herr):
		return fmt.Errorf("%w: %v (trust the receiver's private CA with --ca FILE, or skip verification with --insecure)", ErrTLS, unwrapURL(err))
	}
	return unwrapURL(err)
}

// unwrapURL drops the *url.Error wrapper, whose message repeats the method
// and URL that the report already shows.
func unwrapURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// Report is the outcome of one delivery.
type Report struct {
	// Event is the event delivered.
	Event string
	// URL is where it was delivered, with an API key in its query masked.
	URL string
	// MessageID is the message id that signed every attempt, when the
	// emitter signs; "" when it does not.
	MessageID string
	// Attempts lists every attempt, the last one last.
	Attempts []Attempt
	// Status is the last attempt's status code, or 0.
	Status int
	// Latency is the last attempt's latency.
	Latency time.Duration
	// Excerpt is the start of the last response body.
	Excerpt string
	// Err says why the delivery failed; nil when it succeeded.
	Err error
}

// OK reports whether the webhook was delivered (answered 2xx).
func (r Report) OK() bool { return r.Err == nil }

// Send delivers body as ev, an entry of the catalog, with the retry policy: attempts that fail
// with a network error, a timeout, 429 or 5xx are repeated after the
// policy's delay, honouring Retry-After. It stops at once when ctx is
// cancelled. It never returns an error: the Report's Err says why a
// delivery failed (ErrRejected, ErrRedirect, ErrTimeout, ErrTLS,
// ErrCancelled or a network error).
func (e *Emitter) Send(ctx context.Context, ev openapi.Event, body []byte) Report {
	rt := e.routes[ev.Name]
	if rt == nil {
		return Report{Event: ev.Name, Attempts: []Attempt{{Err: e.noURL(ev)}}}.finish(nil)
	}
	r := Report{Event: ev.Name, URL: rt.shown, MessageID: e.messageID()}
	values := rt.values(body)
	for retry := 0; ; retry++ {
		a := e.try(ctx, rt, body, values, r.MessageID)
		r.Attempts = append(r.Attempts, a)
		if a.OK() || !a.Retryable() || retry >= e.cfg.Retry.Retries {
			return r.finish(nil)
		}
		if err := ctx.Err(); err != nil {
			return r.finish(err) // cancelled before the retry
		}
		timer := time.NewTimer(e.cfg.Retry.Delay(retry+1, a.RetryAfter))
		select {
		case <-ctx.Done():
			timer.Stop()
			return r.finish(ctx.Err())
		case <-timer.C:
		}
	}
}

// finish fills the summary fields from the last attempt; cancelled is the
// context's error when it was cancelled while waiting to retry.
func (r Report) finish(cancelled error) Report {
	last := r.Attempts[len(r.Attempts)-1]
	r.Status, r.Latency, r.Excerpt = last.Status, last.Latency, last.Excerpt
	n := plural(len(r.Attempts), "attempt")
	switch {
	case cancelled != nil:
		r.Err = fmt.Errorf("%w while waiting to retry, after %s: %w", ErrCancelled, n, cancelled)
	case last.OK():
		r.Err = nil
	case last.Err != nil:
		r.Err = fmt.Errorf("%w (after %s)", last.Err, n)
	case last.Status >= 300 && last.Status < 400:
		r.Err = fmt.Errorf("%w (%d to %q), which is not followed so that the credentials never reach another URL: point the target at the final URL", ErrRedirect, last.Status, last.Location)
	default:
		r.Err = fmt.Errorf("%w: it answered %d after %s", ErrRejected, last.Status, n)
	}
	return r
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
