package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// schemaURL names the compiled copy of the document's component schemas.
const schemaURL = "urn:ufhook:webhooks"

var printer = message.NewPrinter(language.English)

// pointerEscaper escapes a JSON pointer token (RFC 6901).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// Problem is one broken rule of a payload.
type Problem struct {
	// Path is the JSON pointer of the offending value, e.g. "/record/userId";
	// "" is the whole payload.
	Path string `json:"path"`
	// Keyword is the schema rule that was broken, e.g. "type", "required",
	// "const", "pattern" or "format".
	Keyword string `json:"rule"`
	// Message says what was wrong, e.g. "got string, want integer".
	Message string `json:"message"`
}

// String formats the problem as "path: rule: message".
func (p Problem) String() string {
	path := p.Path
	if path == "" {
		path = "(root)"
	}
	return path + ": " + p.Keyword + ": " + p.Message
}

// ValidationError is returned by Validate when a payload breaks the schema.
// It wraps ErrInvalidPayload.
type ValidationError struct {
	// Event is the event whose schema was applied.
	Event string
	// Problems lists every broken rule, sorted by path.
	Problems []Problem
}

// Error lists the problems on one line.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("%s %s: %s", e.Event, ErrInvalidPayload, strings.Join(parts, "; "))
}

// Unwrap makes errors.Is(err, ErrInvalidPayload) true.
func (e *ValidationError) Unwrap() error { return ErrInvalidPayload }

// compileSchemas compiles every event's request schema once, with the
// JSON Schema 2020-12 engine that kin-openapi itself uses for 3.1 documents
// (santhosh-tekuri/jsonschema). kin-openapi's Schema.VisitJSON compiles the
// schema again on every call, which is far too slow for a receiver's hot path;
// the tests check that both agree. The whole document is one JSON Schema
// resource, so that inline schemas and $refs anywhere in it resolve; only
// what the webhooks reach is compiled. The OpenAPI 3.0 keyword nullable:
// true, which means nothing in 3.1, is read as its author meant it (null is
// allowed too), and each place is a warning (see Warnings). The resource
// is root, the document's YAML tree, converted (jsonOf), or else kin-openapi's
// document encoded as JSON. place gives the file and line of a pointer.
func compileSchemas(c *catalog, root *yaml.Node, place func(tokens ...string) string) error {
	res, ok := jsonOf(root)
	if !ok {
		raw, err := json.Marshal(c.doc)
		if err != nil {
			return fmt.Errorf("encode the document: %w", err)
		}
		if res, err = jsonschema.UnmarshalJSON(bytes.NewReader(raw)); err != nil {
			return fmt.Errorf("decode the document: %w", err)
		}
	}
	c.warnings = append(c.warnings, nullables(res, nil, false)...)
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	comp.AssertFormat()
	comp.RegisterVocabulary(schemaPlaces)
	patterns := &patternCache{known: map[string]jsonschema.Regexp{}}
	defer patterns.stop()
	comp.UseRegexpEngine(patterns.compile)
	if err := comp.AddResource(schemaURL, res); err != nil {
		return fmt.Errorf("add the document's schemas: %w", err)
	}
	for i, ev := range c.events {
		s, err := comp.Compile(schemaURL + "#" + ev.op.pointer)
		if err != nil {
			return fmt.Errorf("webhook %q: compile its schema %s: %w; fix the schema", ev.Name, ev.op.pointer, err)
		}
		c.events[i].compiled = s
	}
	return checkDefaults(comp, res, place)
}

// patternCache compiles each pattern of a document once: a provider's
// schemas repeat the same few (a commit SHA's, an id's) thousands of times,
// and compiling them took a fortieth of a 300-webhook document's load
// (issue 13). After stop, it compiles without keeping: the compiled schemas
// call it to check payload strings of format regex, from any goroutine.
type patternCache struct {
	mu    sync.Mutex
	known map[string]jsonschema.Regexp // nil once stopped
}

// compile returns the compiled pattern s, as regexp.Compile does.
func (p *patternCache) compile(s string) (jsonschema.Regexp, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if re, ok := p.known[s]; ok {
		return re, nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, err
	}
	if p.known != nil {
		p.known[s] = re
	}
	return re, nil
}

// stop forgets the patterns and keeps no more.
func (p *patternCache) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.known = nil
}

// schemaPlaces is a vocabulary that adds no keyword: it tells the
// compiler where an OpenAPI document holds schemas (the request schemas of
// webhooks, and components), so that it finds them all in one walk when
// the document is added. Without it, the compiler learns of each such place
// when a webhook or a $ref first reaches it, and copies all it knows at each
// one: a load of 300 webhooks then took 16 s instead of 4 (issue 13). The
// places are those of request bodies and parameters, whose defaults
// checkDefaults checks. The
// paths are few and wildcards, since the compiler tries each at every
// schema; a place they miss is still found, the slow way.
var schemaPlaces = &jsonschema.Vocabulary{
	URL: "urn:ufhook:schema-places",
	Subschemas: []jsonschema.SchemaPath{
		{jsonschema.Prop("components"), jsonschema.Prop("schemas"), jsonschema.AllProp{}},
		{jsonschema.Prop("webhooks"), jsonschema.AllProp{}, jsonschema.AllProp{}, jsonschema.Prop("requestBody"), jsonschema.Prop("content"), jsonschema.AllProp{}, jsonschema.Prop("schema")},
		{jsonschema.Prop("components"), jsonschema.Prop("requestBodies"), jsonschema.AllProp{}, jsonschema.Prop("content"), jsonschema.AllProp{}, jsonschema.Prop("schema")},
		{jsonschema.Prop("webhooks"), jsonschema.AllProp{}, jsonschema.AllProp{}, jsonschema.Prop("parameters"), jsonschema.AllItem{}, jsonschema.Prop("schema")},
		{jsonschema.Prop("components"), jsonschema.Prop("parameters"), jsonschema.AllProp{}, jsonschema.Prop("schema")},
	},
	Compile: func(*jsonschema.CompilerContext, map[string]any) (jsonschema.SchemaExt, error) { return nil, nil },
}

// schemaMaps are the keywords whose value maps names to schemas, rather
// than being a schema.
var schemaMaps = map[string]bool{"properties": true, "patternProperties": true, "$defs": true, "definitions": true, "dependentSchemas": true, "schemas": true}

// nullables rewrites, in v (the document as JSON, at the pointer of tokens
// at), every schema with the 3.0 keyword nullable: true so that it allows
// null as well, and returns a warning for each. names is true when v maps
// names to schemas. The pointer is written only for a warning: writing it
// at each of the million values of a 300-webhook document was a
// fortieth of its load (issue 13).
func nullables(v any, at []string, names bool) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			out = append(out, nullables(child, append(at, k), !names && schemaMaps[k])...)
		}
		if names || v["nullable"] != true {
			return out
		}
		delete(v, "nullable")
		switch t := v["type"].(type) {
		case string:
			v["type"] = []any{t, "null"}
		case []any:
			v["type"] = append(t, "null")
		default:
			rest := make(map[string]any, len(v))
			for k, x := range v {
				rest[k] = x
				delete(v, k)
			}
			v["anyOf"] = []any{rest, map[string]any{"type": "null"}}
		}
		out = append(out, pointer(at...)+": nullable: true is an OpenAPI 3.0 keyword, which means nothing in 3.1; ufhook reads it as its author meant it, null allowed: write type: [T, \"null\"] instead")
		slices.Sort(out)
	case []any:
		for i, child := range v {
			out = append(out, nullables(child, append(at, strconv.Itoa(i)), false)...)
		}
	}
	return out
}

// Validate checks body, a webhook payload, against the schema of ev, an
// entry of the catalog (Lookup, Events), in JSON Schema 2020-12 mode. It
// returns an error wrapping ErrUnknownEvent for an Event that does not come
// from the catalog, ErrMalformedJSON for a body that is not one JSON value,
// or a *ValidationError (wrapping ErrInvalidPayload) that names the JSON path
// and the rule of each problem.
func Validate(ev Event, body []byte) error {
	v, err := DecodeJSON(body)
	if err != nil {
		return err
	}
	return ValidateValue(ev, v)
}

// DecodeJSON decodes body into the generic form that ValidateValue takes
// (numbers as json.Number). It errors with ErrMalformedJSON on anything but
// exactly one JSON value.
func DecodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedJSON, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: unexpected data after the JSON value", ErrMalformedJSON)
	}
	return v, nil
}

// ValidateValue is Validate for a payload already decoded by DecodeJSON.
func ValidateValue(ev Event, v any) error {
	if ev.compiled == nil {
		return fmt.Errorf("%w %q: take events from Lookup or Events", ErrUnknownEvent, ev.Name)
	}
	event := ev.Name
	err := ev.compiled.Validate(v)
	if err == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return fmt.Errorf("%s: %w: %v", event, ErrInvalidPayload, err)
	}
	out := &ValidationError{Event: event}
	collect(verr, &out.Problems)
	sort.SliceStable(out.Problems, func(i, j int) bool { return out.Problems[i].Path < out.Problems[j].Path })
	return out
}

// collect appends the leaves of the error tree: the rules actually broken,
// not the $ref and allOf wrappers around them.
func collect(e *jsonschema.ValidationError, into *[]Problem) {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			collect(c, into)
		}
		return
	}
	kw := e.ErrorKind.KeywordPath()
	keyword := ""
	if len(kw) > 0 {
		keyword = kw[len(kw)-1]
	}
	path := ""
	if len(e.InstanceLocation) > 0 {
		var b strings.Builder
		for _, tok := range e.InstanceLocation {
			b.WriteByte('/')
			b.WriteString(pointerEscaper.Replace(tok))
		}
		path = b.String()
	}
	*into = append(*into, Problem{Path: path, Keyword: keyword, Message: e.ErrorKind.LocalizedString(printer)})
}
