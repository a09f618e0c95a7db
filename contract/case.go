package contract

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/ufhook/ufhook/mock/fake"
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
	// Event is the event whose URL the case sends to and whose payload it
	// sends, if any.
	Event openapi.Event

	// payload is the shape of the fake payload of Event that the case
	// sends, or starts from; nil when it sends no fake payload.
	payload *fake.Shape
	// delivers marks a case that sends a valid payload with the right
	// token, which a receiver processes.
	delivers bool
	// variant is an events case's variant (full, sparse, ...), the last
	// part of its ID; "" for the other cases.
	variant string
	// check runs the case against a suite.
	check func(ctx context.Context, s *Suite, c Case) Result
}

// areas are the groups of cases, in the order of Cases. Each lives in a file
// of its own (https.go, auth.go, ...) and builds its cases from the events
// of the spec. A new area is a new file and a line here.
var areas = []func(evs []openapi.Event) []Case{
	httpsCases,
	authCases,
	eventCases,
	deliveryCases,
	strictCases,
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
	var cs []Case
	for _, area := range areas {
		cs = append(cs, area(evs)...)
	}
	return cs
}

// shaped returns a pointer to sh, for Case.payload.
func shaped(sh fake.Shape) *fake.Shape { return &sh }

// hasShape reports whether c sends a fake payload of shape sh.
func (c Case) hasShape(sh fake.Shape) bool { return c.payload != nil && *c.payload == sh }

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

// delivery returns a check that sends the case's payload with the
// credentials auth, and judges the answer with ok.
func delivery(auth func(*Suite) cred, want string, ok func(exchange) bool, advice func(exchange) string) func(context.Context, *Suite, Case) Result {
	return func(ctx context.Context, s *Suite, c Case) Result {
		body, err := s.payload(c)
		if err != nil {
			return suiteBug(want, err)
		}
		x := s.send(ctx, request{event: c.Event, auth: auth(s), body: body})
		return judge(x, want, ok, advice)
	}
}

// judge turns an exchange into a Result.
func judge(x exchange, want string, ok func(exchange) bool, advice func(exchange) string) Result {
	if x.skip != "" {
		return skipped(x.skip)
	}
	if ok(x) {
		return x.mark(passed(x.got()))
	}
	a := ""
	if advice != nil {
		a = advice(x)
	}
	if a == "" {
		a = adviceFor(x)
	}
	return x.mark(failed(want, x.got(), a))
}

// mark records in r what the diagnosis reads of x: its status, and whether
// it timed out.
func (x exchange) mark(r Result) Result {
	r.Status = x.status
	var ne net.Error
	r.timedOut = x.status == 0 && errors.As(x.err, &ne) && ne.Timeout()
	return r
}

func is2xx(x exchange) bool      { return x.status/100 == 2 }
func isRejected(x exchange) bool { return x.status == 401 || x.status == 403 }

func rightToken(s *Suite) cred { return s.authHeader() }
