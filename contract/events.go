package contract

// The events cases send every event of the spec, in every payload shape of
// package mock that a receiver must accept, with the right token: each must
// get a 2xx. A webhook added to the spec gets its cases here at once.

import (
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// eventVariant is one events case, made for each event: the ID is
// events/<event>/<suffix>.
type eventVariant struct {
	suffix string
	shape  fake.Shape
	// sends and requirement are made from the event's name.
	sends, requirement func(event string) string
	// payloads names the variant's payloads, and fix says what to change
	// when every one of them fails and every other event passes (see
	// diagnosis.go).
	payloads, fix string
}

// eventVariants are the events cases of every event, in order.
var eventVariants = []eventVariant{
	{
		suffix:   "full",
		shape:    fake.Full,
		payloads: "fully populated payload",
		fix:      "the receiver refuses records with every property set: check its handling of the optional properties against openapi/webhooks.yaml (the start of the bodies above may say which)",
		sends: func(ev string) string {
			return "a fully populated " + ev + " payload (every property set, none null)"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook with the right token gets a 2xx within the timeout: Userfront counts any 2xx as delivered."
		},
	},
	{
		suffix:   "sparse",
		shape:    fake.Sparse,
		payloads: "sparse payload (required properties only, nulls and empty strings)",
		fix:      "the receiver needs properties that Userfront may leave out, null or empty: require only what the spec requires, and accept null and \"\" wherever it allows them",
		sends: func(ev string) string {
			return "a sparse " + ev + " payload: only required properties, null or empty wherever the spec allows"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook with nothing but its required properties, null or empty wherever the spec allows, gets a 2xx: a receiver must not choke on a null or a missing optional field."
		},
	},
	{
		suffix:   "nulls",
		shape:    fake.Nulls,
		payloads: "payload with nulls",
		fix:      "the receiver chokes on null: accept null wherever the spec allows it (openapi/webhooks.yaml), at any depth, and check for it before use",
		sends: func(ev string) string {
			return "a fully populated " + ev + " payload with every property that may be null set to null, at any depth"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook whose optional properties are present but null gets a 2xx: a receiver must not choke on a null."
		},
	},
	{
		suffix:   "unknown-fields",
		shape:    fake.WithUnknownFields,
		payloads: "payload with unknown fields",
		fix:      "the receiver refuses fields it does not know: ignore them (no DisallowUnknownFields, no additionalProperties: false), since Userfront adds fields over time",
		sends: func(ev string) string {
			return "a realistic " + ev + " payload plus properties the spec does not define, in the envelope and in the objects it carries (the record, or a messaging webhook's factor)"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook with unknown fields gets a 2xx: Userfront adds fields over time, so a receiver must ignore fields it does not know."
		},
	},
}

func eventCases(evs []openapi.Event) []Case {
	cs := make([]Case, 0, len(evs)*len(eventVariants))
	for _, ev := range evs {
		for _, v := range eventVariants {
			cs = append(cs, Case{
				ID:          "events/" + ev.Name + "/" + v.suffix,
				Sends:       v.sends(ev.Name) + ", with the right token",
				Requirement: v.requirement(ev.Name),
				Event:       ev,
				payload:     shaped(v.shape),
				delivers:    true,
				variant:     v.suffix,
				check:       delivery(rightToken, "a 2xx", is2xx, eventAdvice(v.shape)),
			})
		}
	}
	return cs
}

func eventAdvice(shape fake.Shape) func(exchange) string {
	return func(x exchange) string {
		if x.status/100 != 4 {
			return ""
		}
		if x.status == 401 || x.status == 403 {
			return "the receiver refused the right token: is it configured with the token for this mode (-mode=test or -mode=live)?"
		}
		switch shape {
		case fake.Sparse, fake.Nulls:
			return "the receiver refused a valid payload with nulls or empty strings: accept null wherever the spec allows it (openapi/webhooks.yaml)"
		case fake.WithUnknownFields:
			return "the receiver refused unknown fields: do not decode with DisallowUnknownFields or additionalProperties: false"
		}
		return "the receiver refused a valid payload: check it against openapi/webhooks.yaml"
	}
}
