package contract

// The diagnosis: when many cases fail for one reason, the report says so
// once, with the likely cause and the fix. Each rule below reads the
// Results (never the receiver) and finds one pattern; Report.Diagnose runs
// them, most specific first.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ufhook/ufhook/openapi"
)

// Diagnosis is one likely cause behind many failed cases, found by
// Report.Diagnose. The failed cases keep their own requirement, want, got
// and advice; the diagnosis says what they have in common.
type Diagnosis struct {
	// Rule names the rule that found it, e.g. "bare-token"; stable, for
	// scripts.
	Rule string `json:"rule"`
	// Finding says what the results show, e.g. "every event was refused
	// with 401 ..., but the bare token ... was accepted".
	Finding string `json:"finding"`
	// Fix says what to change in the receiver.
	Fix string `json:"fix"`
	// Cases are the IDs of the failed cases it explains, in the report's
	// order.
	Cases []string `json:"cases"`
}

// String returns the diagnosis on one line: "diagnosis: <finding>: <fix>",
// and the failed cases it explains.
func (d Diagnosis) String() string {
	shown := d.Cases
	more := ""
	if len(shown) > 3 {
		shown, more = shown[:3], fmt.Sprintf(" and %d more", len(d.Cases)-3)
	}
	return fmt.Sprintf("diagnosis: %s: %s (explains %d failed %s: %s%s)",
		d.Finding, d.Fix, len(d.Cases), plural(len(d.Cases), "case", "cases"), strings.Join(shown, ", "), more)
}

// Explains reports whether the diagnosis explains the failure of the case
// with that ID.
func (d Diagnosis) Explains(id string) bool { return slices.Contains(d.Cases, id) }

// Diagnose returns the likely causes that explain many failed cases at once,
// most specific first; none when nothing failed, or when the failures have
// no cause in common that a rule knows. A rule whose cases an earlier
// diagnosis already explains adds nothing.
func (r Report) Diagnose() []Diagnosis {
	var out []Diagnosis
	explained := map[string]bool{}
	for _, rule := range rules {
		d := rule(r.Results)
		if d == nil || len(d.Cases) == 0 || !slices.ContainsFunc(d.Cases, func(id string) bool { return !explained[id] }) {
			continue
		}
		for _, id := range d.Cases {
			explained[id] = true
		}
		out = append(out, *d)
	}
	return out
}

// rules are the rules of Diagnose, most specific first.
var rules = []func([]Result) *Diagnosis{
	bareToken,
	sameAnswer,
	splitEvents,
}

// bareToken finds a receiver that compares the header with the bare
// token: every event, sent with "Bearer <token>", is refused, while
// auth/no-scheme, the bare token, is accepted.
func bareToken(rs []Result) *Diagnosis {
	evs := ranEvents(rs)
	if len(evs) == 0 || !all(evs, func(r Result) bool { return r.Outcome == Fail && answer(r) == answerAuth }) {
		return nil
	}
	i := slices.IndexFunc(rs, func(r Result) bool { return r.Case.ID == idNoScheme })
	if i < 0 || rs[i].Outcome != Fail || rs[i].Status/100 != 2 {
		return nil
	}
	return &Diagnosis{
		Rule: "bare-token",
		Finding: fmt.Sprintf("every event was refused with %s although it carried the right token as \"Bearer <token>\", "+
			"but the bare token without \"Bearer \" was accepted (%s)", statuses(evs), idNoScheme),
		Fix: "the receiver compares the header with the bare token: compare the whole Authorization header with \"Bearer <token>\" " +
			"(or parse the Bearer scheme, then compare the token after it in constant time)",
		Cases: failedIDs(rs, func(r Result) bool {
			return r.Case.ID == idNoScheme || r.Case.delivers && answer(r) == answerAuth
		}),
	}
}

// sameAnswer finds every events case failing with the same kind of answer:
// the token refused, a 5xx, a redirect, a 404, no answer in time, ...
func sameAnswer(rs []Result) *Diagnosis {
	evs := ranEvents(rs)
	if len(evs) < 2 || evs[0].Outcome != Fail {
		return nil
	}
	kind := answer(evs[0])
	if !all(evs, func(r Result) bool { return r.Outcome == Fail && answer(r) == kind }) {
		return nil
	}
	d := &Diagnosis{Cases: failedIDs(rs, func(r Result) bool { return r.Case.delivers && answer(r) == kind })}
	got := statuses(evs)
	switch kind {
	case answerAuth:
		d.Rule = "token-refused"
		d.Finding = "every event was refused with " + got + " although it carried the token given to the suite"
		d.Fix = "configure the receiver with that token" + tokenModeHint()
		if got == "403" {
			d.Fix += plainHTTPModeHint()
		}
		if signedRun(rs) {
			d.Fix += "; the deliveries were signed validly too: check that the receiver verifies with the scheme and the secret given to the suite (-sign, -secret), over the raw body as received, never over JSON parsed and serialised again"
		}
	case "5xx":
		// Did the receiver fail on refusals too, before it read the token?
		others := slices.DeleteFunc(slices.Clone(rs), func(r Result) bool {
			return r.Case.variant != "" || r.Outcome == Skip || r.Status == 0 && !r.timedOut
		})
		if len(others) > 0 && all(others, func(r Result) bool { return answer(r) == "5xx" }) {
			d.Rule = "server-error"
			d.Finding = "every request got " + statuses(append(evs, others...)) + ", whatever its token or body"
			d.Fix = "the receiver fails before it looks at the request: look at its log for the error " +
				"(a panic in a middleware, a setting or a database missing at startup), fix it, and run the suite again"
			d.Cases = failedIDs(rs, func(r Result) bool { return answer(r) == "5xx" })
			break
		}
		d.Rule = "event-server-error"
		d.Finding = "every event got " + got
		if len(others) > 0 {
			d.Finding += ", while the requests it refused were answered"
		}
		d.Fix = "the receiver fails after it accepts a webhook: look at its log for the error in its event handling " +
			"(a database or queue it cannot reach, a panic, a missing setting)"
	case "3xx":
		d.Rule = "redirect"
		d.Finding = "every event was answered with a redirect (" + got + ")"
		d.Fix = "webhook senders do not follow redirects: configure the URL that the receiver redirects to (the Location) as the webhook URL, or answer 2xx where it is"
	case "404":
		d.Rule = "not-found"
		d.Finding = "every event got 404"
		d.Fix = "nothing receives webhooks at this URL: check the path of -target (and of each -route) against the receiver's routes"
	case "405":
		d.Rule = "method-not-allowed"
		d.Finding = "every event got 405"
		d.Fix = "the URL does not take POST, which every webhook is: check the path of -target and the methods of the receiver's route"
	case "4xx":
		d.Rule = "payload-refused"
		d.Finding = "every event was refused with " + got
		d.Fix = "the receiver refuses valid payloads: the start of the bodies above may say why; compare its checks with openapi/webhooks.yaml, whose payloads are what Userfront sends"
	case answerTimeout:
		d.Rule = "timeout"
		d.Finding = "no event was answered within the timeout"
		d.Fix = "the receiver works before it answers: reply 2xx first and do slow work in the background (or raise -timeout for a receiver that is merely far away)"
	case answerNone:
		d.Rule = "no-answer"
		d.Finding = "every event lost its connection without an answer"
		d.Fix = "the receiver crashes on every event: look at its log for the panic"
	default:
		return nil
	}
	return d
}

// splitEvents finds failed events cases that share one model, one action,
// one payload variant or one event, while every other events case passed:
// "every tenant event failed, every user event passed".
func splitEvents(rs []Result) *Diagnosis {
	evs := ranEvents(rs)
	bad := slices.DeleteFunc(slices.Clone(evs), func(r Result) bool { return r.Outcome != Fail })
	if len(bad) < 2 || len(bad) == len(evs) {
		return nil
	}
	// The answer they have in common, if any, for the finding and the fix.
	kind, failed := answer(bad[0]), "failed"
	if all(bad, func(r Result) bool { return answer(r) == kind }) {
		failed = describe(kind, statuses(bad))
	} else {
		kind = ""
	}
	splits := []struct {
		rule string
		key  func(Case) string
		// fix says what to do about the value v.
		fix func(v, kind string) string
		// others names the events that passed.
		finding func(v string) string
	}{
		{"model", func(c Case) string { return c.Event.Model },
			func(v, kind string) string {
				return fix(kind, "the receiver fails on "+v+" webhooks: look at its log for the error in the code that handles model "+v,
					"the receiver does not take "+v+" webhooks: route model "+v+" (every action) to a handler that answers 2xx")
			},
			func(v string) string {
				return "every " + v + " event " + failed + ", every " + others(evs, func(c Case) string { return c.Event.Model }, v) + " event passed"
			}},
		{"action", func(c Case) string { return c.Event.Action },
			func(v, kind string) string {
				return fix(kind, "the receiver fails on action "+v+": look at its log for the error in the code that handles it",
					"the receiver does not take action "+v+": handle it for every model, and answer 2xx")
			},
			func(v string) string {
				return "every " + v + " event " + failed + ", every other event passed"
			}},
		{"variant", func(c Case) string { return c.variant },
			func(v, _ string) string { return variantOf(v).fix },
			func(v string) string {
				return "every " + variantOf(v).payloads + " " + failed + ", every other payload passed"
			}},
		{"event", func(c Case) string { return c.Event.Name },
			func(v, kind string) string {
				return fix(kind, "the receiver fails on "+v+" alone: look at its log for the error in the code that handles it",
					"the receiver does not take "+v+": if each event has its own URL, check "+v+"'s (-route "+v+"=URL); else check how it routes "+v)
			},
			func(v string) string { return "every " + v + " case " + failed + ", every other event passed" }},
	}
	for _, sp := range splits {
		v := sp.key(bad[0].Case)
		if !all(bad, func(r Result) bool { return sp.key(r.Case) == v }) ||
			!all(evs, func(r Result) bool { return sp.key(r.Case) != v || r.Outcome == Fail }) {
			continue
		}
		return &Diagnosis{
			Rule:    sp.rule + "-failed",
			Finding: sp.finding(v),
			Fix:     sp.fix(v, kind),
			Cases:   failedIDs(rs, func(r Result) bool { return r.Case.delivers && sp.key(r.Case) == v }),
		}
	}
	return nil
}

// The kinds of answer that the rules tell apart, besides the status
// classes ("5xx", "3xx", "4xx") and the statuses 404 and 405.
const (
	answerAuth    = "401/403"
	answerTimeout = "timeout"
	answerNone    = "none"
)

// idNoScheme is the case that sends the bare token.
const idNoScheme = "auth/no-scheme"

// answer is the kind of answer a result rests on.
func answer(r Result) string {
	switch s := r.Status; {
	case r.timedOut:
		return answerTimeout
	case s == 0:
		return answerNone
	case s == 401 || s == 403:
		return answerAuth
	case s == 404 || s == 405:
		return strconv.Itoa(s)
	default:
		return strconv.Itoa(s/100) + "xx"
	}
}

// describe says what each case with answers of kind (whose statuses are
// got) met with, after "every ... case": "got 500".
func describe(kind, got string) string {
	switch kind {
	case answerTimeout:
		return "got no answer in time"
	case answerNone:
		return "lost its connection without an answer"
	case "3xx":
		return "was redirected (" + got + ")"
	case answerAuth, "4xx", "404", "405":
		return "was refused with " + got
	}
	return "got " + got
}

// fix picks the advice for a 5xx (or no answer) or for a refusal.
func fix(kind, failing, refusing string) string {
	switch kind {
	case "5xx", answerNone, answerTimeout:
		return failing
	}
	return refusing
}

// others lists the values of key among evs' cases other than v, joined
// with "and": the models that passed.
func others(evs []Result, key func(Case) string, v string) string {
	var out []string
	for _, r := range evs {
		if k := key(r.Case); k != v && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return strings.Join(out, " and ")
}

// variantOf returns the events variant with that suffix.
func variantOf(suffix string) eventVariant {
	i := slices.IndexFunc(eventVariants, func(v eventVariant) bool { return v.suffix == suffix })
	if i < 0 {
		return eventVariant{payloads: suffix + " payload", fix: "compare the receiver's checks with openapi/webhooks.yaml"}
	}
	return eventVariants[i]
}

// ranEvents returns the events cases that ran (were not skipped).
func ranEvents(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if r.Case.variant != "" && r.Outcome != Skip {
			out = append(out, r)
		}
	}
	return out
}

// failedIDs returns the IDs of the failed results that keep selects.
func failedIDs(rs []Result, keep func(Result) bool) []string {
	var out []string
	for _, r := range rs {
		if r.Outcome == Fail && keep(r) {
			out = append(out, r.Case.ID)
		}
	}
	return out
}

// statuses lists the distinct statuses of rs, e.g. "401" or "401 or 403".
func statuses(rs []Result) string {
	var out []string
	for _, r := range rs {
		if s := strconv.Itoa(r.Status); r.Status != 0 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return strings.Join(out, " or ")
}

func all(rs []Result, f func(Result) bool) bool {
	return !slices.ContainsFunc(rs, func(r Result) bool { return !f(r) })
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// tokenModeHint adds, to advice to configure the receiver with the token,
// that the token must be the run's mode's, when the document's modes have
// a token each.
func tokenModeHint() string {
	set, ok := openapi.Modes()
	if !ok || !set.SeparateTokens {
		return ""
	}
	return ", for the mode of this run (-mode): the tokens of " + strings.Join(set.Names(), " and ") + " mode differ"
}

// plainHTTPModeHint adds, to advice about a 403, that a receiver serving
// plain HTTP refuses the modes that need HTTPS, and which mode to check it
// in; "" when the document has no such pair of modes.
func plainHTTPModeHint() string {
	set, _ := openapi.Modes()
	var secure, plain string
	for _, m := range set.Modes {
		switch {
		case m.HTTPS && secure == "":
			secure = m.Name
		case !m.HTTPS && plain == "":
			plain = m.Name
		}
	}
	if secure == "" || plain == "" {
		return ""
	}
	return "; a receiver that serves plain HTTP refuses " + secure + " webhooks: check it with -mode=" + plain
}

// signedRun reports whether the results are those of a signed run: they
// hold signature cases.
func signedRun(rs []Result) bool {
	return slices.ContainsFunc(rs, func(r Result) bool { return strings.HasPrefix(r.Case.ID, "signature/") })
}
