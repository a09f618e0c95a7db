package fake

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
)

// templateDoc has a template that copies values of every kind, one of
// them written after the template in document order.
const templateDoc = `
openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    T:
      type: object
      required: [text, code, n, obj, quote]
      properties:
        text:
          type: string
          minLength: 1
          x-faker-template: 'code {=code}, n {=n}, obj {=obj}, quote {=quote}, root {=/code}, none [{=missing}]'
        code:
          type: string
          pattern: '^[0-9]{6}$'
        n:
          type: integer
          minimum: 1
          maximum: 9
        obj:
          type: object
          required: [a]
          properties:
            a: {type: string, const: 'x"y'}
        quote:
          type: string
          const: 'say "hi"'
`

func TestTemplateCopiesValues(t *testing.T) {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true
	doc, err := loader.LoadFromData([]byte(templateDoc))
	require.NoError(t, err)
	for _, shape := range []Shape{Realistic, Full, Sparse} {
		t.Run(shape.String(), func(t *testing.T) {
			root, slots, err := compilePlan(doc.Components.Schemas["T"], "T", shape, false)
			require.NoError(t, err)
			p := &payloadPlan{root: root, slots: slots}
			s := newState()
			for seed := range uint64(20) {
				s.reseed(seed)
				body := p.run(s, gen.ModeTest, nil)
				var v struct {
					Text string
					Code string
					N    int
					Obj  json.RawMessage
				}
				require.NoError(t, json.Unmarshal(body, &v), "%s", body)
				want := "code " + v.Code + ", n " + strconv.Itoa(v.N) + ", obj " + string(v.Obj) + `, quote say "hi", root ` + v.Code + ", none []"
				assert.Equal(t, want, v.Text, "%s", body)
				assert.Regexp(t, `^[0-9]{6}$`, v.Code)
			}
		})
	}
}

func TestTemplateRefersToItself(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(`
openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    T:
      type: object
      properties:
        text: {type: string, x-faker-template: 'me {=text}'}
`))
	require.NoError(t, err)
	_, _, err = compilePlan(doc.Components.Schemas["T"], "T", Realistic, false)
	require.ErrorIs(t, err, ErrBadHint)
	assert.Contains(t, err.Error(), "refers to the value itself")
}

// TestPinsTakeTheDrawsPlace pins a value that the template copies, and one
// that nothing refers to: both are written as pinned, and the template
// copies the pinned value.
func TestPinsTakeTheDrawsPlace(t *testing.T) {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true
	doc, err := loader.LoadFromData([]byte(templateDoc))
	require.NoError(t, err)
	pins, err := pinsOf([]string{"code=012345", `n=7`, "obj.a=z"})
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"/code": []byte(`"012345"`), "/n": []byte(`7`), "/obj/a": []byte(`"z"`)}, pins, "012345 is no JSON number, so it stays a string")
	root, slots, err := compilePlan(doc.Components.Schemas["T"], "T", Realistic, false)
	require.NoError(t, err)
	p := &payloadPlan{root: root, slots: slots}
	s := newState()
	s.reseed(1)
	s.pins = pins
	var v struct {
		Text, Code string
		N          int
		Obj        map[string]string
	}
	body := p.run(s, gen.ModeTest, nil)
	require.NoError(t, json.Unmarshal(body, &v), "%s", body)
	assert.Equal(t, "012345", v.Code)
	assert.Equal(t, 7, v.N)
	assert.Equal(t, "z", v.Obj["a"], "a pin reaches into an object")
	assert.Contains(t, v.Text, "code 012345, n 7, obj {", "the template copies the pinned values")

	_, err = pinsOf([]string{"code"})
	assert.ErrorIs(t, err, ErrBadOverride)
	none, err := pinsOf(nil)
	assert.NoError(t, err)
	assert.Nil(t, none)
}
