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
	// decode decodes a body into typ and binds the callback, if any.
	decode func(body []byte) (decoded, error)
	// hasRecordID says whether typ carries a record with an id, which
	// Delivery.RecordID reads; the messaging webhooks carry none.
	hasRecordID bool
}

// route is one event of the catalog as the handler serves it.
type route struct {
	ev openapi.Event
	b  *binding // nil: no generated type, the event goes to OnEvent
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
	// recordID is the record's userId or tenantId; "" when it has neither.
	recordID string
}

// recordIDKeys are the JSON names of a record's id, tried in order: a user
// record carries its tenantId too, and its id is the userId.
var recordIDKeys = []string{"userId", "tenantId"}

// bind binds cb, which may be nil, to its event type E. E is a generated
// event type: a struct with the JSON fields action, model and mode, and for
// a record webhook a record having a userId or a tenantId. bind finds them
// by their JSON names once, so that decoding reads the head without a
// second pass over the body; a field that E lacks reads as empty, which
// TestBoundTypesRoundTripTheExamples rules out for every bound type.
func bind[E any](cb func(context.Context, E) error) binding {
	t := reflect.TypeFor[E]()
	idx := headIndexOf(t)
	return binding{typ: t, hasRecordID: idx.recordID != nil, decode: func(body []byte) (decoded, error) {
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
// JSON names; a nil index means the type has no such field.
type headIndex struct {
	action, model, mode []int
	recordID            []int
	recordIDKind        reflect.Kind
}

func headIndexOf(t reflect.Type) headIndex {
	var idx headIndex
	idx.action, _ = jsonField(t, "action", reflect.String)
	idx.model, _ = jsonField(t, "model", reflect.String)
	idx.mode, _ = jsonField(t, "mode", reflect.String)
	rec, ok := jsonField(t, "record", reflect.Struct)
	if !ok {
		return idx
	}
	rt := t.FieldByIndex(rec).Type
	for _, key := range recordIDKeys {
		if i, ok := jsonField(rt, key, reflect.String); ok {
			idx.recordID, idx.recordIDKind = slices.Concat(rec, i), reflect.String
			return idx
		}
		if i, ok := jsonField(rt, key, reflect.Int); ok {
			idx.recordID, idx.recordIDKind = slices.Concat(rec, i), reflect.Int
			return idx
		}
	}
	return idx
}

// jsonField finds the field of struct type t whose JSON name is name and
// whose kind is kind.
func jsonField(t reflect.Type, name string, kind reflect.Kind) ([]int, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name && f.IsExported() && f.Type.Kind() == kind {
			return []int{i}, true
		}
	}
	return nil, false
}

// read reads the head of v, a value of the indexed type.
func (idx headIndex) read(v reflect.Value) head {
	str := func(i []int) string {
		if i == nil {
			return ""
		}
		return v.FieldByIndex(i).String()
	}
	h := head{action: str(idx.action), model: str(idx.model), mode: gen.Mode(str(idx.mode))}
	switch idx.recordIDKind {
	case reflect.String:
		h.recordID = str(idx.recordID)
	case reflect.Int:
		h.recordID = strconv.FormatInt(v.FieldByIndex(idx.recordID).Int(), 10)
	}
	return h
}

// decodeHead decodes the head of an event that has no generated type.
func decodeHead(body []byte) (head, error) {
	var env struct {
		Action string   `json:"action"`
		Model  string   `json:"model"`
		Mode   gen.Mode `json:"mode"`
		Record any      `json:"record"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return head{}, err
	}
	h := head{action: env.Action, model: env.Model, mode: env.Mode}
	rec, _ := env.Record.(map[string]any)
	for _, key := range recordIDKeys {
		switch id := rec[key].(type) {
		case string:
			h.recordID = id
			return h, nil
		case float64:
			h.recordID = strconv.FormatFloat(id, 'f', -1, 64)
			return h, nil
		}
	}
	return h, nil
}
