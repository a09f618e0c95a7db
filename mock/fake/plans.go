package fake

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// payloadPlan is a compiled schema with the number of slots it uses.
type payloadPlan struct {
	root  writer
	slots int
	// varied says whether a variety shape found something to vary.
	varied bool
}

func (p *payloadPlan) run(s *state, mode gen.Mode, b []byte) []byte {
	s.begin(mode, p.slots)
	return p.root.gen(s, b)
}

// planKey names one compiled plan: an event's payload in a shape, or (with
// record set) the REST form of a model's record.
type planKey struct {
	event  string
	shape  Shape
	record bool
}

// planCache holds the plans compiled from one document. A plan is only good
// for the document it was compiled from, so when openapi.Use installs
// another document the cache is replaced, never consulted.
type planCache struct {
	doc *openapi3.T
	// plans maps a planKey to its *payloadPlan. A sync.Map, since every
	// payload reads it and the 32 goroutines of an emit must not queue on
	// a lock; it is written once per key.
	plans sync.Map
}

// plans is the cache of the document in use.
var plans atomic.Pointer[planCache]

// cache returns the plan cache of the document in use, replacing the cache
// of an earlier document.
func cache() (*planCache, error) {
	doc, err := openapi.Load()
	if err != nil {
		return nil, err
	}
	for {
		c := plans.Load()
		if c != nil && c.doc == doc {
			return c, nil
		}
		next := &planCache{doc: doc}
		if plans.CompareAndSwap(c, next) {
			return next, nil
		}
	}
}

func (c *planCache) get(key planKey) *payloadPlan {
	if p, ok := c.plans.Load(key); ok {
		return p.(*payloadPlan)
	}
	return nil
}

// store keeps p under key, unless another goroutine was first, and returns
// the plan kept. It keeps nothing when the document changed while p was
// compiled, since p may come from either document.
func (c *planCache) store(key planKey, p *payloadPlan) *payloadPlan {
	if doc, err := openapi.Load(); err != nil || doc != c.doc {
		return p
	}
	prev, _ := c.plans.LoadOrStore(key, p)
	return prev.(*payloadPlan)
}

// planFor returns the compiled plan of ev's payloads in shape, compiling it
// on first use. It errors, wrapping openapi.ErrUnknownEvent, for an Event
// that does not come from the catalog of the document in use, and with
// ErrBadHint for a schema whose x-faker extensions are wrong.
func planFor(ev openapi.Event, shape Shape) (*payloadPlan, error) {
	if ev.Schema == nil {
		return nil, fmt.Errorf("%w %q: the event has no schema; take events from openapi.Lookup or openapi.Events", openapi.ErrUnknownEvent, ev.Name)
	}
	c, err := cache()
	if err != nil {
		return nil, err
	}
	key := planKey{event: ev.Name, shape: shape}
	if p := c.get(key); p != nil {
		return p, nil
	}
	// A miss compiles ev's schema, which must be the one of the document in
	// use, since the plan is kept for every later caller.
	if cur, err := openapi.Lookup(ev.Name); err != nil {
		return nil, err
	} else if cur.Schema != ev.Schema {
		return nil, fmt.Errorf("%w %q: the event is not from the document in use; take events from openapi.Lookup or openapi.Events", openapi.ErrUnknownEvent, ev.Name)
	}
	set, _ := openapi.Modes()
	root, slots, varied, err := compileShape(openapi3.NewSchemaRef("", ev.Schema), ev.SchemaName, shape, false, set.Field)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", ev.Name, err)
	}
	return c.store(key, &payloadPlan{root: root, slots: slots, varied: varied}), nil
}

// recordPlanFor returns the plan of model's record in its REST form.
func recordPlanFor(model string) (*payloadPlan, error) {
	c, err := cache()
	if err != nil {
		return nil, err
	}
	ev, prop, err := recordOf(model)
	if err != nil {
		return nil, err
	}
	key := planKey{event: ev.Name, record: true}
	if p := c.get(key); p != nil {
		return p, nil
	}
	root, slots, err := compilePlan(ev.Schema.Properties[prop], ev.SchemaName+"."+prop, Realistic, true)
	if err != nil {
		return nil, fmt.Errorf("the %s record of event %s: %w", model, ev.Name, err)
	}
	return c.store(key, &payloadPlan{root: root, slots: slots}), nil
}

// recordOf finds the first event of model in the catalog and the envelope
// property that carries its record: the one whose schema lists what an
// update changes (x-faker-update).
func recordOf(model string) (openapi.Event, string, error) {
	evs, err := openapi.Events()
	if err != nil {
		return openapi.Event{}, "", err
	}
	var models []string
	for _, ev := range evs {
		if !slices.Contains(models, ev.Model) {
			models = append(models, ev.Model)
		}
		if ev.Model != model {
			continue
		}
		if prop := recordProperty(ev); prop != "" {
			return ev, prop, nil
		}
		return openapi.Event{}, "", fmt.Errorf("%w %q: the payload of %s has no record property whose schema has %s", ErrUnknownModel, model, ev.Name, extUpdate)
	}
	return openapi.Event{}, "", fmt.Errorf("%w %q: the catalog's models are %s (see 'ufhook events')", ErrUnknownModel, model, strings.Join(models, ", "))
}

// recordProperty returns the name of the envelope property whose schema
// says what an update changes, or "".
func recordProperty(ev openapi.Event) string {
	for _, name := range propertyOrder(ev.Schema) {
		p := ev.Schema.Properties[name]
		if p == nil || p.Value == nil {
			continue
		}
		if viewOf(p, nil, name).has(extUpdate) {
			return name
		}
	}
	return ""
}
