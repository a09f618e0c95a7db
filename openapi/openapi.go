// Package openapi serves the OpenAPI 3.1 document of the Userfront webhooks,
// webhooks.yaml, which is the single source of truth of ufhook: it loads and
// validates the document, lists the event catalog from its webhooks section,
// and checks payloads against the event schemas in JSON Schema 2020-12 mode.
//
// The document is the embedded webhooks.yaml unless Use or UseFile has
// installed another one: every function of the package, and so every package of
// ufhook, then works on that document instead.
package openapi

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

//go:embed webhooks.yaml
var spec []byte

// Errors returned by this package. Match them with errors.Is.
var (
	// ErrUnknownEvent means an event name is not in the catalog.
	ErrUnknownEvent = errors.New("unknown event")
	// ErrMalformedJSON means a payload is not one well-formed JSON value.
	ErrMalformedJSON = errors.New("malformed JSON")
	// ErrInvalidPayload means a payload breaks its event's schema.
	ErrInvalidPayload = errors.New("payload does not match the schema")
	// ErrInvalidDocument means a document given to Use is not a valid
	// OpenAPI 3.1 description of webhooks that ufhook can serve.
	ErrInvalidDocument = errors.New("invalid webhooks document")
)

// Spec returns the raw YAML of the embedded document, as embedded in the
// binary, whatever document Use has installed.
func Spec() []byte { return slices.Clone(spec) }

// Event is one webhook of the catalog, read from the document's webhooks
// section.
type Event struct {
	// Name is the canonical dotted name, e.g. "user.created".
	Name string `json:"event"`
	// Model is the record's kind, "user" or "tenant", from the schema's
	// model const; empty when the schema has none (another provider's
	// document).
	Model string `json:"model,omitempty"`
	// Action is "create", "update" or "delete", from the schema's action
	// const; empty when the schema has none.
	Action string `json:"action,omitempty"`
	// OperationID is the operation's id, e.g. "userCreated".
	OperationID string `json:"operationId"`
	// SchemaName is the name of the request body's component schema, e.g.
	// "UserCreatedEvent", or the event's name when the schema is written
	// inline.
	SchemaName string `json:"schema"`
	// Summary is the operation's one-line summary.
	Summary string `json:"summary"`
	// Method is the HTTP method of the operation sent, e.g. "POST" (see
	// Operations and LoadOptions.Operations).
	Method string `json:"method"`
	// ContentType is the media type of the request body sent, e.g.
	// "application/json" (see ContentTypes and LoadOptions.ContentTypes).
	ContentType string `json:"contentType"`
	// Auth is how the deliveries authenticate.
	Auth Auth `json:"auth"`
	// Schema is the resolved request body schema.
	Schema *openapi3.Schema `json:"-"`

	compiled *jsonschema.Schema // Schema, compiled for Validate
	// consts are the values that tell the event's payloads apart (see
	// Consts), sorted by pointer; a pointer keeps Event comparable.
	consts *[]constant
	// identities are the properties that identify the event's record (see
	// Event.Identity); a pointer keeps Event comparable.
	identities *[]identity
	// op holds the operation's choices and headers (see Operations); a
	// pointer keeps Event comparable.
	op *operation
}

// constant is one string const of an event's payload, at a place in it.
type constant struct {
	pointer string   // e.g. "/factor/channel"
	path    []string // the pointer's tokens, e.g. factor, channel
	value   string
}

// Consts returns the values that tell ev's payloads apart from other
// events': every string const of its request schema's properties, and of
// the properties of those properties, one level down, by JSON pointer. A
// record webhook has {"/action": "create", "/model": "user"}; a webhook
// that shares its model and action with others has more, such as
// {"/factor/channel": "email", "/factor/strategy": "link"}. The map is a
// copy; an Event that does not come from the catalog has none.
func (ev Event) Consts() map[string]string {
	if ev.consts == nil {
		return nil
	}
	out := make(map[string]string, len(*ev.consts))
	for _, c := range *ev.consts {
		out[c.pointer] = c.value
	}
	return out
}

// Matches reports whether v, a payload decoded by DecodeJSON (or by
// encoding/json into an any), carries every one of ev's Consts. Routing a
// payload is finding the event it matches: the catalog guarantees that of
// the events a payload matches, one has all the consts of the others (see
// Use), so the match with the most Consts is the payload's event. An Event
// that does not come from the catalog matches nothing.
func (ev Event) Matches(v any) bool {
	if ev.consts == nil {
		return false
	}
	for _, c := range *ev.consts {
		cur := v
		for _, tok := range c.path {
			obj, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			cur = obj[tok]
		}
		if s, ok := cur.(string); !ok || s != c.value {
			return false
		}
	}
	return true
}

type catalog struct {
	doc      *openapi3.T
	events   []Event
	byName   map[string]int
	warnings []string // what the document says that ufhook reads with care
	declined []Declined
}

var (
	// embedded is the catalog of the embedded webhooks.yaml, loaded once.
	embedded = sync.OnceValues(func() (*catalog, error) { return load(spec, "webhooks.yaml", "") })
	// current is the catalog installed by Use; nil means the embedded one.
	current atomic.Pointer[catalog]
)

// loaded returns the catalog in use: the one installed by Use, or else the
// embedded one.
func loaded() (*catalog, error) {
	if c := current.Load(); c != nil {
		return c, nil
	}
	return embedded()
}

// Use makes data, an OpenAPI 3.1 document in YAML or JSON, the document of
// the whole process: Load, Events, Lookup, Names and Validate (and so the
// mock emitter, the receiver, the suite and the CLI) serve it from then on.
// data goes through the same checks as the embedded webhooks.yaml: the
// document must validate, and every webhook must have a post operation whose
// JSON request body is a $ref to a component schema with string consts for
// model and action; webhooks that share a model and action must differ in
// another const (see Event.Consts), so that each payload has one event: two
// webhooks whose consts could both match one payload are refused unless one
// has every const of the other and more. On any failure Use returns an error wrapping
// ErrInvalidDocument and keeps the document in use. Use(Spec()) goes back to
// the embedded document. Use resolves $refs inside data only: UseFile reads
// a document from a file and resolves $refs to files beside it too.
//
// Use is meant to be called before the toolkit starts (or between tests):
// readers that run meanwhile see either the old or the new document in each
// call, and a receiver or emitter built before the change keeps the list of
// events it was built with: build them after Use.
func Use(data []byte) error {
	var (
		c   *catalog
		err error
	)
	if bytes.Equal(data, spec) {
		c, err = embedded()
	} else {
		c, err = load(data, "the document", "")
	}
	return install(c, err)
}

// install makes c the catalog in use, unless err, which it returns wrapped
// in ErrInvalidDocument.
func install(c *catalog, err error) error {
	if err != nil {
		return fmt.Errorf("%w: %w; fix the document and try again", ErrInvalidDocument, err)
	}
	current.Store(c)
	return nil
}

// Load returns the document in use (see Use), loaded and validated by
// kin-openapi. The document is parsed once; callers must not modify it. For
// the embedded document it errors only when that document is broken, which
// the package's tests rule out.
func Load() (*openapi3.T, error) {
	c, err := loaded()
	if err != nil {
		return nil, err
	}
	return c.doc, nil
}

// Events returns the catalog: every webhook of the document, in the order the
// document lists them. Adding a webhook to the YAML adds it here.
func Events() ([]Event, error) {
	c, err := loaded()
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.events), nil
}

// Lookup returns the catalog entry named name. An unknown name gives an error
// that wraps ErrUnknownEvent and lists the known names.
func Lookup(name string) (Event, error) {
	c, err := loaded()
	if err != nil {
		return Event{}, err
	}
	i, ok := c.byName[name]
	if !ok {
		for _, d := range c.declined {
			if d.Event == name {
				return Event{}, d
			}
		}
		return Event{}, fmt.Errorf("%w %q: known events are %s", ErrUnknownEvent, name, strings.Join(c.names(), ", "))
	}
	return c.events[i], nil
}

// MustLookup is Lookup for a name fixed in the program, such as
// "user.created" in a test or an example. It panics where Lookup errors.
func MustLookup(name string) Event {
	ev, err := Lookup(name)
	if err != nil {
		panic(fmt.Sprintf("openapi: %v", err))
	}
	return ev
}

// Warnings lists what the document in use says that ufhook reads with
// care, such as the OpenAPI 3.0 keyword nullable: true, each with its JSON
// pointer and what to write instead. Commands print them on load.
func Warnings() []string {
	c, err := loaded()
	if err != nil {
		return nil
	}
	return slices.Clone(c.warnings)
}

// Names returns the canonical names of the catalog's events, in document
// order.
func Names() []string {
	c, err := loaded()
	if err != nil {
		return nil
	}
	return c.names()
}

func (c *catalog) names() []string {
	names := make([]string, len(c.events))
	for i, e := range c.events {
		names[i] = e.Name
	}
	return names
}

// load parses, checks, validates and catalogs data; source names the
// document in errors, and path, when not empty, is the file it was read
// from, against which $refs to other files resolve.
func load(data []byte, source, path string) (*catalog, error) {
	return loadWith(data, source, path, LoadOptions{})
}

// loadWith is load with the choices of opts.
func loadWith(data []byte, source, path string, opts LoadOptions) (*catalog, error) {
	// kin-openapi's load (a fifth of the CPU time of a 300-webhook
	// document's load) and our own parse and checks (a tenth) read the same
	// bytes and share nothing, so they run at once, on two cores (issue 13).
	// Our errors, which give the place, come first, as when they ran in
	// turn.
	kin := make(chan kinResult, 1)
	go func() {
		// A document that our checks refuse now reaches kin-openapi too;
		// should it panic on one, the panic becomes an error.
		defer func() {
			if p := recover(); p != nil {
				kin <- kinResult{err: fmt.Errorf("kin-openapi failed on the document: %v", p)}
			}
		}()
		doc, err := loadKin(data, path)
		kin <- kinResult{doc, err}
	}()
	root, err := parseDocument(data, source)
	if err == nil {
		err = checkDocument(root, source, path)
	}
	loaded := <-kin
	if err != nil {
		return nil, err
	}
	doc, err := loaded.doc, loaded.err
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", source, err)
	}
	order := webhookOrder(root)
	c := &catalog{doc: doc, byName: make(map[string]int, len(order))}
	if err := validateReached(doc, order, c); err != nil {
		return nil, fmt.Errorf("validate %s: %w", source, err)
	}
	if err := checkModes(root, doc, source); err != nil {
		return nil, err
	}
	if err := checkSigning(root, doc, source); err != nil {
		return nil, err
	}
	for name := range opts.Operations {
		if name != "" && !slices.Contains(order, name) {
			return nil, fmt.Errorf("--operation %s: %s has no webhook %q; its webhooks are %s", name, source, name, strings.Join(order, ", "))
		}
	}
	for name := range opts.ContentTypes {
		if name != "" && !slices.Contains(order, name) {
			return nil, fmt.Errorf("--content-type %s: %s has no webhook %q; its webhooks are %s", name, source, name, strings.Join(order, ", "))
		}
	}
	for _, name := range order {
		ev, where, err := eventOf(name, doc, root, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: webhook %q %w", placeOf(root, source, append([]string{"webhooks", name}, where...)...), name, err)
		}
		if d := unsatisfiable(ev); d != nil {
			d.Event = name
			d.Place = schemaPlace(doc, root, source, d.Place)
			c.declined = append(c.declined, *d)
			continue
		}
		c.byName[name] = len(c.events)
		c.events = append(c.events, ev)
	}
	if len(c.events) == 0 && len(c.declined) > 0 {
		errs := make([]error, len(c.declined))
		for i, d := range c.declined {
			errs[i] = d
		}
		return nil, fmt.Errorf("%w; no other webhook is left to run", errors.Join(errs...))
	}
	if err := distinct(c.events); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if err := compileSchemas(c, root, func(tokens ...string) string { return placeOf(root, source, tokens...) }); err != nil {
		return nil, err
	}
	return c, nil
}

// kinResult is what loadKin returns.
type kinResult struct {
	doc *openapi3.T
	err error
}

// loadKin loads data with kin-openapi; path, when not empty, is the file it
// was read from, against which $refs to other files resolve, and whose
// schemas then become components of the document.
func loadKin(data []byte, path string) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	// Origins give each property's place in the document, the order in
	// which generated payloads write them.
	loader.IncludeOrigin = true
	if path == "" {
		return loader.LoadFromData(data)
	}
	loader.IsExternalRefsAllowed = true
	// Files only: it runs beside checkDocument, which refuses $refs to
	// URLs, and must read no network in the meantime.
	loader.ReadFromURIFunc = openapi3.ReadFromFile
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: filepath.ToSlash(path)})
	if err != nil {
		return nil, err
	}
	// Schemas from other files become components of this document, so
	// that one JSON Schema resource holds them all (compileSchemas).
	doc.InternalizeRefs(context.Background(), nil)
	return doc, nil
}

// validateReached validates doc with kin-openapi. Only what the webhooks
// reach must be valid: real documents hold broken component schemas that
// no webhook uses (3.0 keywords, duplicate required entries), which become
// warnings on c rather than a refusal to load. Errors elsewhere (the
// openapi version, info, the webhooks themselves) refuse the document.
func validateReached(doc *openapi3.T, order []string, c *catalog) error {
	ctx := context.Background()
	// Defaults are checked by compileSchemas, which does it faster.
	err := doc.Validate(ctx, openapi3.EnableMultiError(), openapi3.DisableSchemaDefaultsValidation())
	if err == nil {
		return nil
	}
	var errs openapi3.MultiError
	if !errors.As(err, &errs) {
		errs = openapi3.MultiError{err}
	}
	var ignored []error
	for _, e := range errs {
		var section *openapi3.SectionValidationError
		if !errors.As(e, &section) || section.Section != "components" {
			return e
		}
		ignored = append(ignored, e)
	}
	// The broken components must be out of the webhooks' reach.
	ctx = openapi3.WithValidationOptions(ctx, openapi3.IsOpenAPI31OrLater(), openapi3.DisableSchemaDefaultsValidation())
	for _, name := range order {
		if item := doc.Webhooks[name]; item != nil {
			if werr := item.Validate(ctx); werr != nil {
				return fmt.Errorf("webhook %q: %w", name, werr)
			}
		}
	}
	for i, e := range ignored {
		if i == 5 {
			c.warnings = append(c.warnings, fmt.Sprintf("and %d more such errors", len(ignored)-i))
			break
		}
		c.warnings = append(c.warnings, fmt.Sprintf("the document breaks OpenAPI 3.1 where no webhook reaches, which ufhook ignores: %v", e))
	}
	return nil
}

// eventOf reads the webhook name of doc into an Event, with the choices of
// opts. On error it returns the place of the fault, as pointer tokens
// under the webhook.
func eventOf(name string, doc *openapi3.T, root *yaml.Node, opts LoadOptions) (Event, []string, error) {
	item := doc.Webhooks[name]
	if item == nil {
		return Event{}, nil, errors.New("is empty: describe it with a post operation and a JSON request body")
	}
	method, op, methods, err := chooseOperation(name, item, opts)
	if err != nil {
		return Event{}, nil, err
	}
	where := []string{method}
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return Event{}, where, errors.New("has no request body: ufhook sends each webhook's payload as a JSON request body; give the " + method + " a requestBody with content application/json and a schema")
	}
	where = append(where, "requestBody", "content")
	var order []string
	if op.RequestBody.Ref == "" && item.Ref == "" {
		order = mappingKeys(nodeAt(content(root), pointer("webhooks", name, method, "requestBody", "content")))
	}
	ctype, ctypes, err := chooseContentType(name, op.RequestBody.Value, order, opts)
	if err != nil {
		return Event{}, where, err
	}
	where = append(where, ctype, "schema")
	media := op.RequestBody.Value.Content.Get(ctype)
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return Event{}, where, errors.New("has no schema for its " + ctype + " request body: give it one")
	}
	ref := media.Schema.Ref
	schemaName := name
	if strings.HasPrefix(ref, "#/components/schemas/") {
		schemaName = ref[len("#/components/schemas/"):]
	}
	s := media.Schema.Value
	auth, authWhere, err := authOf(doc, op)
	if opts.Auth.Scheme != "" {
		auth, err = opts.Auth, nil
	}
	if err != nil {
		if authWhere == "security" {
			return Event{}, []string{method, "security"}, err
		}
		return Event{}, []string{method}, fmt.Errorf("(through the top-level security) %w", err)
	}
	model, action := constOf(s, "model"), constOf(s, "action")
	consts := constsOf(s)
	ev := Event{
		Name:        name,
		Model:       model,
		Action:      action,
		OperationID: op.OperationID,
		SchemaName:  schemaName,
		Summary:     op.Summary,
		Method:      strings.ToUpper(method),
		ContentType: ctype,
		Auth:        auth,
		Schema:      s,
		consts:      &consts,
		op: &operation{
			methods:      methods,
			contentTypes: ctypes,
			headers:      headersOf(item, op),
			pointer:      schemaPointer(name, item, method, op, ctype, ref),
		},
	}
	if ids := identitiesOf(s); len(ids) > 0 {
		ev.identities = &ids
	}
	return ev, nil, nil
}

// schemaPointer returns the JSON pointer, in the document as kin-openapi
// writes it, of the request body schema of the webhook name.
func schemaPointer(name string, item *openapi3.PathItem, method string, op *openapi3.Operation, ctype, ref string) string {
	if strings.HasPrefix(ref, "#/") {
		return ref[1:]
	}
	base := pointer("webhooks", name)
	if strings.HasPrefix(item.Ref, "#/") {
		base = item.Ref[1:]
	}
	base += pointer(method, "requestBody")
	if strings.HasPrefix(op.RequestBody.Ref, "#/") {
		base = op.RequestBody.Ref[1:]
	}
	return base + pointer("content", ctype, "schema")
}

// mappingKeys returns the keys of the mapping n in document order.
func mappingKeys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// constsOf collects the string consts of s's properties and of their
// properties, one level down, sorted by pointer.
func constsOf(s *openapi3.Schema) []constant {
	var out []constant
	for name, p := range s.Properties {
		if p == nil || p.Value == nil {
			continue
		}
		if v, ok := p.Value.Const.(string); ok {
			out = append(out, constant{pointer: pointer(name), path: []string{name}, value: v})
		}
		for inner, q := range p.Value.Properties {
			if q == nil || q.Value == nil {
				continue
			}
			if v, ok := q.Value.Const.(string); ok {
				out = append(out, constant{pointer: pointer(name, inner), path: []string{name, inner}, value: v})
			}
		}
	}
	slices.SortFunc(out, func(a, b constant) int { return strings.Compare(a.pointer, b.pointer) })
	return out
}

// pointer builds a JSON pointer from its tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(t))
	}
	return b.String()
}

// distinct checks that no payload can match two events of which neither
// has every const of the other: each payload then routes to one event, the
// match with the most consts.
func distinct(evs []Event) error {
	for i, a := range evs {
		for _, b := range evs[i+1:] {
			ca, cb := a.Consts(), b.Consts()
			if len(ca) == 0 || len(cb) == 0 {
				// Payloads of an event without consts route by their
				// headers or their schema (see Event.Headers).
				continue
			}
			if conflict(ca, cb) || strictSubset(ca, cb) || strictSubset(cb, ca) {
				continue
			}
			return fmt.Errorf("webhooks %q and %q cannot be told apart: a payload can carry the consts of both (%s and %s); give one of them a const that the other lacks or sets otherwise (e.g. a const in an object of the payload)",
				a.Name, b.Name, describeConsts(ca), describeConsts(cb))
		}
	}
	return nil
}

// conflict reports whether a and b set one pointer to different values.
func conflict(a, b map[string]string) bool {
	for p, v := range a {
		if w, ok := b[p]; ok && w != v {
			return true
		}
	}
	return false
}

// strictSubset reports whether every const of a is in b, and b has more.
func strictSubset(a, b map[string]string) bool {
	if len(a) >= len(b) {
		return false
	}
	for p, v := range a {
		if w, ok := b[p]; !ok || w != v {
			return false
		}
	}
	return true
}

// describeConsts writes consts as "/action=create, /model=user".
func describeConsts(consts map[string]string) string {
	keys := make([]string, 0, len(consts))
	for k := range consts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		keys[i] = k + "=" + consts[k]
	}
	return strings.Join(keys, ", ")
}

// constOf returns the string const of s's property prop, or "".
func constOf(s *openapi3.Schema, prop string) string {
	p := s.Properties[prop]
	if p == nil || p.Value == nil {
		return ""
	}
	v, _ := p.Value.Const.(string)
	return v
}
