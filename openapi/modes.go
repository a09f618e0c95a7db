package openapi

// A provider's modes (Userfront's test and live) are the provider's own: the
// engine knows none. A document declares them with the top-level extension
// x-ufhook-modes, which load checks (checkModes) and Modes serves:
//
//	x-ufhook-modes:
//	  field: /mode              # JSON pointer of the body property that carries the mode
//	  default: live             # the mode of a conformance run when none is given
//	  payloadDefault: test      # the mode of generated payloads when none is given
//	  separateTokens: true      # each mode has its own webhook API key
//	  values:
//	    test: {token: '^uf_test_webhook_'}
//	    live: {https: true, token: '^uf_live_webhook_'}

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// ExtModes is the top-level vendor extension that declares a document's
// modes (see ModeSet).
const ExtModes = "x-ufhook-modes"

// ModeSet is what a document declares of its modes through x-ufhook-modes:
// the body property that carries the mode, the modes, and the rules of
// each. A document without the extension has no modes, and the toolkit
// then runs no mode cases and takes no mode.
type ModeSet struct {
	// Field is the JSON pointer of the body property that carries the
	// mode, e.g. "/mode". Every webhook's payload has it.
	Field string
	// Default is the mode of a conformance run (go test ./contract,
	// ufhook check) when none is given.
	Default string
	// PayloadDefault is the mode of generated payloads (ufhook example,
	// emit) when none is given; Default when the document names none.
	PayloadDefault string
	// SeparateTokens means each mode has its own webhook API key, so that
	// a receiver must refuse a payload of one mode that carries another
	// mode's key: the suite then runs the mode auth cases.
	SeparateTokens bool
	// Modes are the declared modes, in document order.
	Modes []Mode
}

// Mode is one declared mode.
type Mode struct {
	// Name is the mode's value in the body, e.g. "live".
	Name string
	// HTTPS means webhooks of this mode must be sent over HTTPS: the
	// emitter refuses http:// targets, and the suite checks the URLs.
	HTTPS bool
	// Token is the format of this mode's webhook API key, a regular
	// expression; nil when the document gives none.
	Token *regexp.Regexp
}

// Names returns the names of the modes, in document order.
func (s ModeSet) Names() []string {
	out := make([]string, len(s.Modes))
	for i, m := range s.Modes {
		out[i] = m.Name
	}
	return out
}

// Lookup returns the mode named name.
func (s ModeSet) Lookup(name string) (Mode, bool) {
	for _, m := range s.Modes {
		if m.Name == name {
			return m, true
		}
	}
	return Mode{}, false
}

// FitsToken reports whether tok has the mode's token format; true when the
// document gives none.
func (m Mode) FitsToken(tok string) bool { return m.Token == nil || m.Token.MatchString(tok) }

// modeSets holds the ModeSet of each loaded document (nil: it declares
// none), keyed by the document, which the catalog keeps.
var modeSets sync.Map // *openapi3.T → *ModeSet

// Modes returns the modes that the document in use declares in
// x-ufhook-modes, and false when it declares none (or cannot be loaded).
func Modes() (ModeSet, bool) {
	c, err := loaded()
	if err != nil {
		return ModeSet{}, false
	}
	v, ok := modeSets.Load(c.doc)
	if !ok || v.(*ModeSet) == nil {
		return ModeSet{}, false
	}
	return *v.(*ModeSet), true
}

// checkModes reads and checks the x-ufhook-modes of doc, whose node tree is
// root, and records it for Modes. Its errors give the place in source, the
// JSON pointer, and what to do.
func checkModes(root *yaml.Node, doc *openapi3.T, source string) error {
	set, err := parseModes(root, doc, source)
	if err != nil {
		return err
	}
	modeSets.Store(doc, set)
	return nil
}

// parseModes is checkModes without the recording; nil, nil for a document
// without the extension.
func parseModes(root *yaml.Node, doc *openapi3.T, source string) (*ModeSet, error) {
	n := child(content(root), ExtModes)
	if n == nil {
		return nil, nil
	}
	at := func(n *yaml.Node, ptr string) string {
		return fmt.Sprintf("%s:%d: /%s%s", source, n.Line, ExtModes, ptr)
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: is a %s: give a map with field, default and values (see the README's x-ufhook-modes)", at(n, ""), kindName(n))
	}
	set := &ModeSet{}
	var def, payloadDef *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		switch key {
		case "field":
			if v.Kind != yaml.ScalarNode || !strings.HasPrefix(v.Value, "/") {
				return nil, fmt.Errorf("%s: %q is no JSON pointer: give the pointer of the body property that carries the mode, e.g. /mode", at(v, "/field"), v.Value)
			}
			set.Field = v.Value
		case "default":
			def = v
		case "payloadDefault":
			payloadDef = v
		case "separateTokens":
			b, err := boolOf(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", at(v, "/separateTokens"), err)
			}
			set.SeparateTokens = b
		case "values":
			if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
				return nil, fmt.Errorf("%s: give a map from each mode's name to its rules, e.g. {test: {}, live: {https: true}}", at(v, "/values"))
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				m, err := modeOf(v.Content[j].Value, v.Content[j+1], at)
				if err != nil {
					return nil, err
				}
				set.Modes = append(set.Modes, m)
			}
		default:
			return nil, fmt.Errorf("%s: unknown key %q: use field, default, payloadDefault, separateTokens and values", at(n.Content[i], "/"+key), key)
		}
	}
	switch {
	case set.Field == "":
		return nil, fmt.Errorf("%s: no field: give the JSON pointer of the body property that carries the mode, e.g. field: /mode", at(n, ""))
	case len(set.Modes) == 0:
		return nil, fmt.Errorf("%s: no values: list the modes under values, e.g. values: {test: {}, live: {https: true}}", at(n, ""))
	}
	var err error
	if set.Default, err = modeName(set, def, set.Modes[0].Name, at(n, "/default")); err != nil {
		return nil, err
	}
	if set.PayloadDefault, err = modeName(set, payloadDef, set.Default, at(n, "/payloadDefault")); err != nil {
		return nil, err
	}
	if err := checkModeField(set, doc, at(n, "/field")); err != nil {
		return nil, err
	}
	return set, nil
}

// modeOf reads the rules of the mode name from v.
func modeOf(name string, v *yaml.Node, at func(*yaml.Node, string) string) (Mode, error) {
	m := Mode{Name: name}
	ptr := "/values/" + name
	if v.Kind == yaml.ScalarNode && (v.Tag == "!!null" || v.Value == "") {
		return m, nil
	}
	if v.Kind != yaml.MappingNode {
		return m, fmt.Errorf("%s: is a %s: give a map of the mode's rules (https, token), or {} for none", at(v, ptr), kindName(v))
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		key, x := v.Content[i].Value, v.Content[i+1]
		switch key {
		case "https":
			b, err := boolOf(x)
			if err != nil {
				return m, fmt.Errorf("%s: %w", at(x, ptr+"/https"), err)
			}
			m.HTTPS = b
		case "token":
			re, err := regexp.Compile(x.Value)
			if x.Kind != yaml.ScalarNode || err != nil {
				return m, fmt.Errorf("%s: %q is no regular expression (%v): give the format of the mode's webhook API key, e.g. '^uf_live_webhook_'", at(x, ptr+"/token"), x.Value, err)
			}
			m.Token = re
		default:
			return m, fmt.Errorf("%s: unknown key %q: a mode has https and token", at(v.Content[i], ptr+"/"+key), key)
		}
	}
	return m, nil
}

// boolOf reads a YAML boolean.
func boolOf(v *yaml.Node) (bool, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!bool" {
		if b, err := strconv.ParseBool(v.Value); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("%q is not a boolean: write true or false", v.Value)
}

// modeName reads the name of a declared mode from v; def when v is nil.
func modeName(set *ModeSet, v *yaml.Node, def, place string) (string, error) {
	if v == nil {
		return def, nil
	}
	if _, ok := set.Lookup(v.Value); v.Kind != yaml.ScalarNode || !ok {
		return "", fmt.Errorf("%s: %q is not one of the modes under values (%s): name one of them", place, v.Value, strings.Join(set.Names(), ", "))
	}
	return v.Value, nil
}

// checkModeField checks that every webhook's payload has the property at
// set.Field, and that its enum, if any, allows every mode.
func checkModeField(set *ModeSet, doc *openapi3.T, place string) error {
	toks := strings.Split(set.Field, "/")[1:]
	names := make([]string, 0, len(doc.Webhooks))
	for name := range doc.Webhooks {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		item := doc.Webhooks[name]
		if item == nil || item.Post == nil || item.Post.RequestBody == nil || item.Post.RequestBody.Value == nil {
			continue // eventOf says what is missing
		}
		media := item.Post.RequestBody.Value.Content.Get("application/json")
		if media == nil || media.Schema == nil {
			continue
		}
		s := media.Schema.Value
		for _, tok := range toks {
			tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
			var p *openapi3.SchemaRef
			if s != nil {
				p = s.Properties[tok]
			}
			if p == nil || p.Value == nil {
				return fmt.Errorf("%s: %s is not a property of webhook %q's payload: point field at the property that carries the mode, or add it to the payload's schema", place, set.Field, name)
			}
			s = p.Value
		}
		for _, m := range set.Modes {
			if len(s.Enum) > 0 && !slices.Contains(s.Enum, any(m.Name)) {
				return fmt.Errorf("%s: webhook %q's %s allows %v, not mode %q: add the mode to its enum, or drop the mode", place, name, set.Field, s.Enum, m.Name)
			}
		}
	}
	return nil
}
