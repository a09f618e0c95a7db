// Package fake makes realistic, seeded fake webhook payloads (Payload, Faker,
// Lifecycle, Override) from plans compiled once from each webhook's
// request-body schema: the schema says what is valid, and vendor extensions
// beside it (x-faker and friends, see the README) say what looks real. It
// knows no field of any provider's records: a webhook added to the document
// gets payloads in every shape with no Go change. Package mock delivers
// them.
package fake

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// Shape selects how a fake record is filled.
type Shape int

const (
	// Realistic is the default: values vary as the spec's x-faker hints
	// say real ones do (a null phoneNumber, an empty name, a locked user
	// now and then), and the x-rest-only properties that webhooks drop are
	// left out.
	Realistic Shape = iota
	// Full sets every property the schema defines, non-null and non-empty,
	// at every level, including the x-rest-only ones.
	Full
	// Sparse gives only the required properties, null or empty wherever
	// the schema allows.
	Sparse
	// WithUnknownFields is Realistic plus properties that no schema defines,
	// at the envelope (always), and in the record and nested objects (now
	// and then), wherever the schema allows additional properties, as a
	// provider may add them any day.
	WithUnknownFields
	// Nulls is Full with every property that the schema lets be null set to
	// null, at any depth: what a receiver that dereferences an optional
	// pointer chokes on.
	Nulls
	// Unicode is Full with non-ASCII text from each family that breaks
	// real receivers (accented Latin, CJK, emoji, right-to-left) in every
	// free-text string: a string whose schema has no format, pattern (that
	// the text would not match), enum, const or maxLength. Emails
	// (format: email) stay ASCII, since the format does not admit
	// non-ASCII addresses (idn-email would).
	Unicode
	// Crowded is Full with several entries wherever the schema allows
	// them: three keys in every map (additionalProperties with a schema,
	// keyed as x-faker-key says, e.g. several tenants in a user's
	// authorization) and three items in every array, up to maxItems.
	Crowded
	// Empty is Full with every array that may be empty empty, and every
	// free-form object (no properties, no additionalProperties schema)
	// that may be empty {}, at any depth: a tenant's role list of [].
	// Maps keep one entry, so that the arrays within them are reached.
	Empty
	// Large is Full with every free-form object holding about 48 KiB of
	// entries, flat: a user's data as big as real custom data gets.
	Large
	// Deep is Full with every free-form object nested 64 levels deep.
	Deep
	// Huge is Full with the first free-form object holding about 900 KiB,
	// so that the payload stays within a receiver's 1 MiB body limit
	// (receiver.DefaultMaxBodyBytes); Userfront documents no limit.
	Huge
	// Longest is Full with every string that declares a maxLength, and
	// has no format, pattern, enum or const, exactly that many characters
	// long (up to 64 Ki): what a receiver whose columns are narrower than
	// the spec says chokes on. A schema without maxLength has nothing for
	// it to vary (Varies); Userfront's declares none.
	Longest
)

var shapeNames = []string{"realistic", "full", "sparse", "unknown-fields", "nulls", "unicode", "crowded", "empty", "large", "deep", "huge", "longest"}

// String returns the shape's name as the CLI spells it, e.g. "unknown-fields".
func (s Shape) String() string {
	if s < 0 || int(s) >= len(shapeNames) {
		return fmt.Sprintf("Shape(%d)", int(s))
	}
	return shapeNames[s]
}

// ParseShape returns the shape named name ("realistic", "full", "sparse",
// "unknown-fields", "nulls", "unicode", "crowded", "empty", "large", "deep",
// "huge" or "longest"). Any other name gives an error wrapping ErrUnknownShape.
func ParseShape(name string) (Shape, error) {
	for i, n := range shapeNames {
		if n == name {
			return Shape(i), nil
		}
	}
	return 0, fmt.Errorf("%w %q: use one of %s", ErrUnknownShape, name, strings.Join(shapeNames, ", "))
}

// ParseMode returns the mode named name, one of the modes that the document
// in use declares (openapi.Modes): for "", the document's default mode of
// payloads ("test" for Userfront's), or "" for a document that declares no
// modes. Any other name, and any name at all for a document without modes,
// gives an error wrapping ErrUnknownMode that lists the modes.
func ParseMode(name string) (gen.Mode, error) {
	set, _ := openapi.Modes()
	if name == "" {
		return gen.Mode(set.PayloadDefault), nil
	}
	return CheckMode(name, set.PayloadDefault)
}

// CheckMode checks that name is one of the modes that the document in use
// declares, and errors, wrapping ErrUnknownMode, when it is not: the message
// lists the modes, def first, or says that the document declares none.
func CheckMode(name, def string) (gen.Mode, error) {
	set, ok := openapi.Modes()
	if !ok {
		return "", fmt.Errorf("%w %q: the document declares no modes (%s): leave the mode out", ErrUnknownMode, name, openapi.ExtModes)
	}
	if _, ok := set.Lookup(name); ok {
		return gen.Mode(name), nil
	}
	names := []string{}
	if def != "" {
		names = append(names, def)
	}
	for _, n := range set.Names() {
		if n != def {
			names = append(names, n)
		}
	}
	return "", fmt.Errorf("%w %q: use %s", ErrUnknownMode, name, strings.Join(names, " or "))
}

// Options selects one payload.
type Options struct {
	// Seed selects the payload: the same options give byte-identical output.
	Seed uint64
	// Mode is the payload's mode, written at the property that the
	// document's x-ufhook-modes names (and wherever x-faker: mode or
	// x-same-as copies it); "" means the document's default ("test" for
	// Userfront's). A document without modes takes "" only.
	Mode gen.Mode
	// Now is when the payload is sent: the values that the spec marks
	// x-faker: timestamp.recent (a created record's createdAt) fall just
	// before it. The zero value stands for a fixed time, 2026-06-01T00:00:00Z,
	// so that the seed alone fixes the bytes; a sender sets time.Now().
	Now time.Time
	// Shape selects how the record is filled; the zero value is Realistic.
	Shape Shape
	// Set fixes values before the payload is drawn, each as PATH=VALUE in
	// Override's syntax ("record.email=a@b.co"). A value fixed this way
	// takes the place of the one the schema would draw, and what refers to
	// it (x-same-as, a template's {=REF}) copies it, so that the payload
	// stays coherent: fix a user's uuid, and a link made from it carries
	// it. A PATH that the payload does not draw (inside an array, or a
	// property left out) is then set as Override sets it. Payload does not
	// validate the result: call openapi.Validate for that.
	Set []string
}

// Payload returns one webhook envelope of event as JSON, its properties in
// the schema's order: {"action","model","mode","record"} for Userfront's
// record webhooks. The same options give byte-identical output. It errors
// for an event not in the catalog (wrapping openapi.ErrUnknownEvent), an
// unknown mode or an unknown shape, and with ErrBadOverride for a bad
// Options.Set.
func Payload(ev openapi.Event, opts Options) ([]byte, error) {
	pins, err := pinsOf(opts.Set)
	if err != nil {
		return nil, err
	}
	f := fakers.Get().(*Faker)
	defer fakers.Put(f)
	f.SetNow(opts.Now)
	f.Reset(opts.Seed)
	f.s.pins = pins
	defer func() { f.s.pins = nil }()
	body, err := f.Payload(ev, opts.Mode, opts.Shape)
	if err != nil || pins == nil {
		return body, err
	}
	return Override(body, opts.Set)
}

// fakers recycles the Fakers behind Payload; Reset makes a recycled one
// indistinguishable from a new one.
var fakers = sync.Pool{New: func() any { return New(0) }}

// Faker is a seeded stream of fake records and payloads. Successive calls
// give different records; two Fakers made with the same seed give the same
// sequence. Records of one Faker share a home tenant and a sequence
// (x-faker: home.id, sequence), as the users of one real tenant do. A Faker
// is not safe for concurrent use.
type Faker struct {
	s   *state
	buf []byte
}

// New returns a stream seeded with seed.
func New(seed uint64) *Faker {
	f := &Faker{s: newState(), buf: make([]byte, 0, 2048)}
	f.Reset(seed)
	return f
}

// Reset restarts the stream as if it were new with seed, keeping its
// buffers and its time (SetNow).
func (f *Faker) Reset(seed uint64) { f.s.reseed(seed) }

// SetNow sets when the stream's payloads are sent, as Options.Now does;
// the zero time stands for the fixed time of a new stream,
// 2026-06-01T00:00:00Z.
func (f *Faker) SetNow(t time.Time) {
	if t.IsZero() {
		f.s.now = epochEnd
		return
	}
	f.s.now = t.UnixMilli()
}

// Payload returns the next payload of event in this stream. It errors like
// the package-level Payload.
func (f *Faker) Payload(ev openapi.Event, mode gen.Mode, shape Shape) ([]byte, error) {
	mode, err := checkOptions(mode, shape)
	if err != nil {
		return nil, err
	}
	p, err := planFor(ev, shape)
	if err != nil {
		return nil, err
	}
	f.buf = p.run(f.s, mode, f.buf[:0])
	return append([]byte(nil), f.buf...), nil
}

// Varies reports whether shape, one of the variety shapes (Unicode,
// Crowded, Empty, Large, Deep, Huge), finds in ev's schema something to
// vary, so that its payloads differ from Full's in kind: false for Deep on
// an event that carries no free-form object. It is true for the other
// shapes. It errors like Payload.
func Varies(ev openapi.Event, shape Shape) (bool, error) {
	if _, err := checkOptions("", shape); err != nil {
		return false, err
	}
	p, err := planFor(ev, shape)
	if err != nil {
		return false, err
	}
	return shape < Unicode || p.varied, nil
}

// Record returns the next realistic record of model ("user", "tenant") in
// its REST form, as JSON: the record of the model's events with the
// x-rest-only properties that webhooks drop. It errors, wrapping
// ErrUnknownModel, for a model that no event of the catalog carries.
func (f *Faker) Record(model string, mode gen.Mode) ([]byte, error) {
	mode, err := checkOptions(mode, Realistic)
	if err != nil {
		return nil, err
	}
	p, err := recordPlanFor(model)
	if err != nil {
		return nil, err
	}
	f.buf = p.run(f.s, mode, f.buf[:0])
	return append([]byte(nil), f.buf...), nil
}

// User returns the next realistic user of the stream as the generated type,
// with the fields that the REST API returns (updatedAt included). A mode of
// "" means the document's default.
func (f *Faker) User(mode gen.Mode) gen.User {
	var u gen.User
	mustRecord(f, "user", mode, &u)
	return u
}

// Tenant returns the next realistic tenant of the stream as the generated
// type. A mode of "" means the document's default.
func (f *Faker) Tenant(mode gen.Mode) gen.Tenant {
	var t gen.Tenant
	mustRecord(f, "tenant", mode, &t)
	return t
}

// mustRecord decodes the next record of model into out. The embedded spec's
// user and tenant records always decode into their gen types (the tests
// check it), so a failure is a broken build.
func mustRecord(f *Faker, model string, mode gen.Mode, out any) {
	body, err := f.Record(model, mode)
	if err == nil {
		err = json.Unmarshal(body, out)
	}
	if err != nil {
		panic(fmt.Sprintf("mock: the embedded spec's %s record does not decode into its gen type: %v", model, err))
	}
}

func checkOptions(mode gen.Mode, shape Shape) (gen.Mode, error) {
	if shape < 0 || int(shape) >= len(shapeNames) {
		return "", fmt.Errorf("%w %d: use Realistic, Full, Sparse, WithUnknownFields, Nulls, Unicode, Crowded, Empty, Large, Deep, Huge or Longest", ErrUnknownShape, int(shape))
	}
	return ParseMode(string(mode))
}
