package receiver

import (
	"context"
	"encoding/json"
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
	}
}

// binding is one event's generated type and its callback.
type binding struct {
	// typ is the generated type that the body decodes into.
	typ reflect.Type
	// decode decodes a body into typ and binds the callback, if any.
	decode func(body []byte) (decoded, error)
}

// route is one event of the catalog as the handler serves it.
type route struct {
	ev openapi.Event
	b  *binding // nil: no generated type, the event goes to OnEvent
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
// event type: a struct with the JSON fields action, model, mode and record,
// the record having a userId or a tenantId. bind finds them by their JSON
// names once, so that decoding reads the head without a second pass over
// the body; a field that E lacks reads as empty, which
// TestBoundTypesRoundTripTheExamples rules out for every bound type.
func bind[E any](cb func(context.Context, E) error) binding {
	t := reflect.TypeFor[E]()
	idx := headIndexOf(t)
	return binding{typ: t, decode: func(body []byte) (decoded, error) {
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
