package mock

import (
	"fmt"

	"github.com/ufhook/ufhook/openapi"
)

// Webhook is one payload of a sequence, with the event it belongs to.
type Webhook struct {
	// Event is the catalog name, e.g. "user.updated".
	Event string
	// Body is the JSON envelope.
	Body []byte
}

// lifecycleActions is the order of a record's life.
var lifecycleActions = []string{"create", "update", "delete"}

// Lifecycle returns the created, updated and deleted webhooks of one record
// of model ("user" or "tenant"), in that order: the same ids throughout, the
// update changing some fields (and moving updatedAt on), the delete carrying
// the last state. The events are found in the catalog by model and action.
// It errors, wrapping ErrUnknownModel, for a model without all three events
// or without a generator, and for an unknown mode or shape.
func Lifecycle(model string, opts Options) ([]Webhook, error) {
	gens, err := generators()
	if err != nil {
		return nil, err
	}
	evs, err := openapi.Events()
	if err != nil {
		return nil, err
	}
	var steps []generator
	for _, action := range lifecycleActions {
		for _, ev := range evs {
			if ev.Model == model && ev.Action == action {
				steps = append(steps, gens[ev.Name])
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
	for _, g := range steps {
		if g.err != nil {
			return nil, g.err
		}
	}
	f := NewFaker(opts.Seed)
	rec := steps[0].model.fresh(f, mode, opts.Shape)
	out := make([]Webhook, 0, len(steps))
	for i, g := range steps {
		if i == 1 {
			rec.update(f)
		}
		f.buf = f.appendEnvelope(f.buf[:0], g.event, mode, opts.Shape, rec)
		out = append(out, Webhook{Event: g.event.Name, Body: append([]byte(nil), f.buf...)})
	}
	return out, nil
}
