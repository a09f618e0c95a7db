package receiver

import (
	"encoding/json"
	"unicode/utf8"
)

// parseJSON is a fast path for openapi.DecodeJSON: it decodes body into the
// same generic form (objects as map[string]any, arrays as []any, numbers as
// json.Number holding the literal, strings, bools, nil), or reports ok false
// and leaves the body to encoding/json, which then produces the exact error
// or value. It gives up on anything it is not sure to read the way
// encoding/json does: any syntax error, nesting deeper than maxParseDepth.
// Strings with escapes or invalid UTF-8 are unquoted by encoding/json itself.
//
// plain is true when every string was written without escapes in valid
// UTF-8 and no object repeated a key: then the value holds everything that
// the body says, and toTyped may rebuild a leaf's JSON text from it.
func parseJSON(body []byte) (v any, plain, ok bool) {
	p := parser{b: body, s: string(body), plain: true}
	p.skipSpace()
	v, ok = p.value(0)
	if !ok {
		return nil, false, false
	}
	p.skipSpace()
	if p.i != len(p.b) {
		return nil, false, false
	}
	return v, p.plain, true
}

// maxParseDepth bounds the nesting parseJSON reads itself; deeper bodies go
// to encoding/json, whose own limit is 10000.
const maxParseDepth = 512

type parser struct {
	b     []byte
	s     string
	i     int
	plain bool
}

func (p *parser) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (any, bool) {
	if p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, ok := p.str()
		return s, ok
	case c == 't':
		return true, p.lit("true")
	case c == 'f':
		return false, p.lit("false")
	case c == 'n':
		return nil, p.lit("null")
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return nil, false
}

func (p *parser) lit(word string) bool {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *parser) object(depth int) (any, bool) {
	if depth > maxParseDepth {
		return nil, false
	}
	p.i++ // {
	m := make(map[string]any)
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.skipSpace()
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		if _, dup := m[k]; dup {
			p.plain = false
		}
		m[k] = v
		p.skipSpace()
		if p.i >= len(p.b) {
			return nil, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case '}':
			p.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (p *parser) array(depth int) (any, bool) {
	if depth > maxParseDepth {
		return nil, false
	}
	p.i++ // [
	a := []any{}
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		p.skipSpace()
		if p.i >= len(p.b) {
			return nil, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case ']':
			p.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// str reads a string at p.i, which is a quote.
func (p *parser) str() (string, bool) {
	start := p.i
	p.i++
	simple := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			raw := p.b[start+1 : p.i-1]
			if simple || utf8.Valid(raw) && !hasByte(raw, '\\') {
				return p.s[start+1 : p.i-1], true
			}
			// Escapes or invalid UTF-8: let encoding/json unquote it.
			p.plain = false
			var s string
			if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
				return "", false
			}
			return s, true
		case c < 0x20:
			return "", false
		case c == '\\':
			simple = false
			p.i++
			if p.i >= len(p.b) {
				return "", false
			}
			p.i++ // the escaped byte; \uXXXX is checked by encoding/json
		case c >= utf8.RuneSelf:
			simple = false
			p.i++
		default:
			p.i++
		}
	}
	return "", false
}

func hasByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// number reads a JSON number literal exactly as RFC 8259 spells it.
func (p *parser) number() (any, bool) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	if p.i >= len(p.b) {
		return nil, false
	}
	if p.b[p.i] == '0' {
		p.i++
	} else if !p.digits() {
		return nil, false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if !p.digits() {
			return nil, false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return nil, false
		}
	}
	return json.Number(p.s[start:p.i]), true
}

// digits reads one or more decimal digits.
func (p *parser) digits() bool {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}
