package contract

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// passingReport is the report of a receiver that passes every case: 204 to
// what it must accept, 401 to what it must refuse. The tests of the rules
// mutate it.
func passingReport() Report {
	var rs []Result
	for _, c := range Cases() {
		r := Result{Case: c, Outcome: Pass, Status: 204}
		switch {
		case strings.HasPrefix(c.ID, "https/"):
			r.Status = 0
		case strings.HasPrefix(c.ID, "auth/"), c.ID == "strict/www-authenticate":
			r.Status = 401
		case c.ID == "delivery/malformed-json", c.ID == "delivery/unknown-action", c.ID == "delivery/unknown-model":
			r.Status = 400
		case c.ID == "strict/method-not-allowed":
			r.Status = 405
		}
		rs = append(rs, r)
	}
	return Report{Results: rs}
}

// answers returns a mutation that gives every result that sel selects the
// outcome and the status of an answer (status 0 with timedOut for a
// timeout).
func answers(sel func(Case) bool, o Outcome, status int, timedOut bool) func(*Report) {
	return func(rep *Report) {
		for i, r := range rep.Results {
			if sel(r.Case) {
				rep.Results[i].Outcome, rep.Results[i].Status, rep.Results[i].timedOut = o, status, timedOut
			}
		}
	}
}

func isEvents(c Case) bool { return c.variant != "" }

// delivering selects the cases that want the right token accepted with a
// 2xx, which fail when the receiver does not give one.
func delivering(c Case) bool {
	return c.delivers && c.ID != "delivery/no-redirect" && c.ID != "delivery/timeout" && !c.Strict
}

func and(fs ...func(Case) bool) func(Case) bool {
	return func(c Case) bool {
		for _, f := range fs {
			if !f(c) {
				return false
			}
		}
		return true
	}
}

// TestDiagnose runs each rule on the report of a receiver with one fault,
// and checks the rules that fire, the finding and fix they give, and the
// failed cases they explain.
func TestDiagnose(t *testing.T) {
	skipWithTarget(t)
	model := func(m string) func(Case) bool { return func(c Case) bool { return c.Event.Model == m } }
	action := func(a string) func(Case) bool { return func(c Case) bool { return c.Event.Action == a } }
	event := func(e string) func(Case) bool { return func(c Case) bool { return c.Event.Name == e } }
	variant := func(v string) func(Case) bool { return func(c Case) bool { return c.variant == v } }
	id := func(ids ...string) func(Case) bool {
		return func(c Case) bool { return idIs(ids...)(c) }
	}

	tests := []struct {
		name   string
		mutate []func(*Report)
		// rules are the rules of the diagnoses, in order; says are pieces of
		// the first one's text.
		rules []string
		says  []string
		// explains selects the failed cases that the diagnoses explain;
		// nil means all of them.
		explains func(Case) bool
	}{
		{name: "nothing failed"},
		{
			name:   "one event case failed",
			mutate: []func(*Report){answers(id("events/user.created/full"), Fail, 500, false)},
		},
		{
			name: "failures with no cause in common",
			mutate: []func(*Report){
				answers(id("events/user.created/full", "events/tenant.updated/nulls"), Fail, 500, false),
				answers(id("auth/wrong-token"), Fail, 204, false),
			},
		},
		{
			name: "the bare token accepted, the Bearer one refused",
			mutate: []func(*Report){
				answers(delivering, Fail, 401, false),
				answers(id(idNoScheme), Fail, 204, false),
			},
			rules: []string{"bare-token"},
			says:  []string{"every event was refused with 401", `the bare token without "Bearer " was accepted (auth/no-scheme)`, `compare the whole Authorization header with "Bearer <token>"`},
		},
		{
			name:   "the right token refused, the bare one too",
			mutate: []func(*Report){answers(delivering, Fail, 401, false)},
			rules:  []string{"token-refused"},
			says:   []string{"every event was refused with 401 although it carried the token given to the suite", "for the mode of this run (-mode)"},
		},
		{
			name:   "every event refused with 403",
			mutate: []func(*Report){answers(delivering, Fail, 403, false)},
			rules:  []string{"token-refused"},
			says:   []string{"refused with 403", "check it with -mode=test"},
		},
		{
			name: "every event refused with 401 or 403",
			mutate: []func(*Report){
				answers(delivering, Fail, 401, false),
				answers(and(delivering, model("tenant")), Fail, 403, false),
			},
			rules: []string{"token-refused"},
			says:  []string{"refused with 401 or 403"},
		},
		{
			name: "500 to every request",
			mutate: []func(*Report){
				answers(sendsRequest, Fail, 500, false),
				answers(id("delivery/no-redirect", "delivery/timeout", "strict/fast"), Pass, 500, false),
				answers(id(idReusedConnection), Skip, 0, false),
			},
			rules: []string{"server-error"},
			says:  []string{"every request got 500, whatever its token or body", "look at its log"},
		},
		{
			name:   "500 to every event, 401 to bad tokens",
			mutate: []func(*Report){answers(delivering, Fail, 500, false)},
			rules:  []string{"event-server-error"},
			says:   []string{"every event got 500, while the requests it refused were answered", "look at its log for the error in its event handling"},
		},
		{
			name: "500 to every event, and only the events cases ran",
			mutate: []func(*Report){
				answers(isEvents, Fail, 500, false),
				func(rep *Report) {
					rep.Results = slices.DeleteFunc(rep.Results, func(r Result) bool { return !isEvents(r.Case) })
				},
			},
			rules: []string{"event-server-error"},
			says:  []string{"every event got 500: the receiver fails after it accepts a webhook"},
		},
		{
			name:   "a redirect after every event",
			mutate: []func(*Report){answers(func(c Case) bool { return c.delivers && c.ID != "delivery/timeout" && !c.Strict }, Fail, 303, false)},
			rules:  []string{"redirect"},
			says:   []string{"every event was answered with a redirect (303)", "do not follow redirects"},
		},
		{
			name:   "404 to every event",
			mutate: []func(*Report){answers(delivering, Fail, 404, false)},
			rules:  []string{"not-found"},
			says:   []string{"every event got 404", "check the path of -target"},
		},
		{
			name:   "405 to every event",
			mutate: []func(*Report){answers(delivering, Fail, 405, false)},
			rules:  []string{"method-not-allowed"},
			says:   []string{"every event got 405", "does not take POST"},
		},
		{
			name: "every event refused with 400 or 422",
			mutate: []func(*Report){
				answers(delivering, Fail, 400, false),
				answers(and(delivering, action("delete")), Fail, 422, false),
			},
			rules: []string{"payload-refused"},
			says:  []string{"every event was refused with 400 or 422", "refuses valid payloads"},
		},
		{
			name:   "no answer in time",
			mutate: []func(*Report){answers(func(c Case) bool { return c.delivers && !c.Strict }, Fail, 0, true)},
			rules:  []string{"timeout"},
			says:   []string{"no event was answered within the timeout", "reply 2xx first"},
		},
		{
			name:   "the connection lost on every event",
			mutate: []func(*Report){answers(func(c Case) bool { return c.delivers && !c.Strict }, Fail, 0, false)},
			rules:  []string{"no-answer"},
			says:   []string{"every event lost its connection without an answer", "crashes on every event"},
		},
		{
			name:   "every tenant event failed",
			mutate: []func(*Report){answers(and(delivering, model("tenant")), Fail, 500, false)},
			rules:  []string{"model-failed"},
			says:   []string{"every tenant event got 500, every user event passed", "the receiver fails on tenant webhooks"},
		},
		{
			name:   "every user event refused, with several statuses",
			mutate: []func(*Report){answers(and(delivering, model("user")), Fail, 400, false), answers(and(isEvents, model("user"), action("update")), Fail, 0, true)},
			rules:  []string{"model-failed"},
			says:   []string{"every user event failed, every tenant event passed", "does not take user webhooks"},
		},
		{
			name:   "every delete event failed",
			mutate: []func(*Report){answers(and(isEvents, action("delete")), Fail, 400, false)},
			rules:  []string{"action-failed"},
			says:   []string{"every delete event was refused with 400, every other event passed", "does not take action delete"},
		},
		{
			name:   "every payload with nulls failed",
			mutate: []func(*Report){answers(variant("nulls"), Fail, 0, false)},
			rules:  []string{"variant-failed"},
			says:   []string{"every payload with nulls lost its connection without an answer, every other payload passed", "accept null wherever the spec allows it"},
		},
		{
			name:   "every case of one event failed",
			mutate: []func(*Report){answers(and(isEvents, event("tenant.updated")), Fail, 500, false)},
			rules:  []string{"event-failed"},
			says:   []string{"every tenant.updated case got 500, every other event passed", "fails on tenant.updated alone"},
		},
		{
			name: "one event failed, and a bad token accepted besides",
			mutate: []func(*Report){
				answers(and(delivering, event("user.created")), Fail, 500, false),
				answers(id("auth/token-prefix"), Fail, 204, false),
			},
			rules:    []string{"event-failed"},
			says:     []string{"every user.created case got 500", "(explains 10 failed cases: events/user.created/full, events/user.created/sparse, events/user.created/nulls and 7 more)"},
			explains: and(delivering, event("user.created")),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := passingReport()
			for _, m := range tc.mutate {
				m(&rep)
			}
			diags := rep.Diagnose()
			var rules, explained []string
			for _, d := range diags {
				rules = append(rules, d.Rule)
				explained = append(explained, d.Cases...)
				assert.NotEmpty(t, d.Finding)
				assert.NotEmpty(t, d.Fix)
			}
			assert.Equal(t, tc.rules, rules)
			if len(diags) == 0 {
				return
			}
			for _, s := range tc.says {
				assert.Contains(t, diags[0].String(), s)
			}
			sel := tc.explains
			if sel == nil {
				sel = func(Case) bool { return true }
			}
			var want []string
			for _, r := range rep.Results {
				if r.Outcome == Fail && sel(r.Case) {
					want = append(want, r.Case.ID)
				}
			}
			assert.Equal(t, want, explained, "the failed cases explained, in the report's order")
		})
	}
}

// TestDiagnoseSaysOnce checks that a cause is given once: the bare-token
// rule explains the failures that the token-refused rule would explain too.
func TestDiagnoseSaysOnce(t *testing.T) {
	skipWithTarget(t)
	rep := passingReport()
	answers(delivering, Fail, 401, false)(&rep)
	answers(func(c Case) bool { return c.ID == idNoScheme }, Fail, 204, false)(&rep)
	require.NotNil(t, sameAnswer(rep.Results), "the token-refused rule matches on its own")
	diags := rep.Diagnose()
	require.Len(t, diags, 1)
	assert.Equal(t, "bare-token", diags[0].Rule)
}

func TestDiagnosisString(t *testing.T) {
	skipWithTarget(t)
	d := Diagnosis{Rule: "r", Finding: "every event got 500", Fix: "look at the log", Cases: []string{"a"}}
	assert.Equal(t, "diagnosis: every event got 500: look at the log (explains 1 failed case: a)", d.String())
	d.Cases = []string{"a", "b", "c", "d", "e"}
	assert.Equal(t, "diagnosis: every event got 500: look at the log (explains 5 failed cases: a, b, c and 2 more)", d.String())
	assert.True(t, d.Explains("e"))
	assert.False(t, d.Explains("f"))
}

// TestResultStatus checks what a check records for the diagnosis: the
// status of the answer, and whether it timed out.
func TestResultStatus(t *testing.T) {
	skipWithTarget(t)
	ok := func(x exchange) bool { return is2xx(x) }
	r := judge(exchange{status: 503}, "a 2xx", ok, nil)
	assert.Equal(t, 503, r.Status)
	assert.False(t, r.timedOut)
	r = judge(exchange{err: timeoutErr{}, timeout: time.Second}, "a 2xx", ok, nil)
	assert.Equal(t, 0, r.Status)
	assert.True(t, r.timedOut)
	assert.Equal(t, "timeout", answer(r))
	r = judge(exchange{status: 204}, "a 2xx", ok, nil)
	assert.Equal(t, Pass, r.Outcome)
	assert.Equal(t, 204, r.Status)
}

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
