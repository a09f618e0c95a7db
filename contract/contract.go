// Package contract is the conformance suite for Userfront webhook receivers.
// It sends a receiver every event of the spec (fully populated, sparse, with
// nulls, and with unknown fields), wrong and near-miss tokens, wrong schemes,
// the other mode's token where the document declares modes (on fresh connections, and again on connections that
// have just carried an accepted webhook), malformed JSON, unknown events,
// repeats and a GET, and checks the answers against the requirements of
// Userfront's webhooks: auth, HTTPS and every action/model pair.
//
// Each Case has a stable ID (auth/wrong-token, events/user.created/sparse,
// https/certificate), a sentence saying what it sends, and the requirement it
// checks; a failed case reports requirement, want and got. When many cases
// fail for one reason, Report.Diagnose says so once, with the likely cause
// and the fix. The cases are plain Go so that both
// `go test ./contract -target=URL -token=T` and `ufhook check` run them. Run
// runs them all; New and Suite.Check run them one at a time.
//
// A receiver that verifies signatures is checked with Config.Signature and
// Config.Secret (go test flags -sign and -secret): every request is then
// signed validly, and the signature cases (signature/missing-signature,
// signature/timestamp-too-old, signature/reformatted-body, ...) check its
// verification against the Standard Webhooks specification. Suite.Cases
// lists them after Cases.
package contract

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/signature"
)

// DefaultTimeout bounds each request when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// MinTokenLength is the shortest token the suite accepts: the near-miss
// cases (a prefix, the last character changed) say little about a shorter
// one.
const MinTokenLength = 8

// Concurrency is how many cases Run runs at once: enough that a receiver
// that never answers costs a few timeouts, not one per case, and few enough
// that the suite reuses its connections instead of opening one per case.
const Concurrency = 16

// StrictLatency is the answer time that the SHOULD-level case strict/fast
// allows.
const StrictLatency = time.Second

// strictLatency is StrictLatency, except in the package's self-test, which
// must not fail because the machine running it is slow.
var strictLatency = StrictLatency

// Setup errors returned by New and Run. They mean the suite could not start;
// a receiver's failures are never errors but Results with Outcome Fail.
// Match them with errors.Is. The suite sends as package mock does, so a
// setting that mock checks too errors with mock's sentinel: mock.ErrBadTarget
// for a missing or unusable target URL, mock.ErrBadRoute for a bad route,
// mock.ErrBadCA for an unreadable CA file, mock.ErrMissingToken for no
// token, fake.ErrUnknownMode for a mode that the document does not declare
// (x-ufhook-modes: Userfront's are live and test), and
// mock.ErrBadConfig for a negative timeout, signature.ErrBadScheme for an
// invalid Config.Signature (or a Secret without one), and
// signature.ErrBadSecret for a Secret that the scheme cannot use. The
// sentinels below are the suite's own ideas.
var (
	// ErrShortToken means the token is shorter than MinTokenLength, too
	// short for the near-miss cases to test.
	ErrShortToken = errors.New("webhook API key too short")
	// ErrUnreachable means no TCP connection could be opened to the target
	// or a route: nothing is listening there.
	ErrUnreachable = errors.New("receiver unreachable")
)

// Config says which receiver to test and how.
type Config struct {
	// Target is the webhook URL, e.g. https://127.0.0.1:8443/webhook. Every
	// request goes there unless Routes names another URL for its event.
	Target string
	// Token is the webhook API key the receiver expects for Mode, at least
	// MinTokenLength characters.
	Token string
	// Mode is the mode of the payloads and of the token, one of those that
	// the document declares in x-ufhook-modes; empty means the document's
	// default (live for Userfront's), and must stay empty for a document
	// without modes. In a mode that the document marks https (Userfront's
	// live) the target must use HTTPS.
	Mode gen.Mode
	// CAFile is a PEM file of CA certificates to trust besides RootCAs (or
	// the system roots when RootCAs is nil).
	CAFile string
	// RootCAs, if set, replaces the system roots.
	RootCAs *x509.CertPool
	// Insecure skips certificate verification; the case https/certificate is
	// then skipped, never passed.
	Insecure bool
	// Routes maps an event name to its own URL, for receivers that configure
	// one URL per event (userCreatedWebhookUrl and so on).
	Routes map[string]string
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Strict also runs the SHOULD-level cases (strict/...); without it they
	// are skipped.
	Strict bool
	// Seed makes the payloads reproducible; zero picks one at random, which
	// Report.Seed and Suite.Seed tell.
	Seed uint64
	// Signature is how the receiver expects deliveries to be signed
	// (signature.Lookup or signature.Parse); nil means unsigned, and then
	// the suite has no signature cases. When set, every request the suite
	// sends is signed validly, with a fresh message id and timestamp, and
	// the signature cases (signature/...) check the receiver's
	// verification.
	Signature *signature.Scheme
	// Secret is the signing secret the receiver verifies with (for
	// Standard Webhooks `whsec_` followed by base64). It is never printed
	// whole (bearer.Mask). It needs Signature.
	Secret string
}

// Outcome is the verdict of one case.
type Outcome int

// The outcomes of a case.
const (
	// Pass means the receiver met the requirement.
	Pass Outcome = iota
	// Fail means it did not.
	Fail
	// Skip means the case does not apply (e.g. https/certificate on an
	// http:// target), or is strict and Config.Strict is off.
	Skip
)

// String returns PASS, FAIL or SKIP.
func (o Outcome) String() string {
	switch o {
	case Pass:
		return "PASS"
	case Fail:
		return "FAIL"
	case Skip:
		return "SKIP"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// MarshalText writes the outcome as pass, fail or skip.
func (o Outcome) MarshalText() ([]byte, error) {
	return []byte(strings.ToLower(o.String())), nil
}

// Result is what one case found.
type Result struct {
	// Case is the case that ran.
	Case Case
	// Outcome is the verdict.
	Outcome Outcome
	// Want is what the requirement asks for, e.g. "401 or 403".
	Want string
	// Got is what the receiver did: the status with the start of the body,
	// or why no response came.
	Got string
	// Status is the HTTP status of the answer that the verdict rests on;
	// zero when none came or the case sends no request.
	Status int
	// Reason says why a case was skipped, or adds advice to a failure.
	Reason string
	// Duration is how long the case took.
	Duration time.Duration

	// timedOut marks a verdict that rests on a request that got no answer
	// within the timeout.
	timedOut bool
}

// Explain formats the result for a person: for a failure, the requirement,
// want and got (and the advice, if any); for a skip, the reason.
func (r Result) Explain() string {
	switch r.Outcome {
	case Skip:
		return "skipped: " + r.Reason
	case Fail:
		var b strings.Builder
		fmt.Fprintf(&b, "requirement: %s\n", r.Case.Requirement)
		fmt.Fprintf(&b, "sends:       %s\n", r.Case.Sends)
		fmt.Fprintf(&b, "want:        %s\n", r.Want)
		fmt.Fprintf(&b, "got:         %s", r.Got)
		if r.Reason != "" {
			fmt.Fprintf(&b, "\nadvice:      %s", r.Reason)
		}
		return b.String()
	}
	return "passed: got " + r.Got
}

// Report holds the results of a run, in the order of Cases.
type Report struct {
	// Results has one entry per case.
	Results []Result
	// Seed is the seed the payloads were made with; pass it back in
	// Config.Seed to repeat the run.
	Seed uint64
	// Duration is how long the whole run took.
	Duration time.Duration
}

// Count returns how many results have each outcome.
func (r Report) Count() (passed, failed, skipped int) {
	for _, res := range r.Results {
		switch res.Outcome {
		case Pass:
			passed++
		case Fail:
			failed++
		case Skip:
			skipped++
		}
	}
	return passed, failed, skipped
}

// Summary returns the line "N passed, N failed, N skipped".
func (r Report) Summary() string {
	p, f, s := r.Count()
	return Summary(p, f, s)
}

// Summary formats counts as "N passed, N failed, N skipped", the last line
// of every run.
func Summary(passed, failed, skipped int) string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", passed, failed, skipped)
}

// Failed reports whether any case failed.
func (r Report) Failed() bool {
	_, f, _ := r.Count()
	return f > 0
}

// Run checks the receiver of cfg with every case (Suite.Cases: Cases, and
// the signature cases when cfg.Signature is set), Concurrency at a time, and
// returns the results in that order. It errors when the suite cannot
// start, as New does, and when ctx ends before the run does (wrapping
// ctx.Err(), with the incomplete Report); a receiver's failures are never
// errors but Results in the Report.
func Run(ctx context.Context, cfg Config) (Report, error) {
	start := time.Now()
	s, err := New(ctx, cfg)
	if err != nil {
		return Report{}, err
	}
	defer s.Close()
	cases := s.Cases()
	rep := Report{Results: make([]Result, len(cases)), Seed: s.Seed()}
	var wg sync.WaitGroup
	sem := make(chan struct{}, Concurrency)
	for i, c := range cases {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			rep.Results[i] = s.Check(ctx, c)
		})
	}
	wg.Wait()
	rep.Duration = time.Since(start)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("the run was interrupted, so its results are incomplete: %w", err)
	}
	return rep, nil
}
