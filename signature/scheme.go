// Package signature describes, makes and checks webhook signatures: the
// Standard Webhooks scheme (https://www.standardwebhooks.com), an HMAC of the
// raw body in one header (`X-Hub-Signature-256: sha256=<hex>`, as
// source-hosting providers send), an HMAC of a timestamp and the body in one
// header with named parts (`Signature: t=<ts>,v1=<hex>`, as payment providers
// send), and custom schemes built from the same pieces.
//
// A Scheme says how a webhook is signed; Sign returns the headers that sign a
// delivery and Verify checks them in constant time, against the raw body
// only, with a tolerance window on the timestamp and any number of
// signatures in one header. The Standard Webhooks scheme is signed and
// verified with the project's reference library for Go.
//
// The emitter (mock.Config.Signer) signs with a Signer, the receivers
// (receiver and receiver/validator) verify with a Verifier, and the
// conformance suite (contract) signs its deliveries and forges the bad ones
// of its signature cases from the same pieces. A document declares its
// scheme with the vendor extension x-ufhook-signature (openapi.Signing).
//
// # Flag values
//
// Parse reads a scheme from a flag value such as `--sign`. The value is
// words separated by spaces. The first word is a preset name
// (standard-webhooks, hmac-sha256, timestamped) or `custom`; each following
// word is key=value (split at the first '=') and overrides one field:
//
//	header=NAME            header carrying the signature(s)
//	id-header=NAME         header carrying the message id ("" for none)
//	timestamp-header=NAME  header carrying the Unix timestamp ("" for none)
//	signed=WHAT            body | timestamp.body | id.timestamp.body
//	separator=SEP          joins id, timestamp and body ("." by default)
//	hash=H                 sha256 | sha512 | sha1
//	encoding=E             hex | base64
//	prefix=P               text before each signature ("sha256=", "v1,", or empty)
//	parts=T                one-header parts: t={ts},v1={sig} or ts={ts};h1={sig}
//	                       (any keys; the separator is ',' or ';'); "" for none
//
// For example `hmac-sha256 header=X-Signature prefix=` signs the body into
// X-Signature as bare hex, and
// `custom header=X-Sig signed=timestamp.body timestamp-header=X-Ts hash=sha512 encoding=base64`
// is a custom two-header scheme.
package signature

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Errors about schemes, returned by Lookup, Parse and Scheme.Validate. Match
// them with errors.Is.
var (
	// ErrUnknownScheme means a scheme name is not one of the presets.
	ErrUnknownScheme = errors.New("unknown signature scheme")
	// ErrBadScheme means a scheme (or its text) is incomplete or inconsistent.
	ErrBadScheme = errors.New("invalid signature scheme")
)

// Signed says what the HMAC is computed over.
type Signed string

// The contents a scheme can sign. The parts are joined by Scheme.Separator.
const (
	// SignBody signs the raw body alone.
	SignBody Signed = "body"
	// SignTimestampBody signs the Unix timestamp and the raw body.
	SignTimestampBody Signed = "timestamp.body"
	// SignIDTimestampBody signs the message id, the Unix timestamp and the raw body.
	SignIDTimestampBody Signed = "id.timestamp.body"
)

// Hash names the hash function of the HMAC.
type Hash string

// The supported hash functions.
const (
	// SHA256 is HMAC-SHA256.
	SHA256 Hash = "sha256"
	// SHA512 is HMAC-SHA512.
	SHA512 Hash = "sha512"
	// SHA1 is HMAC-SHA1, still used by some older providers.
	SHA1 Hash = "sha1"
)

// Encoding names how the HMAC bytes are written in the header.
type Encoding string

// The supported encodings.
const (
	// Hex is lower-case hexadecimal (upper case is accepted by Verify).
	Hex Encoding = "hex"
	// Base64 is standard base64 with padding.
	Base64 Encoding = "base64"
)

// Parts describes a one-header value made of named parts, such as
// `t=<ts>,v1=<sig>` or `ts=<ts>;h1=<sig>`. The zero Parts means the header
// holds signatures only.
type Parts struct {
	// TimestampKey names the part holding the Unix timestamp ("t", "ts").
	TimestampKey string
	// SignatureKey names the part(s) holding a signature ("v1", "h1"); the
	// part may repeat, and parts with other keys are ignored.
	SignatureKey string
	// Separator separates the parts ("," or ";").
	Separator string
}

// IsZero reports whether p describes no parts.
func (p Parts) IsZero() bool { return p == Parts{} }

// Split reads a header value made of p's parts: the timestamp part's value
// and the values of the signature parts, in order. Parts with other keys
// are ignored; ts is "" when there is no timestamp part.
func (p Parts) Split(value string) (ts string, sigs []string) {
	for _, part := range strings.Split(value, p.Separator) {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case p.TimestampKey:
			ts = v
		case p.SignatureKey:
			sigs = append(sigs, v)
		}
	}
	return ts, sigs
}

// Join is Split's inverse, with the signatures under key (p.SignatureKey,
// or another version's): the timestamp part first (none when ts is ""),
// then one part per signature.
func (p Parts) Join(ts, key string, sigs []string) string {
	parts := make([]string, 0, len(sigs)+1)
	if ts != "" {
		parts = append(parts, p.TimestampKey+"="+ts)
	}
	for _, s := range sigs {
		parts = append(parts, key+"="+s)
	}
	return strings.Join(parts, p.Separator)
}

// String returns p in the template form Parse reads, such as "t={ts},v1={sig}".
func (p Parts) String() string {
	if p.IsZero() {
		return ""
	}
	return p.TimestampKey + "={ts}" + p.Separator + p.SignatureKey + "={sig}"
}

// Scheme describes how a webhook is signed. Build one with Lookup or Parse,
// or fill it in and call Validate.
type Scheme struct {
	// Name is the preset name, or "custom".
	Name string
	// Header is the header carrying the signature(s). Several signatures in
	// it are separated by spaces, unless Parts is set.
	Header string
	// IDHeader is the header carrying the message id, if the scheme has one.
	IDHeader string
	// TimestampHeader is the header carrying the Unix timestamp, if the
	// scheme sends it in a header of its own.
	TimestampHeader string
	// Signed says what the HMAC covers.
	Signed Signed
	// Separator joins id, timestamp and body in the signed content.
	Separator string
	// Hash is the HMAC's hash function.
	Hash Hash
	// Encoding is how the HMAC is written.
	Encoding Encoding
	// Prefix comes before each signature: "sha256=", "v1,", or "".
	Prefix string
	// Parts, when set, makes Header one value of named parts carrying the
	// timestamp and the signatures.
	Parts Parts
}

// Names of the presets, for Lookup and Parse.
const (
	// StandardWebhooks is the Standard Webhooks scheme: headers webhook-id,
	// webhook-timestamp and webhook-signature (space-separated
	// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), secret `whsec_<base64>`.
	StandardWebhooks = "standard-webhooks"
	// HMACSHA256 is `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.
	HMACSHA256 = "hmac-sha256"
	// Timestamped is `Signature: t=<unix ts>,v1=<hex HMAC-SHA256 of "ts.body">`.
	Timestamped = "timestamped"
	// Custom is the name of a scheme that starts from no preset.
	Custom = "custom"
)

var presets = map[string]Scheme{
	StandardWebhooks: {
		Name: StandardWebhooks, Header: "webhook-signature", IDHeader: "webhook-id",
		TimestampHeader: "webhook-timestamp", Signed: SignIDTimestampBody, Separator: ".",
		Hash: SHA256, Encoding: Base64, Prefix: "v1,",
	},
	HMACSHA256: {
		Name: HMACSHA256, Header: "X-Hub-Signature-256", Signed: SignBody, Separator: ".",
		Hash: SHA256, Encoding: Hex, Prefix: "sha256=",
	},
	Timestamped: {
		Name: Timestamped, Header: "Signature", Signed: SignTimestampBody, Separator: ".",
		Hash: SHA256, Encoding: Hex,
		Parts: Parts{TimestampKey: "t", SignatureKey: "v1", Separator: ","},
	},
}

// Presets returns the names of the preset schemes, sorted.
func Presets() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the preset scheme called name. It fails with
// ErrUnknownScheme for any other name.
func Lookup(name string) (Scheme, error) {
	s, ok := presets[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Scheme{}, fmt.Errorf("%w %q: use one of %s, or %q followed by key=value fields (see the signature package doc)",
			ErrUnknownScheme, name, strings.Join(Presets(), ", "), Custom)
	}
	return s, nil
}

var partsRE = regexp.MustCompile(`^([A-Za-z0-9_-]+)=\{ts\}([,;])([A-Za-z0-9_-]+)=\{sig\}$`)

// Parse reads a scheme from a flag value: a preset name or "custom", then
// key=value words overriding fields (see the package doc). The result is
// validated. It fails with ErrUnknownScheme or ErrBadScheme.
func Parse(spec string) (Scheme, error) {
	words := strings.Fields(spec)
	if len(words) == 0 {
		return Scheme{}, fmt.Errorf("%w: empty text: give a preset (%s) or %q with key=value fields",
			ErrBadScheme, strings.Join(Presets(), ", "), Custom)
	}
	fields := make([]Field, 0, len(words)-1)
	for _, w := range words[1:] {
		key, value, ok := strings.Cut(w, "=")
		if !ok {
			return Scheme{}, fmt.Errorf("%w: %q is not key=value: write for example header=X-Signature", ErrBadScheme, w)
		}
		fields = append(fields, Field{Key: key, Value: value})
	}
	return Build(words[0], fields)
}

// Field is one key=value override of a preset's field, as Parse reads it
// from a flag and the document's x-ufhook-signature map gives it (see the
// package doc for the keys).
type Field struct {
	// Key names the field: header, id-header, timestamp-header, signed,
	// separator, hash, encoding, prefix or parts.
	Key string
	// Value is the field's new value.
	Value string
}

// Build returns the preset called name ("custom" for none) with fields
// applied in order, validated. It fails with ErrUnknownScheme or
// ErrBadScheme.
func Build(name string, fields []Field) (Scheme, error) {
	var s Scheme
	if strings.EqualFold(strings.TrimSpace(name), Custom) {
		s = Scheme{Name: Custom, Signed: SignBody, Separator: ".", Hash: SHA256, Encoding: Hex}
	} else {
		var err error
		if s, err = Lookup(name); err != nil {
			return Scheme{}, err
		}
	}
	for _, f := range fields {
		value := f.Value
		switch strings.ToLower(f.Key) {
		case "header":
			s.Header = value
		case "id-header":
			s.IDHeader = value
		case "timestamp-header":
			s.TimestampHeader = value
		case "signed":
			s.Signed = Signed(strings.ToLower(value))
		case "separator":
			s.Separator = value
		case "hash":
			s.Hash = Hash(strings.ToLower(value))
		case "encoding":
			s.Encoding = Encoding(strings.ToLower(value))
		case "prefix":
			s.Prefix = value
		case "parts":
			if value == "" {
				s.Parts = Parts{}
				continue
			}
			m := partsRE.FindStringSubmatch(value)
			if m == nil {
				return Scheme{}, fmt.Errorf("%w: parts=%q: write the template as t={ts},v1={sig} or ts={ts};h1={sig}", ErrBadScheme, value)
			}
			s.Parts = Parts{TimestampKey: m[1], Separator: m[2], SignatureKey: m[3]}
		default:
			return Scheme{}, fmt.Errorf("%w: unknown key %q: use header, id-header, timestamp-header, signed, separator, hash, encoding, prefix or parts", ErrBadScheme, f.Key)
		}
	}
	if err := s.Validate(); err != nil {
		return Scheme{}, err
	}
	return s, nil
}

// Validate reports, wrapping ErrBadScheme, what is missing or inconsistent
// in s and how to fix it.
func (s Scheme) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrBadScheme, s.Name, fmt.Sprintf(format, args...))
	}
	if s.Header == "" {
		return bad("no signature header: set header=NAME")
	}
	switch s.Hash {
	case SHA256, SHA512, SHA1:
	default:
		return bad("hash %q: use sha256, sha512 or sha1", s.Hash)
	}
	switch s.Encoding {
	case Hex, Base64:
	default:
		return bad("encoding %q: use hex or base64", s.Encoding)
	}
	switch s.Signed {
	case SignBody:
	case SignTimestampBody, SignIDTimestampBody:
		if s.Separator == "" {
			return bad("signed=%s needs a separator: set separator=.", s.Signed)
		}
		if s.TimestampHeader == "" && s.Parts.IsZero() {
			return bad("signed=%s needs a timestamp: set timestamp-header=NAME or parts=t={ts},v1={sig}", s.Signed)
		}
		if s.Signed == SignIDTimestampBody && s.IDHeader == "" {
			return bad("signed=%s needs a message id: set id-header=NAME", s.Signed)
		}
	default:
		return bad("signed=%q: use body, timestamp.body or id.timestamp.body", s.Signed)
	}
	if !s.Parts.IsZero() {
		if s.TimestampHeader != "" {
			return bad("the timestamp is both in parts and in header %s: set one of them only", s.TimestampHeader)
		}
		if s.Signed == SignBody {
			return bad("parts carry a timestamp that signed=body does not sign: set signed=timestamp.body or parts=")
		}
		if s.Parts.TimestampKey == s.Parts.SignatureKey || s.Parts.TimestampKey == "" || s.Parts.SignatureKey == "" ||
			(s.Parts.Separator != "," && s.Parts.Separator != ";") {
			return bad("parts %q: write them as t={ts},v1={sig} or ts={ts};h1={sig}", s.Parts.String())
		}
	} else if strings.ContainsAny(s.Prefix, " ") {
		return bad("prefix %q contains a space, which separates signatures: remove it", s.Prefix)
	}
	return nil
}

// isStandard reports whether s is the Standard Webhooks scheme, whatever its
// name, so that the reference library signs and verifies it.
func (s Scheme) isStandard() bool {
	std := presets[StandardWebhooks]
	s.Name = std.Name
	return strings.EqualFold(s.Header, std.Header) && strings.EqualFold(s.IDHeader, std.IDHeader) &&
		strings.EqualFold(s.TimestampHeader, std.TimestampHeader) &&
		s.Signed == std.Signed && s.Separator == std.Separator && s.Hash == std.Hash &&
		s.Encoding == std.Encoding && s.Prefix == std.Prefix && s.Parts.IsZero()
}

// String describes s in one line, such as
// `standard-webhooks: webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
func (s Scheme) String() string {
	sig := s.Prefix + "<" + string(s.Encoding) + " HMAC-" + strings.ToUpper(string(s.Hash)) + " of " + string(s.Signed) + ">"
	if !s.Parts.IsZero() {
		sig = strings.NewReplacer("{ts}", "<ts>", "{sig}", sig).Replace(s.Parts.String())
	}
	return s.Name + ": " + s.Header + ": " + sig
}
