package fake

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/brianvoe/gofakeit/v7/data"
)

// patternGen generates strings that match a pattern, parsed once when the
// plan is compiled. gofakeit's Regex parses its pattern again for every
// value, which was most of the cost of the documents with many patterns
// (docs/benchmarks.md, "--spec at provider scale"). The walk below draws
// from the Faker exactly as gofakeit's regexGenerate does (v7.18.2), so a
// seed gives the same string as before: the seeded payloads of Userfront's
// document, some of whose strings have patterns, stay byte-identical.
type patternGen struct {
	root *patternNode
	// limit is gofakeit's bound on the output: 100 bytes per byte of the
	// pattern.
	limit int
}

// patternNode is a node of the parsed pattern with what generation needs
// computed beforehand.
type patternNode struct {
	op  syntax.Op
	sub []*patternNode
	// lit is a literal's UTF-8 bytes.
	lit []byte
	// runes are a class's ranges; sum is how many runes they hold.
	runes []rune
	sum   int
	// negated marks a class that reaches U+10FFFF, from which gofakeit
	// draws among the characters of allStr that it allows: chars.
	negated bool
	chars   []byte
	// min and max are a repeat's bounds, max capped at 10 as gofakeit
	// does.
	min, max int
}

// allStr is gofakeit's alphabet for '.' and for negated classes.
const allStr = "abcdefghijklmnopqrstuvwxyz" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "0123456789" + "@#$%&?|!(){}<>=*+-_:;,." + " "

// newPatternGen parses pattern as gofakeit does (Perl syntax, not
// simplified). It returns nil when the pattern does not parse; the caller
// then keeps gofakeit's Regex, which says so in the value.
func newPatternGen(pattern string) *patternGen {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	return &patternGen{root: nodeOf(re), limit: len(pattern) * 100}
}

// nodeOf converts re and its subexpressions.
func nodeOf(re *syntax.Regexp) *patternNode {
	n := &patternNode{op: re.Op, min: re.Min, max: min(re.Max, 10)}
	for _, sub := range re.Sub {
		n.sub = append(n.sub, nodeOf(sub))
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			n.lit = utf8.AppendRune(n.lit, r)
		}
	case syntax.OpCharClass:
		n.runes = re.Rune
		for i := 0; i < len(re.Rune); i += 2 {
			if re.Rune[i+1] == utf8.MaxRune {
				n.negated = true
				break
			}
			n.sum += int(re.Rune[i+1]-re.Rune[i]) + 1
		}
		if n.negated {
			for j := 0; j < len(allStr); j++ {
				c := rune(allStr[j])
				for k := 0; k < len(re.Rune); k += 2 {
					if c >= re.Rune[k] && c <= re.Rune[k+1] {
						n.chars = append(n.chars, allStr[j])
						break
					}
				}
			}
		}
	}
	return n
}

// appendTo appends a string matching the pattern to b, JSON-encoded.
// st.buf is its scratch.
func (p *patternGen) appendTo(st *state, b []byte) []byte {
	buf, ok := p.root.walk(st.fk, st.buf[:0], p.limit)
	if !ok {
		// gofakeit gives up too when the output outgrows the bound
		// (its value is then the Faker printed); keep what was made.
		buf = buf[:min(len(buf), p.limit)]
	}
	st.buf = buf
	return appendScratch(st, b)
}

// appendScratch appends st.buf to b, JSON-encoded, without copying it to a
// string first.
func appendScratch(st *state, b []byte) []byte {
	return appendString(b, unsafe.String(unsafe.SliceData(st.buf), len(st.buf)))
}

// walk appends to b what regexGenerate would return for n with the bound
// limit, drawing the same numbers from f. It reports false when the bound
// is reached, where gofakeit panics.
func (n *patternNode) walk(f *gofakeit.Faker, b []byte, limit int) ([]byte, bool) {
	if limit <= 0 {
		return b, false
	}
	start := len(b)
	var ok bool
	switch n.op {
	case syntax.OpLiteral:
		return append(b, n.lit...), true
	case syntax.OpCharClass:
		if n.negated {
			if len(n.chars) > 0 {
				return append(b, n.chars[f.IntN(len(n.chars))]), true
			}
			// gofakeit then draws from a sum of -1: IntN gives 0 without
			// drawing, and the class's first rune is taken.
			return utf8.AppendRune(b, n.runes[0]), true
		}
		r := f.IntN(n.sum)
		var ru rune
		sum := 0
		for i := 0; i < len(n.runes); i += 2 {
			gap := int(n.runes[i+1]-n.runes[i]) + 1
			if sum+gap > r {
				ru = n.runes[i] + rune(r-sum)
				break
			}
			sum += gap
		}
		return utf8.AppendRune(b, ru), true
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return append(b, allStr[f.Int64()%int64(len(allStr))]), true
	case syntax.OpCapture:
		return n.sub[0].walk(f, b, limit)
	case syntax.OpAlternate:
		return n.sub[f.Number(0, len(n.sub)-1)].walk(f, b, limit)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		lo, hi := 0, 10
		if n.op == syntax.OpPlus {
			lo = 1
		} else if n.op == syntax.OpQuest {
			hi = 1
		}
		// gofakeit draws the count again at every turn of its loop.
		for i := 0; i < f.Number(lo, hi); i++ {
			if b, ok = n.each(f, b, limit, start); !ok {
				return b, false
			}
		}
	case syntax.OpRepeat:
		count := 0
		if n.max > n.min {
			count = f.IntN(n.max - n.min + 1)
		}
		for range n.min + count {
			if b, ok = n.each(f, b, limit, start); !ok {
				return b, false
			}
		}
	case syntax.OpConcat:
		return n.each(f, b, limit, start)
	}
	return b, true
}

// each appends all of n's subexpressions, each given the bound less what
// n has written since start, as regexGenerate does.
func (n *patternNode) each(f *gofakeit.Faker, b []byte, limit, start int) ([]byte, bool) {
	for _, sub := range n.sub {
		var ok bool
		if b, ok = sub.walk(f, b, limit-(len(b)-start)); !ok {
			return b, false
		}
	}
	return b, true
}

// urlParts are gofakeit's word lists for URL, lowered and without spaces
// as its URL makes them, computed once.
var urlParts = struct{ bs, descriptor, suffix []string }{
	bs:         urlWords(data.Data["company"]["bs"], true),
	descriptor: urlWords(data.Data["job"]["descriptor"], true),
	suffix:     urlWords(data.Data["internet"]["domain_suffix"], false),
}

// urlWords returns words without spaces, and lowered if lower.
func urlWords(words []string, lower bool) []string {
	out := make([]string, len(words))
	for i, w := range words {
		if lower {
			w = strings.ToLower(w)
		}
		out[i] = strings.ReplaceAll(w, " ", "")
	}
	return out
}

// appendURL appends a URL to b (not encoded): the one gofakeit's URL would
// make from the same draws (so seeded payloads are unchanged), built from
// the lists prepared once instead of with fmt, ToLower and Replace per
// value.
func appendURL(f *gofakeit.Faker, b []byte) []byte {
	var slugs [4]string
	n := f.Number(1, 4)
	for i := range n {
		slugs[i] = urlParts.bs[f.IntN(len(urlParts.bs))]
	}
	scheme := "https"
	if f.IntN(2) == 1 {
		scheme = "http"
	}
	descriptor := urlParts.descriptor[f.IntN(len(urlParts.descriptor))]
	bs := urlParts.bs[f.IntN(len(urlParts.bs))]
	suffix := urlParts.suffix[f.IntN(len(urlParts.suffix))]
	b = append(b, scheme...)
	b = append(b, "://www."...)
	b = append(b, descriptor...)
	b = append(b, bs...)
	b = append(b, '.')
	b = append(b, suffix...)
	for i := range n {
		b = append(b, '/')
		b = append(b, slugs[i]...)
	}
	return b
}

// patternFunc returns the generator of strings matching pattern, parsed
// now; gofakeit's Regex when the pattern does not parse in Perl syntax.
func patternFunc(pattern string) genFunc {
	p := newPatternGen(pattern)
	if p == nil {
		return func(st *state, b []byte) []byte { return appendString(b, st.fk.Regex(pattern)) }
	}
	return p.appendTo
}
