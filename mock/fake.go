// Package mock is ufhook's mock emitter. Its first half makes realistic, seeded
// fake Userfront webhook payloads (Payload, Faker, Lifecycle, Override), one
// generator per model of the event catalog in openapi. Its second half
// (Emitter) delivers them to any endpoint the way Userfront does: a POST with
// the bearer token, TLS verified, redirects refused, every attempt bounded in
// time and retried with backoff on network errors, 429 and 5xx.
package mock

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// Shape selects how a fake record is filled.
type Shape int

const (
	// Realistic is the default: records vary as real ones do, with a null
	// phoneNumber, an empty name, a null username, empty data, locked or
	// unconfirmed users now and then, and without the fields that webhooks
	// drop (lastActiveAt, lastMessagedAt, tenant, updatedAt, testTenantId).
	Realistic Shape = iota
	// Full fills every property the schema defines, non-null, at every
	// level, including the fields that webhooks drop.
	Full
	// Sparse gives only the required properties, null or "" wherever the
	// schema allows, and empty data.
	Sparse
	// WithUnknownFields is Realistic plus properties that no schema defines,
	// at the envelope, in the record and in nested objects, as Userfront may
	// add them any day.
	WithUnknownFields
	// Nulls is Full with every property that the schema lets be null set to
	// null, at any depth: what a receiver that dereferences an optional
	// pointer chokes on.
	Nulls
)

var shapeNames = []string{"realistic", "full", "sparse", "unknown-fields", "nulls"}

// String returns the shape's name as the CLI spells it, e.g. "unknown-fields".
func (s Shape) String() string {
	if s < 0 || int(s) >= len(shapeNames) {
		return fmt.Sprintf("Shape(%d)", int(s))
	}
	return shapeNames[s]
}

// ParseShape returns the shape named name ("realistic", "full", "sparse",
// "unknown-fields" or "nulls"). Any other name gives an error wrapping ErrUnknownShape.
func ParseShape(name string) (Shape, error) {
	for i, n := range shapeNames {
		if n == name {
			return Shape(i), nil
		}
	}
	return 0, fmt.Errorf("%w %q: use one of %s", ErrUnknownShape, name, strings.Join(shapeNames, ", "))
}

// ParseMode returns the mode named name: "test" (also for ""), or "live".
// Any other name gives an error wrapping ErrUnknownMode.
func ParseMode(name string) (gen.Mode, error) {
	switch m := gen.Mode(name); {
	case m == "":
		return gen.ModeTest, nil
	case m.Valid():
		return m, nil
	}
	return "", fmt.Errorf("%w %q: use test or live", ErrUnknownMode, name)
}

// Options selects one payload.
type Options struct {
	// Seed selects the payload: the same options give byte-identical output.
	Seed uint64
	// Mode is the envelope's and record's mode; "" means test.
	Mode gen.Mode
	// Shape selects how the record is filled; the zero value is Realistic.
	Shape Shape
}

// Payload returns one webhook envelope of event as JSON:
// {"action","model","mode","record"} in that order. The same options give
// byte-identical output. It errors for an event not in the catalog (wrapping
// openapi.ErrUnknownEvent), an unknown mode or an unknown shape.
func Payload(event string, opts Options) ([]byte, error) {
	f := fakers.Get().(*Faker)
	defer fakers.Put(f)
	f.Reset(opts.Seed)
	return f.Payload(event, opts.Mode, opts.Shape)
}

// fakers recycles the Fakers behind Payload; Reset makes a recycled one
// indistinguishable from a new one.
var fakers = sync.Pool{New: func() any { return NewFaker(0) }}

// Faker is a seeded stream of fake records and payloads. Successive calls
// give different records; two Fakers made with the same seed give the same
// sequence. Users of one Faker share a tenant and get sequential userIds, as
// in a real tenant. A Faker is not safe for concurrent use.
type Faker struct {
	pcg  rand.PCG
	r    *rand.Rand
	buf  []byte
	home tenantName
	// homeID is the tenant that this stream's users belong to.
	homeID     [8]byte
	nextUserID int
	user       userRec
	tenant     tenantRec
}

// NewFaker returns a stream seeded with seed.
func NewFaker(seed uint64) *Faker {
	f := &Faker{buf: make([]byte, 0, 2048)}
	f.r = rand.New(&f.pcg)
	f.Reset(seed)
	return f
}

// Reset restarts the stream as if it were new with seed, keeping its buffers.
func (f *Faker) Reset(seed uint64) {
	f.pcg.Seed(seed, 0x9e3779b97f4a7c15)
	f.homeID = f.tenantID()
	f.home = f.tenantName()
	f.nextUserID = 1 + f.r.IntN(5000)
}

// Payload returns the next payload of event in this stream. It errors like
// the package-level Payload.
func (f *Faker) Payload(event string, mode gen.Mode, shape Shape) ([]byte, error) {
	g, err := generatorFor(event)
	if err != nil {
		return nil, err
	}
	mode, err = checkOptions(mode, shape)
	if err != nil {
		return nil, err
	}
	if shape == Nulls {
		rec := g.model.fresh(f, mode, Full)
		f.buf = f.appendEnvelope(f.buf[:0], g.event, mode, Full, rec)
		return nullEverywhere(g.event, f.buf)
	}
	rec := g.model.fresh(f, mode, shape)
	f.buf = f.appendEnvelope(f.buf[:0], g.event, mode, shape, rec)
	return append([]byte(nil), f.buf...), nil
}

// User returns the next realistic user of the stream as the generated type,
// with the fields that the REST API returns (updatedAt included). A mode of
// "" means test.
func (f *Faker) User(mode gen.Mode) gen.User {
	if mode == "" {
		mode = gen.ModeTest
	}
	f.newUser(mode, Realistic)
	return f.user.toGen()
}

// Tenant returns the next realistic tenant of the stream as the generated
// type. A mode of "" means test.
func (f *Faker) Tenant(mode gen.Mode) gen.Tenant {
	if mode == "" {
		mode = gen.ModeTest
	}
	f.newTenant(mode, Realistic)
	return f.tenant.toGen()
}

func checkOptions(mode gen.Mode, shape Shape) (gen.Mode, error) {
	if shape < 0 || int(shape) >= len(shapeNames) {
		return "", fmt.Errorf("%w %d: use Realistic, Full, Sparse, WithUnknownFields or Nulls", ErrUnknownShape, int(shape))
	}
	return ParseMode(string(mode))
}

// record is a generated user or tenant, held inside the Faker so that making
// one allocates nothing.
type record interface {
	appendJSON(f *Faker, b []byte) []byte
	// update changes some fields as a PUT would, and moves updatedAt on.
	update(f *Faker)
}

// modelGen makes records of one model.
type modelGen struct {
	fresh func(f *Faker, mode gen.Mode, shape Shape) record
}

// models maps each model of the catalog to its generator. A model that the
// catalog names and this map lacks makes Payload fail for its events, and
// TestEveryCatalogEventHasAGenerator names it.
var models = map[string]modelGen{
	"user": {fresh: func(f *Faker, mode gen.Mode, shape Shape) record {
		f.newUser(mode, shape)
		return &f.user
	}},
	"tenant": {fresh: func(f *Faker, mode gen.Mode, shape Shape) record {
		f.newTenant(mode, shape)
		return &f.tenant
	}},
}

// generator makes the payloads of one catalog event.
type generator struct {
	event openapi.Event
	model modelGen
	err   error
}

// generators holds one generator per event of the catalog, built from
// openapi.Events() on first use.
var generators = sync.OnceValues(func() (map[string]generator, error) {
	evs, err := openapi.Events()
	if err != nil {
		return nil, err
	}
	out := make(map[string]generator, len(evs))
	for _, ev := range evs {
		m, ok := models[ev.Model]
		g := generator{event: ev, model: m}
		if !ok {
			known := make([]string, 0, len(models))
			for k := range models {
				known = append(known, k)
			}
			sort.Strings(known)
			g.err = fmt.Errorf("%w %q of event %s: mock has generators for %s only; add one to mock.models", ErrUnknownModel, ev.Model, ev.Name, strings.Join(known, ", "))
		}
		out[ev.Name] = g
	}
	return out, nil
})

func generatorFor(event string) (generator, error) {
	gens, err := generators()
	if err != nil {
		return generator{}, err
	}
	g, ok := gens[event]
	if !ok {
		_, err := openapi.Lookup(event)
		if err == nil {
			err = fmt.Errorf("%w %q", openapi.ErrUnknownEvent, event)
		}
		return generator{}, err
	}
	return g, g.err
}

// appendEnvelope writes {"action","model","mode","record"} in that order.
func (f *Faker) appendEnvelope(b []byte, ev openapi.Event, mode gen.Mode, shape Shape, rec record) []byte {
	b = append(b, '{')
	b = appendStringField(b, "action", ev.Action)
	b = appendStringField(b, "model", ev.Model)
	b = appendStringField(b, "mode", string(mode))
	b = appendKey(b, "record")
	b = rec.appendJSON(f, b)
	if shape == WithUnknownFields {
		b = f.appendUnknown(b)
	}
	return append(b, '}')
}

// appendUnknown adds one property that no schema defines, with a value of a
// random JSON type.
func (f *Faker) appendUnknown(b []byte) []byte {
	b = appendKey(b, futureKeys[f.r.IntN(len(futureKeys))])
	switch f.r.IntN(6) {
	case 0:
		return appendString(b, "2099-01-01")
	case 1:
		return appendPad(b, f.r.IntN(1000), 1)
	case 2:
		return append(b, "true"...)
	case 3:
		return append(b, "null"...)
	case 4:
		return append(b, `["a",1,{"nested":true}]`...)
	default:
		return append(b, `{"nested":{"deeper":[1,2,3]},"flag":false}`...)
	}
}
