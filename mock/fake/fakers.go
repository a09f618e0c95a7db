package fake

import (
	"encoding/json"
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
//	or:A,B,...               true when any of the sibling booleans is true
//	phone                    a fictional E.164 number (drama ranges)
//	person.name, person.first, person.last, person.email, person.username
//	                         one person per payload; the email and username
//	                         are made from the name, at reserved domains
//	home.id, home.name, home.slug
//	                         the stream's own tenant: every record of one
//	                         stream belongs to it
//	shortid                  8 lowercase letters and digits, fresh each time
//	company.id, company.name, company.slug
//	                         one fresh organisation per payload
type genFunc func(s *state, b []byte) []byte

// builtins are the generators that take no arguments.
var builtins = map[string]genFunc{
	"mode":            func(s *state, b []byte) []byte { return appendString(b, string(s.mode)) },
	"uuid":            func(s *state, b []byte) []byte { return appendQuotedUUID(b, s.uuid()) },
	"sequence":        func(s *state, b []byte) []byte { s.stream.next++; return strconv.AppendInt(b, s.stream.next-1, 10) },
	"timestamp":       func(s *state, b []byte) []byte { return s.appendTimestamp(b, epochStart+s.r.Int64N(epochSpan)) },
	"phone":           func(s *state, b []byte) []byte { return s.appendPhone(b) },
	"person.name":     func(s *state, b []byte) []byte { return s.person().appendName(append(b, '"'), true, true) },
	"person.first":    func(s *state, b []byte) []byte { return s.person().appendName(append(b, '"'), true, false) },
	"person.last":     func(s *state, b []byte) []byte { return s.person().appendName(append(b, '"'), false, true) },
	"person.email":    func(s *state, b []byte) []byte { return append(s.person().appendEmail(append(b, '"')), '"') },
	"person.username": func(s *state, b []byte) []byte { return append(s.person().appendUsername(append(b, '"')), '"') },
	"home.id":         func(s *state, b []byte) []byte { return append(append(append(b, '"'), s.stream.home.id[:]...), '"') },
	"home.name":       func(s *state, b []byte) []byte { return append(s.stream.home.appendName(append(b, '"')), '"') },
	"company.id":      func(s *state, b []byte) []byte { return append(append(append(b, '"'), s.company().id[:]...), '"') },
	"company.name":    func(s *state, b []byte) []byte { return append(s.company().appendName(append(b, '"')), '"') },
	"company.slug":    func(s *state, b []byte) []byte { return append(s.company().appendSlug(append(b, '"')), '"') },
	"home.slug":       func(s *state, b []byte) []byte { return append(s.stream.home.appendSlug(append(b, '"')), '"') },
	"shortid": func(s *state, b []byte) []byte {
		b = append(b, '"')
		for range 8 {
			b = append(b, tenantIDChars[s.r.IntN(len(tenantIDChars))])
		}
		return append(b, '"')
	},
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

// tenantIDChars are the characters of an 8-character organisation id,
// weighted towards letters as in demo1234, p9ny8bdj, wn9mwypn.
const tenantIDChars = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789"

var companyKinds = []string{"Inc", "Labs", "Group", "LLC", "Studio", "Workspace", "Co", "Project"}

// company is an organisation: an id and a name "<Lastname> <Kind>", whose
// slug is "lastname-kind".
type company struct {
	id   [8]byte
	base name
	kind string
}

func (s *state) newCompany() company {
	var c company
	for i := range c.id {
		c.id[i] = tenantIDChars[s.r.IntN(len(tenantIDChars))]
	}
	c.base = lastNames[s.r.IntN(len(lastNames))]
	c.kind = companyKinds[s.r.IntN(len(companyKinds))]
	return c
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
	names = append(names, "timestamp.after:SIBLING", "or:SIBLING,...")
	slices.Sort(names)
	return strings.Join(names, ", ")
}
