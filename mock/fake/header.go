package fake

import (
	"encoding/json"
	"strconv"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// headerPlan is the compiled schema of a header parameter, with its slot
// count; err is why it could not be compiled.
type headerPlan struct {
	root  writer
	slots int
	err   error
}

// headerPlans caches the plans of header schemas, by schema.
var headerPlans sync.Map // *openapi3.Schema -> *headerPlan

// headerStates recycles the generator states behind HeaderValue.
var headerStates = sync.Pool{New: func() any { return newState() }}

// HeaderValue returns the value that a delivery sends in the header
// parameter h: its fixed Value when it has one, else a value drawn from its
// schema with seed, as the payloads are (a uuid for format uuid, a
// date-time, an integer in range, a value of its enum, an x-faker hint),
// the same for the same seed. A drawn value that is not a valid HTTP header
// value (a control character, a non-ASCII byte, a space at either end), or
// a header without a schema, gets a token made of seed instead, so the
// result can always be sent.
func HeaderValue(h openapi.Header, seed uint64) string {
	if h.Value != "" && ValidHeaderValue(h.Value) {
		return h.Value
	}
	fallback := "ufhook-" + strconv.FormatUint(seed, 36)
	if h.Schema == nil {
		return fallback
	}
	p := headerPlanOf(h.Schema)
	if p.err != nil {
		return fallback
	}
	s := headerStates.Get().(*state)
	defer headerStates.Put(s)
	s.reseed(seed)
	s.begin(gen.ModeTest, p.slots)
	out := p.root.gen(s, nil)
	v := string(out)
	var str string
	if json.Unmarshal(out, &str) == nil {
		v = str
	}
	if v == "" || v == "null" || !ValidHeaderValue(v) {
		return fallback
	}
	return v
}

// headerPlanOf compiles (once) the schema of a header.
func headerPlanOf(schema *openapi3.Schema) *headerPlan {
	if p, ok := headerPlans.Load(schema); ok {
		return p.(*headerPlan)
	}
	root, slots, err := compilePlan(openapi3.NewSchemaRef("", schema), "header", Full, false)
	p, _ := headerPlans.LoadOrStore(schema, &headerPlan{root: root, slots: slots, err: err})
	return p.(*headerPlan)
}

// ValidHeaderValue reports whether v can be sent as an HTTP header field
// value (RFC 9110 §5.5): visible ASCII characters, with spaces and tabs
// inside but not at either end. Obsolete non-ASCII text is refused too, as
// receivers differ on it.
func ValidHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ' ' || c == '\t':
			if i == 0 || i == len(v)-1 {
				return false
			}
		case c < 0x21 || c > 0x7e:
			return false
		}
	}
	return true
}
