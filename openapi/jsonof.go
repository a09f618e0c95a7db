package openapi

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// jsonOf converts the YAML tree n of a document into the value that
// jsonschema.UnmarshalJSON gives for the same document written as JSON
// (objects as map[string]any, numbers as json.Number), for compileSchemas:
// encoding kin-openapi's document as JSON and decoding it again took a sixth
// of the load of a 300-webhook document (issue 13). ok is false for what it
// does not convert, for which the caller encodes kin-openapi's document
// instead: a $ref to another file (kin-openapi internalizes those), a YAML
// merge key, a tag it does not know, a number that JSON cannot write.
func jsonOf(n *yaml.Node) (v any, ok bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, false
		}
		return jsonOf(n.Content[0])
	case yaml.AliasNode:
		return jsonOf(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, child := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return nil, false
			}
			if k.Value == "$ref" && child.Kind == yaml.ScalarNode && !strings.HasPrefix(child.Value, "#") {
				return nil, false
			}
			v, ok := jsonOf(child)
			if !ok {
				return nil, false
			}
			m[k.Value] = v
		}
		return m, true
	case yaml.SequenceNode:
		list := make([]any, len(n.Content))
		for i, child := range n.Content {
			v, ok := jsonOf(child)
			if !ok {
				return nil, false
			}
			list[i] = v
		}
		return list, true
	case yaml.ScalarNode:
		return scalarOf(n)
	}
	return nil, false
}

// scalarOf converts a YAML scalar as jsonOf does.
func scalarOf(n *yaml.Node) (any, bool) {
	switch n.ShortTag() {
	case "!!str", "!!timestamp":
		return n.Value, true
	case "!!null":
		return nil, true
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, false
		}
		return b, true
	case "!!int":
		var i any
		if err := n.Decode(&i); err != nil {
			return nil, false
		}
		switch i := i.(type) {
		case int:
			return json.Number(strconv.Itoa(i)), true
		case int64:
			return json.Number(strconv.FormatInt(i, 10)), true
		case uint64:
			return json.Number(strconv.FormatUint(i, 10)), true
		}
		return nil, false
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, false
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
	}
	return nil, false
}
