package receiver

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// bindings is the one place where the events of the catalog meet Go: it
// binds each event name to its generated type, which the callback's type
// names, and to that callback. The type serves both the key check
// (checkKeys) and the decoding. An event of the spec with a generated type
// needs one line here, its field in Callbacks, and its Handle<Op>Webhook
// method (which gen.WebhookReceiverInterface demands); an event without one
// is still received, and goes to Callbacks.OnEvent. TestBindingsMatchTheSpec
// checks this table against openapi.Events both ways, and
// TestBoundTypesRoundTripTheExamples each type against the spec's examples.
func bindings(cb *Callbacks) map[string]binding {
	return map[string]binding{
		"user.created":   bind(cb.OnUserCreated),
		"user.updated":   bind(cb.OnUserUpdated),
		"user.deleted":   bind(cb.OnUserDeleted),
		"tenant.created": bind(cb.OnTenantCreated),
		"tenant.updated": bind(cb.OnTenantUpdated),
		"tenant.deleted": bind(cb.OnTenantDeleted),

		"user.login.link.email": bind(cb.OnLoginLinkEmail),
		"user.login.code.email": bind(cb.OnLoginCodeEmail),
		"user.login.code.sms":   bind(cb.OnLoginCodeSms),
	}
}

// binding is one event's generated type and its callback.
type binding struct {
	// typ is the generated type that the body decodes into.
	typ reflect.Type
	// decode decodes a body into typ, reads its head with idx, and binds
	// the callback, if any.
	decode func(body []byte, idx *headIndex) (decoded, error)
}

// route is one event of the catalog as the handler serves it.
type route struct {
	ev openapi.Event
	b  *binding // nil: no generated type, the event goes to OnEvent
	// idx locates the head in b's type; nil without b.
	idx *headIndex
	// extra are the event's consts besides action and model, as
	// "/factor/channel=email"; none for a record webhook.
	extra []string
}

func newRoute(ev openapi.Event) *route {
	rt := &route{ev: ev}
	for p, v := range ev.Consts() {
		if p != "/action" && p != "/model" {
			rt.extra = append(rt.extra, p+"="+v)
		}
	}
	slices.Sort(rt.extra)
	return rt
}

// addRoute files rt under its model and action, after the routes with
// more consts: of the events a body matches, the one with the most consts
// is its event (openapi.Event.Matches).
func (h *Handler) addRoute(rt *route) {
	key := routeKey{rt.ev.Model, rt.ev.Action}
	rts := append(h.routes[key], rt)
	slices.SortStableFunc(rts, func(a, b *route) int { return len(b.extra) - len(a.extra) })
	h.routes[key] = rts
}

// routeOf returns the route of a body with model and action; v, the body
// as openapi.DecodeJSON decodes it, tells apart the events that share them.
// It is nil when no event matches.
func (h *Handler) routeOf(model, action string, v any) *route {
	for _, rt := range h.routes[routeKey{model, action}] {
		if rt.ev.Matches(v) {
			return rt
		}
	}
	return nil
}

// routeBody is routeOf for a body not decoded yet, which it decodes only
// when its model and action are not enough to route it.
func (h *Handler) routeBody(model, action string, body []byte) *route {
	rts := h.routes[routeKey{model, action}]
	if len(rts) == 1 && len(rts[0].extra) == 0 {
		return rts[0]
	}
	if len(rts) == 0 {
		return nil
	}
	v, err := openapi.DecodeJSON(body)
	if err != nil {
		return nil
	}
	return h.routeOf(model, action, v)
}

// describe names the event as bodies do: "user/create", or
// "user/login with factor.channel=email, factor.strategy=link".
func (rt *route) describe() string {
	s := rt.ev.Model + "/" + rt.ev.Action
	if len(rt.extra) == 0 {
		return s
	}
	parts := make([]string, len(rt.extra))
	for i, e := range rt.extra {
		parts[i] = strings.ReplaceAll(strings.TrimPrefix(e, "/"), "/", ".")
	}
	return s + " (" + strings.Join(parts, ", ") + ")"
}

// extraFields names the fields besides action and model that tell rts
// apart, e.g. "factor.channel, factor.strategy".
func extraFields(rts []*route) string {
	var names []string
	for _, rt := range rts {
		for _, e := range rt.extra {
			p, _, _ := strings.Cut(e, "=")
			p = strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", ".")
			if !slices.Contains(names, p) {
				names = append(names, p)
			}
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// HandleUserCreatedWebhook handles a URL that serves user.created only.
func (h *Handler) HandleUserCreatedWebhook(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "user.created")
}

// HandleUserUpdatedWebhook handles a URL that serves user.updated only.
func (h *Handler) HandleUserUpdatedWebhook(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "user.updated")
}

// HandleUserDeletedWebhook handles a URL that serves user.deleted only.
func (h *Handler) HandleUserDeletedWebhook(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "user.deleted")
}

// HandleTenantCreatedWebhook handles a URL that serves tenant.created only.
func (h *Handler) HandleTenantCreatedWebhook(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "tenant.created")
}

// HandleTenantUpdatedWebhook handles a URL that serves tenant.updated only.
func (h *Handler) HandleTenantUpdatedWebhook(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "tenant.updated")
}

// HandleTenantDeletedWebhook handles a URL that serves tenant.deleted only.
func (h *Handler) HandleTenantDeletedWebhook(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "tenant.deleted")
}

// HandleUserLoginLinkEmailWebhook handles a URL that serves
// user.login.link.email only.
func (h *Handler) HandleUserLoginLinkEmailWebhook(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "user.login.link.email")
}

// HandleUserLoginCodeEmailWebhook handles a URL that serves
// user.login.code.email only.
func (h *Handler) HandleUserLoginCodeEmailWebhook(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "user.login.code.email")
}

// HandleUserLoginCodeSmsWebhook handles a URL that serves
// user.login.code.sms only.
func (h *Handler) HandleUserLoginCodeSmsWebhook(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "user.login.code.sms")
}

// routeKey is how a body names its event.
type routeKey struct{ model, action string }

// head is what the handler reads of every payload, whatever its event.
type head struct {
	action, model string
	mode          gen.Mode
	// recordID is the record's identity (openapi.Event.Identify); "" when
	// the event has no identifying property.
	recordID string
	// identified is whether recordID was read: every identifying property
	// was found, and none was the zero value of its Go type, which the
	// typed decoding cannot tell from a missing one.
	identified bool
}

// bind binds cb, which may be nil, to its event type E, a generated event
// type: a struct with the JSON fields action, model, mode and record.
func bind[E any](cb func(context.Context, E) error) binding {
	return binding{typ: reflect.TypeFor[E](), decode: func(body []byte, idx *headIndex) (decoded, error) {
		var ev E
		if err := json.Unmarshal(body, &ev); err != nil {
			return decoded{}, err
		}
		d := decoded{head: idx.read(reflect.ValueOf(&ev).Elem())}
		if cb != nil {
			d.call = func(ctx context.Context) error { return cb(ctx, ev) }
		}
		return d, nil
	}}
}

// headIndex locates the head's fields in a generated event type, by their
// JSON names, once per route, so that decoding reads the head without a
// second pass over the body. The envelope's fields are found by name; the
// record's identity by the pointers that the spec marks x-identity.
type headIndex struct {
	action, model, mode []int // nil: the type has no such field
	ids                 []fieldPath
	// complete is false when an identifying property has no Go field of a
	// kind that idx can read: the head is then never identified from the
	// type, and the handler reads the identity from the generic form.
	complete bool
}

// fieldPath is the struct field indices from the event type down to one
// identifying property, through pointers.
type fieldPath struct {
	steps []int
	kind  reflect.Kind // of the leaf, pointers removed
}

// headIndexOf indexes the head of t, an event type of ev.
func headIndexOf(t reflect.Type, ev openapi.Event) *headIndex {
	idx := &headIndex{complete: true}
	idx.action, _ = jsonField(t, "action", reflect.String)
	idx.model, _ = jsonField(t, "model", reflect.String)
	idx.mode, _ = jsonField(t, "mode", reflect.String)
	for _, ptr := range ev.Identity() {
		fp, ok := fieldAt(t, ptr)
		if !ok {
			idx.complete = false
			continue
		}
		idx.ids = append(idx.ids, fp)
	}
	return idx
}

// fieldAt finds the field of t that a JSON pointer of object keys names.
func fieldAt(t reflect.Type, pointer string) (fieldPath, bool) {
	var fp fieldPath
	for _, tok := range strings.Split(pointer, "/")[1:] {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return fieldPath{}, false
		}
		i, ok := jsonField(t, tok, reflect.Invalid)
		if !ok {
			return fieldPath{}, false
		}
		fp.steps = append(fp.steps, i[0])
		t = t.Field(i[0]).Type
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch fp.kind = t.Kind(); fp.kind {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fp, true
	}
	return fieldPath{}, false
}

// jsonField finds the field of struct type t whose JSON name is name and
// whose kind is kind (any kind for reflect.Invalid).
func jsonField(t reflect.Type, name string, kind reflect.Kind) ([]int, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name && f.IsExported() && (kind == reflect.Invalid || f.Type.Kind() == kind) {
			return []int{i}, true
		}
	}
	return nil, false
}

// read reads the head of v, a value of the indexed type.
func (idx *headIndex) read(v reflect.Value) head {
	str := func(i []int) string {
		if i == nil {
			return ""
		}
		return v.FieldByIndex(i).String()
	}
	h := head{action: str(idx.action), model: str(idx.model), mode: gen.Mode(str(idx.mode)), identified: idx.complete}
	if !idx.complete {
		return h
	}
	for i, fp := range idx.ids {
		text, ok := fp.read(v)
		if !ok {
			return head{action: h.action, model: h.model, mode: h.mode}
		}
		if i > 0 {
			h.recordID += "/"
		}
		h.recordID += text
	}
	return h
}

// read reads one identifying property of v as text; ok is false when it is
// behind a nil pointer or is the zero value.
func (fp fieldPath) read(v reflect.Value) (string, bool) {
	for _, i := range fp.steps {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return "", false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", false
		}
		v = v.Elem()
	}
	if v.IsZero() {
		return "", false
	}
	switch fp.kind {
	case reflect.String:
		return v.String(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), true
	default:
		return strconv.FormatUint(v.Uint(), 10), true
	}
}
