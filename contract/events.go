package contract

// The events cases send every event of the spec, in every payload shape of
// package mock that a receiver must accept, with the right token: each must
// get a 2xx. A webhook added to the spec gets its cases here at once. The
// variety shapes (unicode, crowded, empty, large, deep) hold what
// breaks real receivers whatever the seed, so that a receiver's verdict
// does not depend on it; an event gets a case of such a shape only when the
// shape finds something to vary in its schema (fake.Varies).

import (
	"strings"

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
	{
		suffix:   "unicode",
		shape:    fake.Unicode,
		payloads: "payload with non-ASCII text",
		fix:      "the receiver fails on non-ASCII text: read the body as UTF-8, and store names in UTF-8 (utf8mb4 in MySQL), with room for emoji, CJK and right-to-left text",
		sends: func(ev string) string {
			return "a fully populated " + ev + " payload whose free-text strings (names, usernames, messages) carry accented Latin, CJK, emoji and right-to-left text"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook with non-ASCII text in its names gets a 2xx: users write their names in every script, and Userfront passes them on as UTF-8."
		},
	},
	{
		suffix:   "crowded",
		shape:    fake.Crowded,
		payloads: "payload with several entries in every map and list",
		fix:      "the receiver handles only one entry where the spec allows several: loop over every key of a map (a user's authorization, one key per tenant) and every item of a list",
		sends: func(ev string) string {
			return "a fully populated " + ev + " payload with three entries in every map and list: a user with roles in three tenants, three roles in each"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook with several entries in its maps and lists gets a 2xx: a user may belong to several tenants, with several roles in each."
		},
	},
	{
		suffix:   "empty",
		shape:    fake.Empty,
		payloads: "payload with empty lists",
		fix:      "the receiver fails on an empty list or object: check the length before taking the first item (roles may be [], data {})",
		sends: func(ev string) string {
			return "a fully populated " + ev + " payload with [] for every list that may be empty (roles: [] in a tenant) and {} for free-form data"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook whose lists are empty gets a 2xx: a user may hold no role in a tenant ({\"roles\": []} is seen), and a tenant may define none."
		},
	},
	{
		suffix:   "large",
		shape:    fake.Large,
		payloads: "payload with about 48 KiB of data",
		fix:      "the receiver refuses a large body: accept bodies of at least 1 MiB (custom data has no documented limit), and do not buffer them in a fixed-size field",
		sends: func(ev string) string {
			return "a fully populated " + ev + " payload whose free-form data holds about 48 KiB"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook with tens of kilobytes of custom data gets a 2xx: data is free-form, and Userfront documents no limit on it."
		},
	},
	{
		suffix:   "deep",
		shape:    fake.Deep,
		payloads: "payload with data nested 64 levels deep",
		fix:      "the receiver refuses deeply nested JSON: allow a nesting depth of at least 64 in its JSON parser (or store data without walking it)",
		sends: func(ev string) string {
			return "a fully populated " + ev + " payload whose free-form data nests 64 levels deep"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook whose custom data nests 64 levels deep gets a 2xx: data is free-form JSON, nested as the application wrote it."
		},
	},
	{
		suffix:   "longest",
		shape:    fake.Longest,
		payloads: "payload with strings at their maxLength",
		fix:      "the receiver refuses strings as long as the spec allows: make its columns and buffers as wide as each maxLength",
		sends: func(ev string) string {
			return "a fully populated " + ev + " payload with every string that declares a maxLength exactly that long"
		},
		requirement: func(ev string) string {
			return "A valid " + ev + " webhook whose strings are as long as the spec allows gets a 2xx. (Only for documents that declare a maxLength; Userfront's declares none.)"
		},
	},
}

func eventCases(evs []openapi.Event) []Case {
	cs := make([]Case, 0, len(evs)*len(eventVariants))
	for _, ev := range evs {
		for _, v := range eventVariants {
			if varies, err := fake.Varies(ev, v.shape); err == nil && !varies {
				continue // the shape would send Full's payload again
			}
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
			if set, ok := openapi.Modes(); ok && set.SeparateTokens {
				return "the receiver refused the right token: is it configured with the token for this mode (-mode=" + strings.Join(set.Names(), " or -mode=") + ")?"
			}
			return "the receiver refused the right token: is it configured with that token?"
		}
		switch shape {
		case fake.Sparse, fake.Nulls:
			return "the receiver refused a valid payload with nulls or empty strings: accept null wherever the spec allows it (openapi/webhooks.yaml)"
		case fake.WithUnknownFields:
			return "the receiver refused unknown fields: do not decode with DisallowUnknownFields or additionalProperties: false"
		case fake.Unicode, fake.Crowded, fake.Empty, fake.Large, fake.Deep, fake.Longest:
			return variantOf(shape.String()).fix
		}
		return "the receiver refused a valid payload: check it against openapi/webhooks.yaml"
	}
}
