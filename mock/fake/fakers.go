package fake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/brianvoe/gofakeit/v7/data"
)

// The generators that x-faker names. Each writes one whole JSON value. The
// ones below are ufhook's own: fast, allocation-free, and coherent within a
// payload (one person, one company) or a stream (one home tenant, one
// sequence). Any other name is looked up in gofakeit's catalogue.
//
//	mode                     the payload's mode (Options.Mode)
//	uuid                     a random version 4 UUID
//	sequence                 1, 2, 3... per stream, from a random start
//	timestamp                a date-time with milliseconds, 2021 to mid-2026
//	timestamp.after:SIBLING  a date-time after SIBLING's, within 200 days
//	timestamp.recent         a date-time at most 2 s before the payload's
//	                         time (Options.Now; a fixed epoch when unset)
//	or:A,B,...               true when any of the sibling booleans is true
//	phone                    a fictional E.164 number (drama ranges)
//	person.name, person.first, person.last, person.email, person.username
//	                         one person per payload; the email and username
//	                         are made from the name, at reserved domains
//	handle                   a generated username, adjective-noun-xxxxx
//	                         (fantastic-sun-69l94), unrelated to the person
//	id:N:ALPHABET            N characters drawn from ALPHABET (default: a-z
//	                         and 0-9), fresh each time
//	home.id[:N:ALPHABET], home.name, home.slug
//	                         the stream's own tenant: every record of one
//	                         stream belongs to it; its id is drawn on first
//	                         use as id:N:ALPHABET would (default id:8)
//	shortid                  8 lowercase letters and digits, fresh each time
//	company.id[:N:ALPHABET], company.name, company.slug
//	                         one fresh organisation per payload
//	map.key                  the key of the map entry whose value this is
type genFunc func(s *state, b []byte) []byte

// builtins are the generators that take no arguments.
var builtins = map[string]genFunc{
	"mode":             func(s *state, b []byte) []byte { return appendString(b, string(s.mode)) },
	"uuid":             func(s *state, b []byte) []byte { return appendQuotedUUID(b, s.uuid()) },
	"sequence":         func(s *state, b []byte) []byte { s.stream.next++; return strconv.AppendInt(b, s.stream.next-1, 10) },
	"timestamp":        func(s *state, b []byte) []byte { return s.appendTimestamp(b, epochStart+s.r.Int64N(epochSpan)) },
	"timestamp.recent": func(s *state, b []byte) []byte { return s.appendTimestamp(b, s.now-1-s.r.Int64N(recentSpan)) },
	"phone":            func(s *state, b []byte) []byte { return s.appendPhone(b) },
	"person.name":      func(s *state, b []byte) []byte { return s.person().appendName(append(b, '"'), true, true) },
	"person.first":     func(s *state, b []byte) []byte { return s.person().appendName(append(b, '"'), true, false) },
	"person.last":      func(s *state, b []byte) []byte { return s.person().appendName(append(b, '"'), false, true) },
	"person.email":     func(s *state, b []byte) []byte { return append(s.person().appendEmail(append(b, '"')), '"') },
	"person.username":  func(s *state, b []byte) []byte { return append(s.person().appendUsername(append(b, '"')), '"') },
	"handle":           func(s *state, b []byte) []byte { return append(s.appendHandle(append(b, '"')), '"') },
	"home.name":        func(s *state, b []byte) []byte { return append(s.stream.home.appendName(append(b, '"')), '"') },
	"company.name":     func(s *state, b []byte) []byte { return append(s.company().appendName(append(b, '"')), '"') },
	"company.slug":     func(s *state, b []byte) []byte { return append(s.company().appendSlug(append(b, '"')), '"') },
	"home.slug":        func(s *state, b []byte) []byte { return append(s.stream.home.appendSlug(append(b, '"')), '"') },
	"map.key":          func(s *state, b []byte) []byte { return s.appendMapKey(b) },
	"shortid":          idGen(defaultID),
	"id":               idGen(defaultID),
	"home.id":          func(s *state, b []byte) []byte { return s.stream.home.appendID(append(b, '"'), s, defaultID) },
	"company.id":       func(s *state, b []byte) []byte { return s.company().appendID(append(b, '"'), s, defaultID) },
}

// idForm is the length and the alphabet of generated ids.
type idForm struct {
	n        int
	alphabet string
}

// defaultID is the form of an id generator given no arguments: 8 lowercase
// letters and digits.
var defaultID = idForm{n: 8, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789"}

// maxIDLength bounds N in id:N:ALPHABET.
const maxIDLength = 64

// parseIDForm reads the "N:ALPHABET" (or "N") arguments of an id generator.
func parseIDForm(args string) (idForm, error) {
	if args == "" {
		return defaultID, nil
	}
	n, alphabet, hasAlphabet := strings.Cut(args, ":")
	f := defaultID
	k, err := strconv.Atoi(n)
	if err != nil || k < 1 || k > maxIDLength {
		return f, fmt.Errorf("wants a length from 1 to %d, then optionally :ALPHABET (e.g. id:8:456789bdgjmnpqrvwxyz), got %q", maxIDLength, args)
	}
	f.n = k
	if hasAlphabet {
		if alphabet == "" {
			return f, fmt.Errorf("has an empty alphabet: give the characters ids are made of, e.g. id:8:456789bdgjmnpqrvwxyz")
		}
		for i := 0; i < len(alphabet); i++ {
			if c := alphabet[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
				return f, fmt.Errorf("alphabet %q holds %q: use printable ASCII characters other than quotes and backslashes", alphabet, c)
			}
		}
		f.alphabet = alphabet
	}
	return f, nil
}

// idGen writes a fresh id of form f.
func idGen(f idForm) genFunc {
	return func(s *state, b []byte) []byte {
		b = append(b, '"')
		for range f.n {
			b = append(b, f.alphabet[s.r.IntN(len(f.alphabet))])
		}
		return append(b, '"')
	}
}

// lookupFaker returns gofakeit's generator named name, as a genFunc that
// writes its value as JSON, or nil.
func lookupFaker(name string) genFunc {
	info := gofakeit.GetFuncLookup(name)
	if info == nil || info.Generate == nil {
		return nil
	}
	params := gofakeit.NewMapParams()
	for _, p := range info.Params {
		if p.Default != "" {
			params.Add(p.Field, p.Default)
		}
	}
	return func(s *state, b []byte) []byte {
		v, err := info.Generate(s.fk, params, info)
		if err != nil {
			return append(b, "null"...)
		}
		if str, ok := v.(string); ok {
			return appendString(b, str)
		}
		out, err := json.Marshal(v)
		if err != nil {
			return append(b, "null"...)
		}
		return append(b, out...)
	}
}

// Timestamps fall in a fixed window, not around time.Now, so that a seed
// always gives the same bytes.
var (
	epochStart = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	epochSpan  = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli() - epochStart
)

const day = int64(24 * time.Hour / time.Millisecond)

// epochEnd is the time of a payload whose options set none (Options.Now):
// the end of the timestamp window, fixed so that a seed always gives the
// same bytes. x-faker: timestamp.recent leads up to it.
var epochEnd = epochStart + epochSpan

// recentSpan bounds how long before the payload's time a
// timestamp.recent falls, in milliseconds: a webhook leaves moments after
// the change it reports.
const recentSpan = 2000

func (s *state) appendTimestamp(b []byte, ms int64) []byte {
	s.num = ms
	return appendTime(b, ms)
}

// uuid returns a random version 4 UUID.
func (s *state) uuid() (u [16]byte) {
	a, c := s.r.Uint64(), s.r.Uint64()
	for i := range 8 {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(c >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func appendQuotedUUID(b []byte, u [16]byte) []byte {
	return append(appendUUID(append(b, '"'), u), '"')
}

// appendPhone writes a fictional E.164 number: the ranges that the US, the
// UK and Australia reserve for drama, or a random German or French mobile.
func (s *state) appendPhone(b []byte) []byte {
	b = append(b, '"')
	switch s.r.IntN(5) {
	case 0, 1: // +1 NXX 555 01XX
		b = append(b, "+1"...)
		b = appendPad(b, 200+s.r.IntN(800), 3)
		b = append(b, "55501"...)
		b = appendPad(b, s.r.IntN(100), 2)
	case 2: // +44 7700 900XXX
		b = append(b, "+447700900"...)
		b = appendPad(b, s.r.IntN(1000), 3)
	case 3: // +61 491 570 XXX
		b = append(b, "+61491570"...)
		b = appendPad(b, s.r.IntN(1000), 3)
	default:
		if s.r.IntN(2) == 0 {
			b = append(b, "+4915"...)
		} else {
			b = append(b, "+336"...)
		}
		b = appendPad(b, s.r.IntN(100000000), 8)
	}
	return append(b, '"')
}

// name is a name from gofakeit's lists with its lowercase ASCII slug, which
// emails and usernames are built from.
type name struct{ text, slug string }

// Word lists, built once from gofakeit's data so that generation itself
// allocates nothing. Only names made of plain ASCII letters are kept, so that
// every email and username matches the name it came from.
var (
	firstNames = slugged(data.Person["first"])
	lastNames  = slugged(data.Person["last"])
)

func slugged(names []string) []name {
	out := make([]name, 0, len(names))
	for _, n := range names {
		ok := n != ""
		for i := 0; i < len(n); i++ {
			if c := n[i] | 0x20; c < 'a' || c > 'z' {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, name{text: n, slug: strings.ToLower(n)})
		}
	}
	return out
}

// Domains use the reserved example names (RFC 2606), so no fake address can
// belong to anyone.
var emailDomains = []string{
	"example.com", "example.org", "example.net", "mail.example",
	"acme.example", "globex.example", "initech.example", "hooli.example",
}

// person is the one person behind a payload's name, email and username.
type person struct {
	first, last         name
	emailStyle, userSty int
	num                 int
	domain              string
}

func (s *state) person() *person {
	if !s.hasPerson {
		p := &s.who
		p.first = firstNames[s.r.IntN(len(firstNames))]
		p.last = lastNames[s.r.IntN(len(lastNames))]
		p.emailStyle, p.userSty, p.num = s.r.IntN(6), s.r.IntN(5), s.r.IntN(1000)
		p.domain = emailDomains[s.r.IntN(len(emailDomains))]
		s.hasPerson = true
	}
	return &s.who
}

func (p *person) appendName(b []byte, first, last bool) []byte {
	if first {
		b = append(b, p.first.text...)
	}
	if first && last {
		b = append(b, ' ')
	}
	if last {
		b = append(b, p.last.text...)
	}
	return append(b, '"')
}

func (p *person) appendEmail(b []byte) []byte {
	f, l := p.first.slug, p.last.slug
	switch p.emailStyle {
	case 0:
		b = append(append(append(b, f...), '.'), l...)
	case 1:
		b = append(append(b, f...), l...)
	case 2:
		b = appendPad(append(append(append(b, f...), '.'), l...), p.num%100, 2)
	case 3:
		b = append(append(b, f[0]), l...)
	case 4:
		b = append(append(append(b, f...), '_'), l...)
	default:
		b = appendPad(append(b, f...), 1900+p.num%100, 4)
	}
	return append(append(b, '@'), p.domain...)
}

func (p *person) appendUsername(b []byte) []byte {
	f, l := p.first.slug, p.last.slug
	switch p.userSty {
	case 0:
		return append(append(append(b, f...), '-'), l...)
	case 1:
		return append(append(b, f...), l...)
	case 2:
		return append(append(append(b, f...), '_'), l...)
	case 3:
		return append(append(b, f[0]), l...)
	}
	return appendPad(append(b, f...), p.num, 1)
}

var companyKinds = []string{"Inc", "Labs", "Group", "LLC", "Studio", "Workspace", "Co", "Project"}

// company is an organisation: an id and a name "<Lastname> <Kind>", whose
// slug is "lastname-kind". Its id is drawn on first use, in the form that
// use asks for (home.id:N:ALPHABET), and kept.
type company struct {
	id   [maxIDLength]byte
	idN  int
	base name
	kind string
}

func (s *state) newCompany() company {
	var c company
	c.base = lastNames[s.r.IntN(len(lastNames))]
	c.kind = companyKinds[s.r.IntN(len(companyKinds))]
	return c
}

// appendID writes the company's id, unquoted but for the closing quote,
// drawing it in form f first if it has none yet.
func (c *company) appendID(b []byte, s *state, f idForm) []byte {
	if c.idN == 0 {
		for i := range f.n {
			c.id[i] = f.alphabet[s.r.IntN(len(f.alphabet))]
		}
		c.idN = f.n
	}
	return append(append(b, c.id[:c.idN]...), '"')
}

func (s *state) company() *company {
	if !s.hasCompany {
		s.org = s.newCompany()
		s.hasCompany = true
	}
	return &s.org
}

func (c *company) appendName(b []byte) []byte {
	return append(append(append(b, c.base.text...), ' '), c.kind...)
}

func (c *company) appendSlug(b []byte) []byte {
	b = append(append(b, c.base.slug...), '-')
	for i := 0; i < len(c.kind); i++ {
		ch := c.kind[i]
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b = append(b, ch)
	}
	return b
}

// Words of generated usernames (x-faker: handle), from gofakeit's lists:
// the adjectives of its product names, which are cheerful as Userfront's
// are (fantastic, divine), and its concrete nouns, each of plain lowercase
// letters.
var (
	handleAdjectives = plainWords(data.Product["adjective"])
	handleNouns      = plainWords(data.Word["noun_concrete"])
)

func plainWords(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		ok := len(w) >= 3 && len(w) <= 10
		for i := 0; ok && i < len(w); i++ {
			ok = w[i] >= 'a' && w[i] <= 'z'
		}
		if ok && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// handleSuffix is the alphabet of a handle's last part.
const handleSuffix = "abcdefghijklmnopqrstuvwxyz0123456789"

// appendHandle writes adjective-noun-xxxxx, the form of the usernames that
// sign-up services make up for users who chose none
// (fantastic-sun-69l94).
func (s *state) appendHandle(b []byte) []byte {
	b = append(b, handleAdjectives[s.r.IntN(len(handleAdjectives))]...)
	b = append(append(b, '-'), handleNouns[s.r.IntN(len(handleNouns))]...)
	b = append(b, '-')
	for range 5 {
		b = append(b, handleSuffix[s.r.IntN(len(handleSuffix))])
	}
	return b
}

// appendMapKey writes the key of the map entry being written (x-faker:
// map.key), a JSON string; the compiler allows map.key only inside the
// values of a map.
func (s *state) appendMapKey(b []byte) []byte {
	if len(s.keyStarts) == 0 {
		return append(b, `""`...)
	}
	return append(b, s.keyBuf[s.keyStarts[len(s.keyStarts)-1]:]...)
}

// futureKeys name the unknown fields of the WithUnknownFields shape: names
// that a provider might add any day. A key that a schema defines is never
// used in that schema's objects.
var futureKeys = []string{"webhookId", "signupMethod", "riskScore", "metadata", "labels", "verifiedAt", "source", "flags"}

// appendUnknown writes one unknown value of a random JSON type.
func (s *state) appendUnknown(b []byte) []byte {
	switch s.r.IntN(6) {
	case 0:
		return appendString(b, "2099-01-01")
	case 1:
		return appendPad(b, s.r.IntN(1000), 1)
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

// builtinNames lists the names of ufhook's own generators, for messages.
func builtinNames() string {
	names := make([]string, 0, len(builtins)+2)
	for n := range builtins {
		names = append(names, n)
	}
	names = append(names, "timestamp.after:SIBLING", "or:SIBLING,...", "id:N:ALPHABET", "home.id:N:ALPHABET", "company.id:N:ALPHABET")
	slices.Sort(names)
	return strings.Join(names, ", ")
}
