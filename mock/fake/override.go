package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Override returns body with each of sets applied in order. A set is
// PATH=VALUE: PATH names a field with dots ("record.email",
// "record.data.plan", "record.authentication.firstFactors.0.channel", where a
// number indexes an array), and VALUE is parsed as JSON when it is JSON
// (numbers, true, false, null, "quoted", objects, arrays) and taken as a
// plain string otherwise. Missing objects along the path are created; key
// order is kept and new keys go last. It errors, wrapping ErrBadOverride, for
// a set without "=", an empty path segment, a path that walks into a
// non-object or past an array's end; and with openapi-independent JSON
// errors for a body that is not a JSON object. It does not validate the
// result: call openapi.Validate for that.
func Override(body []byte, sets []string) ([]byte, error) {
	if len(sets) == 0 {
		return body, nil
	}
	root, err := parseNode(body)
	if err != nil {
		return nil, fmt.Errorf("%w: the body is not valid JSON: %v", ErrBadOverride, err)
	}
	if root.kind != '{' {
		return nil, fmt.Errorf("%w: the body is not a JSON object", ErrBadOverride)
	}
	for _, set := range sets {
		path, value, ok := strings.Cut(set, "=")
		if !ok || path == "" {
			return nil, fmt.Errorf("%w %q: want PATH=VALUE, e.g. record.email=a@b.co", ErrBadOverride, set)
		}
		v := parseValue(value)
		if err := root.set(strings.Split(path, "."), v); err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrBadOverride, set, err)
		}
	}
	var buf bytes.Buffer
	root.write(&buf)
	return buf.Bytes(), nil
}

// pinsOf reads sets (PATH=VALUE, as Override takes them) as the values
// that Options.Set fixes: JSON by property path ("record.email" is
// "/record/email"). It is nil for no sets, and errors as Override does for
// a malformed one.
func pinsOf(sets []string) (map[string][]byte, error) {
	if len(sets) == 0 {
		return nil, nil
	}
	pins := make(map[string][]byte, len(sets))
	for _, set := range sets {
		path, value, ok := strings.Cut(set, "=")
		if !ok || path == "" {
			return nil, fmt.Errorf("%w %q: want PATH=VALUE, e.g. record.email=a@b.co", ErrBadOverride, set)
		}
		segs := strings.Split(path, ".")
		if slices.Contains(segs, "") {
			return nil, fmt.Errorf("%w %q: empty path segment; separate fields with single dots", ErrBadOverride, set)
		}
		var buf bytes.Buffer
		parseValue(value).write(&buf)
		pins["/"+strings.Join(segs, "/")] = buf.Bytes()
	}
	return pins, nil
}

// parseValue reads VALUE as JSON if it is one JSON value, else as a string.
func parseValue(s string) *node {
	if n, err := parseNode([]byte(s)); err == nil {
		return n
	}
	return &node{raw: appendString(nil, s)}
}

// node is a JSON value that keeps its object keys in order.
type node struct {
	kind byte // '{' object, '[' array, 0 scalar
	keys []string
	vals []*node
	raw  json.RawMessage // scalar, as written
}

func parseNode(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := decodeNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return n, nil
}

func decodeNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &node{kind: byte(t)}
		for dec.More() {
			if n.kind == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			v, err := decodeNode(dec)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return &node{raw: appendString(nil, t)}, nil
	default:
		raw, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		return &node{raw: raw}, nil
	}
}

func (n *node) set(path []string, v *node) error {
	seg := path[0]
	if seg == "" {
		return fmt.Errorf("empty path segment; separate fields with single dots")
	}
	var slot **node
	switch n.kind {
	case '{':
		for i, k := range n.keys {
			if k == seg {
				slot = &n.vals[i]
				break
			}
		}
		if slot == nil {
			n.keys = append(n.keys, seg)
			n.vals = append(n.vals, &node{kind: '{'})
			slot = &n.vals[len(n.vals)-1]
		}
	case '[':
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(n.vals) {
			return fmt.Errorf("%q is not an index of this array of %d items", seg, len(n.vals))
		}
		slot = &n.vals[i]
	default:
		return fmt.Errorf("cannot set %q inside %s, which is not an object", seg, n.raw)
	}
	if len(path) == 1 {
		*slot = v
		return nil
	}
	if (*slot).kind == 0 && string((*slot).raw) == "null" {
		*slot = &node{kind: '{'} // a null parent becomes an object
	}
	return (*slot).set(path[1:], v)
}

func (n *node) write(buf *bytes.Buffer) {
	switch n.kind {
	case '{':
		buf.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(appendString(nil, k))
			buf.WriteByte(':')
			n.vals[i].write(buf)
		}
		buf.WriteByte('}')
	case '[':
		buf.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				buf.WriteByte(',')
			}
			v.write(buf)
		}
		buf.WriteByte(']')
	default:
		buf.Write(n.raw)
	}
}
