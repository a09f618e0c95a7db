package mock

import "errors"

// Errors returned by this package. Match them with errors.Is. Unknown events
// wrap openapi.ErrUnknownEvent, payloads that break the spec wrap
// openapi.ErrInvalidPayload, and the payloads' own errors are package
// fake's.
var (
	// ErrPlainHTTPLive means an emitter in a mode that must use HTTPS
	// (x-ufhook-modes https: true, Userfront's live) was given an http://
	// URL. Userfront refuses to send live webhooks over plain HTTP; test
	// mode allows it.
	ErrPlainHTTPLive = errors.New("live webhooks must use HTTPS")
	// ErrBadTarget means a target or route URL is missing or unusable: not
	// an absolute http:// or https:// URL with a host (ParseTarget).
	ErrBadTarget = errors.New("bad target URL")
	// ErrBadRoute means a route is not EVENT=URL, repeats an event, names an
	// event that is not in the catalog (wrapping openapi.ErrUnknownEvent) or
	// has a bad URL (wrapping ErrBadTarget).
	ErrBadRoute = errors.New("bad route")
	// ErrMissingToken means no webhook API key was given.
	ErrMissingToken = errors.New("missing webhook API key")
	// ErrBadCA means a CA file could not be read or holds no PEM
	// certificate (TLSConfig).
	ErrBadCA = errors.New("bad CA file")
	// ErrBadConfig means a setting of a sender (the emitter or the
	// conformance suite) is out of range: a negative timeout, retry count,
	// count or concurrency, or no events to send.
	ErrBadConfig = errors.New("bad setting")
	// ErrTimeout means an attempt got no complete answer within the
	// per-attempt timeout.
	ErrTimeout = errors.New("no answer in time")
	// ErrTLS means the receiver's certificate could not be verified.
	ErrTLS = errors.New("TLS verification failed")
	// ErrRedirect means the receiver answered 3xx. Redirects are never
	// followed, so that the token never reaches another URL: the delivery
	// failed.
	ErrRedirect = errors.New("receiver answered with a redirect")
	// ErrRejected means the receiver answered with a status other than 2xx
	// or 3xx.
	ErrRejected = errors.New("receiver did not accept the webhook")
	// ErrCancelled means the context was cancelled before the delivery
	// succeeded.
	ErrCancelled = errors.New("delivery cancelled")
)
