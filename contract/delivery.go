package contract

// The delivery cases check how a receiver answers what a sender does besides
// sending valid events: whether it redirects, what it does with malformed
// JSON, unknown actions and models, and repeats, and how fast it answers.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

func deliveryCases(evs []openapi.Event) []Case {
	event := evs[0]
	cases := []Case{
		{
			ID:          "delivery/no-redirect",
			Sends:       "a valid " + event.Name + " payload with the right token",
			Requirement: "The webhook URL answers without a redirect: webhook senders do not follow 3xx.",
			Event:       event, payload: shaped(fake.Full), delivers: true,
			check: delivery(rightToken, "a status other than 3xx",
				func(x exchange) bool { return x.status != 0 && x.status/100 != 3 }, nil),
		},
		{
			ID:          "delivery/malformed-json",
			Sends:       "a truncated JSON body with the right token",
			Requirement: "Malformed JSON gets a 4xx: neither a 2xx (accepting garbage) nor a 5xx (crashing).",
			Event:       event,
			check: func(ctx context.Context, s *Suite, c Case) Result {
				// The first half of a valid payload: JSON cut off mid-way.
				body, err := payloadFor(s.cfg.Seed, s.cfg.Mode, c.ID, c.Event, fake.Full)
				if err != nil {
					return suiteBug("a 4xx", err)
				}
				body = body[:len(body)/2]
				x := s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: body})
				return judge(x, "a 4xx", func(x exchange) bool { return x.status/100 == 4 }, func(x exchange) string {
					if is2xx(x) {
						return "the receiver accepted a body that is not JSON: parse the body and answer 400 when it fails"
					}
					if x.status/100 == 5 {
						return "the receiver failed on malformed JSON: answer 400 when the body does not parse"
					}
					return ""
				})
			},
		},
	}
	cases = append(cases, unknownEventCases(event)...)
	return append(cases, []Case{
		{
			ID:          "delivery/duplicate",
			Sends:       "the same valid " + event.Name + " payload twice, one after the other, with the right token",
			Requirement: "A repeated delivery gets a 2xx both times: senders retry, so a receiver accepts a repeat (and deduplicates it itself if it must).",
			Event:       event, payload: shaped(fake.Full), delivers: true,
			check: func(ctx context.Context, s *Suite, c Case) Result {
				body, err := s.payload(c)
				if err != nil {
					return suiteBug("a 2xx twice", err)
				}
				first := s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: body})
				if first.skip != "" {
					return skipped(first.skip)
				}
				if !is2xx(first) {
					return first.mark(failed("a 2xx twice", "first delivery: "+first.got(), adviceFor(first)))
				}
				second := s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: body})
				if !is2xx(second) {
					a := adviceFor(second)
					if second.status/100 == 4 {
						a = "the receiver refused a repeat: senders retry, so answer 2xx to an event already processed (and skip it)"
					}
					return second.mark(failed("a 2xx twice", "first delivery: "+first.got()+"; second: "+second.got(), a))
				}
				return second.mark(passed("first: " + first.got() + "; second: " + second.got()))
			},
		},
		{
			ID:          "delivery/timeout",
			Sends:       "a valid " + event.Name + " payload with the right token, and times the answer",
			Requirement: "Every response arrives within the timeout (-timeout, 10s by default).",
			Event:       event, payload: shaped(fake.Full), delivers: true,
			check: func(ctx context.Context, s *Suite, c Case) Result {
				body, err := s.payload(c)
				if err != nil {
					return suiteBug("a response", err)
				}
				x := s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: body})
				want := fmt.Sprintf("a response within %v", s.cfg.Timeout)
				r := judge(x, want, func(x exchange) bool { return x.status != 0 }, nil)
				if r.Outcome == Pass {
					r.Got = fmt.Sprintf("%s after %v", r.Got, x.elapsed.Round(1e6))
				}
				return r
			},
		},
	}...)
}

// unknownEvent returns a check that sends the case's valid payload with its
// field (action or model) set to value.
// unknownEventCases are the cases that send event's payload as an event
// the receiver cannot know: for a document whose payloads carry a model and
// an action (Userfront's), an unknown action and an unknown model; for
// another, the const that tells the event apart (such as type:
// invoice.paid), or else the fixed header parameter that does (such as
// X-GitHub-Event: push), set to a value no webhook has. A document whose
// events differ in neither gets no such case.
func unknownEventCases(event openapi.Event) []Case {
	if event.Model != "" && event.Action != "" {
		return []Case{
			{
				ID:          "delivery/unknown-action",
				Sends:       "a well-formed payload whose action is \"archive\", with the right token",
				Requirement: "An event with an unknown action gets no 5xx: Userfront may add actions, and a receiver must not crash on one.",
				Event:       event, payload: shaped(fake.Full),
				check: unknownEvent("action", "archive"),
			},
			{
				ID:          "delivery/unknown-model",
				Sends:       "a well-formed payload whose model is \"organization\", with the right token",
				Requirement: "An event with an unknown model gets no 5xx: Userfront may add models, and a receiver must not crash on one.",
				Event:       event, payload: shaped(fake.Full),
				check: unknownEvent("model", "organization"),
			},
		}
	}
	const unknown = "ufhook.unknown-event"
	requirement := "An event type the receiver does not know gets no 5xx: providers add event types, and a receiver must not crash on one."
	if consts := event.Consts(); len(consts) > 0 {
		ptr := slices.Sorted(maps.Keys(consts))[0]
		return []Case{{
			ID:          "delivery/unknown-event",
			Sends:       fmt.Sprintf("a well-formed %s payload whose %s is %q instead of %q, with the right token", event.Name, ptr, unknown, consts[ptr]),
			Requirement: requirement,
			Event:       event, payload: shaped(fake.Full),
			check: unknownEventBy(func(body []byte, _ http.Header) ([]byte, error) { return setPointer(body, ptr, unknown) }, ptr),
		}}
	}
	for _, h := range event.Headers() {
		if h.Value == "" {
			continue
		}
		name := http.CanonicalHeaderKey(h.Name)
		return []Case{{
			ID:          "delivery/unknown-event",
			Sends:       fmt.Sprintf("a valid %s payload with %s: %s instead of %s, with the right token", event.Name, name, unknown, h.Value),
			Requirement: requirement,
			Event:       event, payload: shaped(fake.Full),
			check: unknownEventBy(func(body []byte, hd http.Header) ([]byte, error) { hd.Set(name, unknown); return body, nil }, "the "+name+" header"),
		}}
	}
	return nil
}

// unknownEventBy is the check of delivery/unknown-event: change makes the
// payload (or its headers) an unknown event's, and what names the change
// in the advice.
func unknownEventBy(change func([]byte, http.Header) ([]byte, error), what string) func(context.Context, *Suite, Case) Result {
	return func(ctx context.Context, s *Suite, c Case) Result {
		want := "a 2xx or a 4xx, not a 5xx"
		body, err := s.payload(c)
		headers := http.Header{}
		if err == nil {
			body, err = change(body, headers)
		}
		if err != nil {
			return suiteBug(want, err)
		}
		x := s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: body, headers: headers})
		return judge(x, want, func(x exchange) bool { return is2xx(x) || x.status/100 == 4 }, func(x exchange) string {
			if x.status/100 == 5 {
				return "the receiver failed on an unknown event type (" + what + "): ignore it (2xx) or refuse it (400), without crashing"
			}
			return ""
		})
	}
}

// setPointer sets the string at the JSON pointer ptr of a JSON object to
// value; the objects on the way must exist.
func setPointer(body []byte, ptr, value string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("decode the payload: %w", err)
	}
	tokens := strings.Split(ptr, "/")[1:]
	cur := root
	for i, tok := range tokens {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("the payload has no object at %s", ptr)
		}
		if i == len(tokens)-1 {
			obj[tok] = value
			break
		}
		cur = obj[tok]
	}
	return json.Marshal(root)
}

func unknownEvent(field, value string) func(context.Context, *Suite, Case) Result {
	return func(ctx context.Context, s *Suite, c Case) Result {
		want := "a 2xx or a 4xx, not a 5xx"
		body, err := s.payload(c)
		if err == nil {
			body, err = setField(body, field, value)
		}
		if err != nil {
			return suiteBug(want, err)
		}
		x := s.send(ctx, request{event: c.Event, auth: s.authHeader(), body: body})
		return judge(x, want, func(x exchange) bool { return is2xx(x) || x.status/100 == 4 }, func(x exchange) string {
			if x.status/100 == 5 {
				return "the receiver failed on an unknown " + field + ": ignore it (2xx) or refuse it (400), without crashing"
			}
			return ""
		})
	}
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
