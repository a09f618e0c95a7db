package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ufhook/ufhook/openapi"
)

// Webhook is one payload of a sequence, with the event it belongs to.
type Webhook struct {
	// Event is the catalog's entry, e.g. user.updated.
	Event openapi.Event
	// Body is the JSON envelope.
	Body []byte
}

// lifecycleActions is the order of a record's life.
var lifecycleActions = []string{"create", "update", "delete"}

// Lifecycle returns the created, updated and deleted webhooks of one record
// of model ("user" or "tenant"), in that order: the same record throughout,
// the update changing one of the properties that the record's schema lists
// in x-faker-update, the delete carrying the last state. The events are
// found in the catalog by model and action. It errors, wrapping
// ErrUnknownModel, for a model without all three events or without a
// record property, and for an unknown mode or shape.
func Lifecycle(model string, opts Options) ([]Webhook, error) {
	evs, err := openapi.Events()
	if err != nil {
		return nil, err
	}
	var steps []openapi.Event
	for _, action := range lifecycleActions {
		for _, ev := range evs {
			if ev.Model == model && ev.Action == action {
				steps = append(steps, ev)
			}
		}
	}
	if len(steps) != len(lifecycleActions) {
		return nil, fmt.Errorf("%w %q: the catalog has no create, update and delete events for it; models are user and tenant (see 'ufhook events')", ErrUnknownModel, model)
	}
	mode, err := checkOptions(opts.Mode, opts.Shape)
	if err != nil {
		return nil, err
	}
	prop := recordProperty(steps[0])
	if prop == "" {
		return nil, fmt.Errorf("%w %q: the payload of %s has no record property whose schema has %s", ErrUnknownModel, model, steps[0].Name, extUpdate)
	}
	f := New(opts.Seed)
	f.SetNow(opts.Now)
	created, err := f.Payload(steps[0], mode, opts.Shape)
	if err != nil {
		return nil, err
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(created, &env); err != nil {
		return nil, err
	}
	rec, err := update(f, steps[0].Schema.Properties[prop], env[prop], opts.Shape)
	if err != nil {
		return nil, err
	}
	out := []Webhook{{Event: steps[0], Body: created}}
	for _, ev := range steps[1:] {
		body, err := f.Payload(ev, mode, opts.Shape)
		if err == nil {
			body, err = Override(body, []string{prop + "=" + string(rec)})
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Webhook{Event: ev, Body: body})
	}
	return out, nil
}

// update returns rec with one property of x-faker-update drawn again, so
// that it differs: the properties are tried in a random order, each up to
// 100 times.
func update(f *Faker, schema *openapi3.SchemaRef, rec []byte, shape Shape) ([]byte, error) {
	v := viewOf(schema, nil, "record")
	x, _ := v.get(extUpdate)
	list, ok := x.([]any)
	if !ok || len(list) == 0 {
		return nil, v.errorf("%s must list the properties an update may change", extUpdate)
	}
	var current map[string]json.RawMessage
	if err := json.Unmarshal(rec, &current); err != nil {
		return nil, err
	}
	rec, err := touch(f, v, rec, current)
	if err != nil {
		return nil, err
	}
	first := f.s.r.IntN(len(list))
	for i := range list {
		name, ok := list[(first+i)%len(list)].(string)
		ref := v.s.Properties[name]
		if !ok || ref == nil {
			return nil, v.errorf("%s names %v, which is not a property", extUpdate, list[(first+i)%len(list)])
		}
		p, slots, err := compilePlan(ref, v.path+"."+name, shape, false)
		if err != nil {
			return nil, err
		}
		for range 100 {
			f.s.begin(f.s.mode, slots)
			val := p.gen(f.s, nil)
			if !bytes.Equal(val, current[name]) {
				return Override(rec, []string{name + "=" + string(val)})
			}
		}
	}
	return rec, nil
}

// touch moves each present timestamp that the record's x-faker-touch lists
// (e.g. updatedAt) to a later time, as a change does.
func touch(f *Faker, v view, rec []byte, current map[string]json.RawMessage) ([]byte, error) {
	x, ok := v.get(extTouch)
	if !ok {
		return rec, nil
	}
	list, ok := x.([]any)
	if !ok {
		return nil, v.errorf("%s must list timestamp properties", extTouch)
	}
	var sets []string
	for _, e := range list {
		name, _ := e.(string)
		var old string
		if json.Unmarshal(current[name], &old) != nil {
			continue // absent, null or not a string: nothing to move on
		}
		t, err := time.Parse(time.RFC3339Nano, old)
		if err != nil {
			return nil, v.errorf("%s names %s, whose value %q is no date-time", extTouch, name, old)
		}
		later := t.UnixMilli() + 1 + f.s.r.Int64N(90*day)
		sets = append(sets, name+"="+string(appendTime(nil, later)))
	}
	return Override(rec, sets)
}
