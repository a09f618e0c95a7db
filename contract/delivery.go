package contract

// The delivery cases check how a receiver answers what a sender does besides
// sending valid events: whether it redirects, what it does with malformed
// JSON, unknown actions and models, and repeats, and how fast it answers.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

func deliveryCases(evs []openapi.Event) []Case {
	event := evs[0]
	return []Case{
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
	}
}

// unknownEvent returns a check that sends the case's valid payload with its
// field (action or model) set to value.
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
