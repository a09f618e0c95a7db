package openapi

import (
	"errors"
	"fmt"
	"maps"
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// LoadOptions choose, where a document leaves a choice, what ufhook sends.
// The zero value takes the defaults: the post operation, the
// application/json body, and each webhook's declared security.
type LoadOptions struct {
	// Operations chooses the operation of webhooks that have several, by
	// method ("post", "put"…): the key is an event name, or "" for every
	// webhook that has that method. Without a choice, a webhook with
	// several operations uses its post.
	Operations map[string]string
	// ContentTypes chooses the request body's media type of webhooks that
	// list several, as Operations does. Without a choice, application/json
	// is used, else the first other JSON type (application/…+json) in
	// document order.
	ContentTypes map[string]string
	// Auth, when its Scheme is set, replaces the security of every
	// webhook (the --auth flag).
	Auth Auth
}

// Header is a header parameter of a webhook's operation, which the emitter
// sends and a receiver may route by.
type Header struct {
	// Name is the header's name, e.g. "X-GitHub-Event".
	Name string `json:"name"`
	// Required is the parameter's required flag.
	Required bool `json:"required,omitempty"`
	// Value is the header's fixed value, the string const or one-value
	// enum of its schema; empty when the value varies.
	Value string `json:"value,omitempty"`
	// Schema is the parameter's schema, nil when it has none.
	Schema *openapi3.Schema `json:"-"`
}

// operation holds the choices made for a webhook, behind a pointer in
// Event so that Event stays comparable.
type operation struct {
	methods      []string // every method of the webhook, e.g. POST, PUT
	contentTypes []string // every media type of the chosen request body
	headers      []Header
	pointer      string // JSON pointer of the request body schema in the document
}

// Operations lists the methods of every operation of the webhook, e.g.
// [POST PUT]; Method is the one used. An Event that does not come from the
// catalog has none.
func (ev Event) Operations() []string {
	if ev.op == nil {
		return nil
	}
	return slices.Clone(ev.op.methods)
}

// ContentTypes lists the media types of the chosen operation's request
// body, in document order; ContentType is the one used.
func (ev Event) ContentTypes() []string {
	if ev.op == nil {
		return nil
	}
	return slices.Clone(ev.op.contentTypes)
}

// Headers returns the header parameters of the chosen operation, in
// document order.
func (ev Event) Headers() []Header {
	if ev.op == nil {
		return nil
	}
	return slices.Clone(ev.op.headers)
}

// methodOrder is the order in which a webhook's operations are listed, and
// post, the first, is the default.
var methodOrder = []string{"post", "put", "patch", "get", "delete", "head", "options", "trace"}

// chooseOperation returns the method and operation of item that ufhook
// sends, and the methods of all its operations.
func chooseOperation(name string, item *openapi3.PathItem, opts LoadOptions) (string, *openapi3.Operation, []string, error) {
	ops := item.Operations() // upper-case methods
	var methods []string
	for _, m := range methodOrder {
		if ops[strings.ToUpper(m)] != nil {
			methods = append(methods, m)
		}
	}
	if len(methods) == 0 {
		return "", nil, nil, errors.New("has no operation: ufhook sends each webhook as a request; describe it under post")
	}
	upper := make([]string, len(methods))
	for i, m := range methods {
		upper[i] = strings.ToUpper(m)
	}
	if want, ok := opts.Operations[name]; ok {
		want = strings.ToLower(want)
		if !slices.Contains(methods, want) {
			return "", nil, nil, fmt.Errorf("has no %s operation (it has %s): choose one of those with --operation %s=METHOD", want, strings.Join(methods, ", "), name)
		}
		return want, ops[strings.ToUpper(want)], upper, nil
	}
	if want := strings.ToLower(opts.Operations[""]); want != "" && slices.Contains(methods, want) {
		return want, ops[strings.ToUpper(want)], upper, nil
	}
	if len(methods) > 1 && methods[0] != "post" {
		return "", nil, nil, fmt.Errorf("has %s operations and no post: choose the one ufhook sends with --operation %s=METHOD", strings.Join(methods, " and "), name)
	}
	return methods[0], ops[strings.ToUpper(methods[0])], upper, nil
}

// isJSON reports whether the media type t is JSON: application/json or a
// +json type such as application/cloudevents+json.
func isJSON(t string) bool {
	mt, _, err := mime.ParseMediaType(t)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// chooseContentType returns the media type of body that ufhook sends, and
// all its media types in document order (order gives that order).
func chooseContentType(name string, body *openapi3.RequestBody, order []string, opts LoadOptions) (string, []string, error) {
	types := order
	if len(types) != len(body.Content) {
		types = slices.Sorted(maps.Keys(body.Content))
	}
	if want, ok := opts.ContentTypes[name]; ok {
		if body.Content[want] == nil {
			return "", nil, fmt.Errorf("has no %s request body (it has %s): choose one of those with --content-type %s=TYPE", want, strings.Join(types, ", "), name)
		}
		if !isJSON(want) {
			return "", nil, fmt.Errorf("request body %s is not JSON: ufhook sends JSON payloads only; choose a JSON one (%s)", want, strings.Join(jsonTypes(types), ", "))
		}
		return want, types, nil
	}
	if want := opts.ContentTypes[""]; want != "" && body.Content[want] != nil && isJSON(want) {
		return want, types, nil
	}
	if body.Content["application/json"] != nil {
		return "application/json", types, nil
	}
	if js := jsonTypes(types); len(js) > 0 {
		return js[0], types, nil
	}
	if len(types) == 0 {
		return "", nil, errors.New("has no request body content: ufhook sends each webhook's payload as a JSON request body; give the request body content application/json with a schema")
	}
	return "", nil, fmt.Errorf("has no JSON request body (it has %s): ufhook sends JSON payloads only; add content application/json with a schema", strings.Join(types, ", "))
}

// jsonTypes keeps the JSON media types of types.
func jsonTypes(types []string) []string {
	var out []string
	for _, t := range types {
		if isJSON(t) {
			out = append(out, t)
		}
	}
	return out
}

// headersOf lists the header parameters of op and of its path item (op's
// own win), in document order.
func headersOf(item *openapi3.PathItem, op *openapi3.Operation) []Header {
	var out []Header
	seen := map[string]bool{}
	for _, params := range []openapi3.Parameters{op.Parameters, item.Parameters} {
		for _, p := range params {
			if p == nil || p.Value == nil || p.Value.In != openapi3.ParameterInHeader {
				continue
			}
			key := strings.ToLower(p.Value.Name)
			if seen[key] {
				continue
			}
			seen[key] = true
			h := Header{Name: p.Value.Name, Required: p.Value.Required}
			if p.Value.Schema != nil && p.Value.Schema.Value != nil {
				h.Schema = p.Value.Schema.Value
				h.Value = fixedString(h.Schema)
			}
			out = append(out, h)
		}
	}
	return out
}

// fixedString returns the one string s allows, by const or by a one-value
// enum, or "".
func fixedString(s *openapi3.Schema) string {
	if v, ok := s.Const.(string); ok {
		return v
	}
	if len(s.Enum) == 1 {
		if v, ok := s.Enum[0].(string); ok {
			return v
		}
	}
	return ""
}

// ErrBadChoice means an --operation or --content-type value is malformed.
var ErrBadChoice = errors.New("bad choice")

// ParseChoice reads one value of an --operation or --content-type flag into
// choices (LoadOptions.Operations or ContentTypes): "VALUE" chooses VALUE
// for every webhook that has it, and "EVENT=VALUE" for the webhook EVENT
// alone. A value that holds "=" itself (a media type parameter) is taken
// whole unless what comes before the "=" is free of "/" and ";".
func ParseChoice(choices map[string]string, s string) error {
	event, value := "", s
	if before, after, ok := strings.Cut(s, "="); ok && !strings.ContainsAny(before, "/;") {
		event, value = before, after
	}
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("%w %q: give METHOD (or TYPE) for every webhook that has it, or EVENT=METHOD for one", ErrBadChoice, s)
	}
	if old, ok := choices[event]; ok && old != value {
		who := "every webhook"
		if event != "" {
			who = event
		}
		return fmt.Errorf("%w %q: %s already has %s; give one choice per webhook", ErrBadChoice, s, who, old)
	}
	choices[event] = value
	return nil
}

// Choices describes, for each webhook of the document in use that leaves a
// choice (several operations or request body types), which one ufhook
// sends and how to choose another, e.g. "push: POST of POST, PUT (choose
// with --operation push=METHOD)".
func Choices() []string {
	evs, err := Events()
	if err != nil {
		return nil
	}
	var out []string
	for _, ev := range evs {
		if ops := ev.Operations(); len(ops) > 1 {
			out = append(out, fmt.Sprintf("%s: sends %s, of %s (choose with --operation %s=METHOD)", ev.Name, ev.Method, strings.Join(ops, ", "), ev.Name))
		}
		if types := ev.ContentTypes(); len(types) > 1 {
			out = append(out, fmt.Sprintf("%s: sends %s, of %s (choose with --content-type %s=TYPE)", ev.Name, ev.ContentType, strings.Join(types, ", "), ev.Name))
		}
	}
	return out
}
