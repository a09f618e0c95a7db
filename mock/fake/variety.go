package fake

// The variety shapes (Unicode, Crowded, Empty, Large, Deep, Huge, Longest) each
// guarantee, whatever the seed, one property that breaks real receivers.
// Like the other shapes they are compiled from any schema: what they touch
// is chosen by the schema's keywords (a free-text string, an array that may
// be empty, a free-form object), never by a property's name. The values
// vary with the seed; the property does not.

import (
	"regexp"
	"slices"
	"strconv"
)

// crowd is how many keys a map, and how many items an array, gets in the
// Crowded shape (fewer where maxItems or maxProperties says so).
const crowd = 3

// Sizes of the free-form objects of the Large, Huge and Deep shapes.
const (
	largeBytes = 48 << 10
	hugeBytes  = 900 << 10
	deepLevels = 64
)

// unicodeFamilies are the kinds of non-ASCII text that break receivers in
// different ways: accented Latin (Latin-1 columns), CJK (three-byte UTF-8),
// emoji (four bytes, surrogate pairs in UTF-16, joiners and flags) and
// right-to-left scripts. The Unicode shape appends one of each to every
// free-text string.
var unicodeFamilies = [][]string{
	{"Zoë", "José", "Ærøskøbing", "Łukasz", "François", "Müller", "Çağrı"},
	{"山田太郎", "王芳", "김민준", "さくら", "東京都"},
	{"🎉", "🚀", "👩🏽‍💻", "🇯🇵", "❤️"},
	{"مرحبا", "שלום", "علي", "سارا", "דוד"},
}

// unicodeSample is the text of the Unicode shape for a string with a
// pattern: the first of each family, which the pattern must match.
var unicodeSample = func() string {
	b := []byte{}
	for i, f := range unicodeFamilies {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, f[0]...)
	}
	return string(b)
}()

// bulkWords make the text of the Large and Huge shapes' entries.
var bulkWords = []string{
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
	"quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
	"xray", "yankee", "zulu",
}

// variety returns the value that a variety shape writes in place of the
// schema's own: an empty array or free-form object (Empty), or a free-form
// object of bulk (Large, Huge) or depth (Deep).
func (c *compiler) variety(v view) (writer, bool) {
	if c.minimal {
		return nil, false
	}
	switch c.shape {
	case Empty:
		if _, ok := v.constant(); ok || len(v.enum()) > 0 {
			return nil, false
		}
		if t := v.types(); len(t) > 0 && t[0] == "array" && v.s.MinItems == 0 {
			return raw("[]"), true
		}
		if freeForm(v) && len(v.s.Required) == 0 && v.s.MinProps == 0 {
			return raw("{}"), true
		}
	case Large:
		if freeForm(v) {
			return bulk(largeBytes), true
		}
	case Huge:
		if freeForm(v) && !c.hugeDone {
			c.hugeDone = true
			return bulk(hugeBytes), true
		}
	case Deep:
		if freeForm(v) {
			return deep(deepLevels), true
		}
	case Longest:
		if n, ok := longestText(v); ok {
			return n, true
		}
	}
	return nil, false
}

// maxLongest bounds the strings of the Longest shape.
const maxLongest = 64 << 10

// longestText returns, for the Longest shape, the writer of a string of
// exactly maxLength characters, when v is a string that declares one and
// nothing else that a string of words would break (format, pattern,
// enum, const).
func longestText(v view) (writer, bool) {
	s := v.s
	if t := v.types(); !slices.Equal(t, []string{"string"}) || s.MaxLength == nil || s.Format != "" || s.Pattern != "" || len(branches(v)) > 0 {
		return nil, false
	}
	if _, ok := v.constant(); ok || len(v.enum()) > 0 {
		return nil, false
	}
	n := int(min(*s.MaxLength, maxLongest))
	if n < int(s.MinLength) || n == 0 {
		return nil, false
	}
	return longest(n), true
}

// longest writes a string of exactly that many ASCII characters: words
// drawn with the seed, cut to length.
type longest int

func (n longest) gen(s *state, b []byte) []byte {
	b = append(b, '"')
	start := len(b)
	for len(b)-start < int(n) {
		if len(b) > start {
			b = append(b, ' ')
		}
		b = append(b, bulkWords[s.r.IntN(len(bulkWords))]...)
	}
	return append(b[:start+int(n)], '"')
}

// freeForm reports whether v is an object whose content the schema leaves
// open: no properties, no schema for additional ones, nor a bound on them.
func freeForm(v view) bool {
	s := v.s
	if _, ok := v.constant(); ok || len(v.enum()) > 0 {
		return false
	}
	t := v.types()
	return len(t) > 0 && t[0] == "object" && len(s.Properties) == 0 &&
		s.AdditionalProperties.Schema == nil &&
		(s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has) &&
		s.MaxProps == nil && len(s.Required) == 0
}

// unicodeText reports whether, in the Unicode shape, v is a free-text
// string: a string with no format, enum, const or maxLength, and no
// pattern unless the pattern admits the non-ASCII text (checked here, at
// compile time). A format keeps its ASCII form: the validator asserts
// format: email, which admits no non-ASCII address.
func (c *compiler) unicodeText(v view) bool {
	if c.shape != Unicode || c.minimal {
		return false
	}
	s := v.s
	if t := v.types(); !slices.Equal(t, []string{"string"}) || s.Format != "" || s.MaxLength != nil || len(branches(v)) > 0 {
		return false
	}
	if _, ok := v.constant(); ok || len(v.enum()) > 0 {
		return false
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		return err == nil && re.MatchString(unicodeSample)
	}
	return true
}

// unicodeText appends to the string its inner writer makes one text of
// each of unicodeFamilies, drawn with the seed.
type unicodeText struct{ inner writer }

func (n unicodeText) gen(s *state, b []byte) []byte {
	start := len(b)
	b = n.inner.gen(s, b)
	if len(b)-start < 2 || b[len(b)-1] != '"' {
		return b
	}
	b = b[:len(b)-1]
	if len(b)-start > 1 {
		b = append(b, ' ')
	}
	for i, f := range unicodeFamilies {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, f[s.r.IntN(len(f))]...)
	}
	return append(b, '"')
}

// bulk writes a flat object of at least that many bytes: "note0" to
// "noteN", each a line of words drawn with the seed.
type bulk int

func (n bulk) gen(s *state, b []byte) []byte {
	start := len(b)
	b = append(b, '{')
	for i := 0; len(b)-start < int(n); i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `"note`...), int64(i), 10)
		b = append(b, `":"`...)
		for j := range 24 {
			if j > 0 {
				b = append(b, ' ')
			}
			b = append(b, bulkWords[s.r.IntN(len(bulkWords))]...)
		}
		b = append(b, '"')
	}
	return append(b, '}')
}

// deep writes objects nested that many levels, the outermost included:
// {"depth":1,"nested":{"depth":2,...{"depth":N,"value":"..."}}}.
type deep int

func (n deep) gen(s *state, b []byte) []byte {
	for i := 1; i <= int(n); i++ {
		b = strconv.AppendInt(append(b, `{"depth":`...), int64(i), 10)
		if i < int(n) {
			b = append(b, `,"nested":`...)
		}
	}
	b = append(b, `,"value":"`...)
	b = append(append(b, bulkWords[s.r.IntN(len(bulkWords))]...), '"')
	for range int(n) {
		b = append(b, '}')
	}
	return b
}
