package server

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// The records are the generated gen.User and gen.Tenant. The database keeps
// each as its gen type's JSON, without what the REST API derives when it
// answers (a user's tenant summary, the nulls of the fields never set). A
// webhook's record is the REST API's JSON of the record less the properties
// that the spec marks x-rest-only (openapi.RestOnly).

// stampLayout is Userfront's time format: ISO-8601 UTC with milliseconds.
const stampLayout = "2006-01-02T15:04:05.000Z"

// stamp formats t as Userfront does.
func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// newUUID returns a random (version 4) UUID.
func newUUID() openapi_types.UUID {
	var u openapi_types.UUID
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// newTenantID returns a fresh tenant id, made as the spec says fake
// tenants' ids are (the x-faker of Tenant.tenantId: Userfront's length and
// alphabet), from a random seed, so that the rule lives in the spec alone.
func newTenantID() string {
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	return fake.New(binary.LittleEndian.Uint64(seed[:])).Tenant(gen.ModeTest).TenantID
}

func ptr[T any](v T) *T { return &v }

// newUser returns a user as POST /v0/users creates it, before the request's
// fields are applied.
func newUser(mode, tenantID string, now time.Time) gen.User {
	id := newUUID()
	now = now.UTC().Truncate(time.Millisecond)
	return gen.User{
		Mode:                  gen.Mode(mode),
		UserUUID:              id,
		Username:              nullable.NewNullNullable[string](),
		Email:                 nullable.NewNullNullable[openapi_types.Email](),
		Image:                 nullable.NewNullNullable[string](),
		PhoneNumber:           nullable.NewNullNullable[string](),
		Data:                  map[string]any{},
		IsMfaRequired:         false,
		PreferredFirstFactor:  nullable.NewNullNullable[gen.Factor](),
		PreferredSecondFactor: nullable.NewNullNullable[gen.Factor](),
		CreatedAt:             now,
		UpdatedAt:             ptr(now),
		Authorization:         map[string]gen.TenantAuthorization{},
		TenantID:              tenantID,
		IsConfirmed:           false,
		UUID:                  id,
		Authentication: gen.Authentication{
			FirstFactors:  []gen.Factor{{Channel: "email", Strategy: "password"}},
			SecondFactors: []gen.Factor{},
		},
	}
}

// newTenant returns a tenant as POST /v0/tenants creates it, before the
// request's fields are applied.
func newTenant(mode string) gen.Tenant {
	m := gen.Mode(mode)
	return gen.Tenant{
		TenantID:           newTenantID(),
		UUID:               ptr(newUUID()),
		AliasID:            nullable.NewNullNullable[string](),
		Type:               ptr("basic"),
		Mode:               &m,
		Image:              nullable.NewNullNullable[string](),
		Data:               &map[string]any{},
		LoginRedirectPath:  nullable.NewNullableWithValue("/dashboard"),
		LogoutRedirectPath: nullable.NewNullableWithValue("/login"),
		Roles:              &[]gen.Role{{Name: "admin"}, {Name: "member"}, {Name: "viewer"}},
	}
}

// userView returns u as the REST API shows it: with the summary of its
// tenant t, and null for the activity times it has not got.
func userView(u gen.User, t gen.Tenant) gen.User {
	if !u.LastActiveAt.IsSpecified() {
		u.LastActiveAt.SetNull()
	}
	if !u.LastMessagedAt.IsSpecified() {
		u.LastMessagedAt.SetNull()
	}
	u.Tenant = &gen.TenantSummary{
		TenantID: t.TenantID, AliasID: t.AliasID, Name: t.Name, Image: t.Image,
		LoginRedirectPath: t.LoginRedirectPath, LogoutRedirectPath: t.LogoutRedirectPath,
	}
	return u
}

// tenantView returns t as the REST API shows it, with testTenantId null
// when it has none.
func tenantView(t gen.Tenant) gen.Tenant {
	if !t.TestTenantID.IsSpecified() {
		t.TestTenantID.SetNull()
	}
	return t
}

// Writable fields, as Userfront documents them.
var (
	userWritable   = []string{"email", "username", "name", "image", "data", "phoneNumber", "locked"}
	tenantWritable = []string{"name", "image", "data"}
)

// patch is a decoded request body: writable field name to raw JSON value.
type patch map[string]json.RawMessage

// maxBody bounds a REST request body.
const maxBody = 1 << 20

// decodePatch reads a JSON object whose keys must all be in allowed.
func decodePatch(body []byte, allowed []string, what string) (patch, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return patch{}, nil
	}
	if body[0] != '{' {
		return nil, badRequest("The request body must be a JSON object of %s fields (%s)", what, strings.Join(allowed, ", "))
	}
	var p patch
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		return nil, badRequest("The request body is not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, badRequest("The request body must hold a single JSON object")
	}
	var unknown []string
	for k := range p {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, fmt.Sprintf("%q", k))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, badRequest("Unknown or read-only %s field %s: the writable fields are %s", what, strings.Join(unknown, ", "), strings.Join(allowed, ", "))
	}
	return p, nil
}

// isNull reports whether raw is the JSON null.
func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// nullableString decodes a string or null.
func (p patch) nullableString(key string, dst *nullable.Nullable[string]) error {
	raw, ok := p[key]
	if !ok {
		return nil
	}
	if isNull(raw) {
		dst.SetNull()
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return badRequest("%s must be a string or null", key)
	}
	dst.Set(s)
	return nil
}

// email decodes an email address or null. The gen type refuses to encode
// anything but a bare address, so one that is not is refused here, with a
// 400, rather than failing later.
func (p patch) email(key string, dst *nullable.Nullable[openapi_types.Email]) error {
	var s nullable.Nullable[string]
	if err := p.nullableString(key, &s); err != nil || !s.IsSpecified() {
		return err
	}
	if s.IsNull() {
		dst.SetNull()
		return nil
	}
	v := s.MustGet()
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
		return badRequest("Invalid value: %s: %q is not an email address: give a bare address such as jane@example.com, or null", key, v)
	}
	dst.Set(openapi_types.Email(v))
	return nil
}

func (p patch) string(key string, dst *string) error {
	raw, ok := p[key]
	if !ok {
		return nil
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil || s == nil {
		return badRequest("%s must be a string", key)
	}
	*dst = *s
	return nil
}

func (p patch) bool(key string, dst *bool) error {
	raw, ok := p[key]
	if !ok {
		return nil
	}
	var b *bool
	if err := json.Unmarshal(raw, &b); err != nil || b == nil {
		return badRequest("%s must be true or false", key)
	}
	*dst = *b
	return nil
}

// object decodes a JSON object, keeping its numbers exact.
func (p patch) object(key string, dst *map[string]any) error {
	raw, ok := p[key]
	if !ok {
		return nil
	}
	var m map[string]any
	if err := decodeJSON(raw, &m); err != nil || m == nil {
		return badRequest("%s must be a JSON object", key)
	}
	*dst = m
	return nil
}

// applyUser sets the writable fields of p on u.
func (p patch) applyUser(u *gen.User) error {
	for _, err := range []error{
		p.email("email", &u.Email),
		p.nullableString("username", &u.Username),
		p.string("name", &u.Name),
		p.nullableString("image", &u.Image),
		p.object("data", &u.Data),
		p.nullableString("phoneNumber", &u.PhoneNumber),
		p.bool("locked", &u.Locked),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// applyTenant sets the writable fields of p on t.
func (p patch) applyTenant(t *gen.Tenant) error {
	data := map[string]any{}
	if t.Data != nil {
		data = *t.Data
	}
	for _, err := range []error{
		p.string("name", &t.Name),
		p.nullableString("image", &t.Image),
		p.object("data", &data),
	} {
		if err != nil {
			return err
		}
	}
	t.Data = &data
	return nil
}

// decodeJSON decodes one JSON value into v, keeping numbers exact
// (json.Number, not float64) in free-form data.
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// recordSchema returns the record schema of ev: the record property of its
// request body's schema.
func recordSchema(ev openapi.Event) (*openapi3.Schema, error) {
	if ev.Schema != nil {
		if rec := ev.Schema.Properties["record"]; rec != nil && rec.Value != nil {
			return rec.Value, nil
		}
	}
	return nil, fmt.Errorf("the spec's %s webhook has no record property: give its request body schema one", ev.Name)
}

// modelSchemas maps each model of the catalog to its record schema, that of
// the first of its events.
var modelSchemas = sync.OnceValues(func() (map[string]*openapi3.Schema, error) {
	evs, err := openapi.Events()
	if err != nil {
		return nil, err
	}
	out := map[string]*openapi3.Schema{}
	for _, ev := range evs {
		if out[ev.Model] != nil {
			continue
		}
		s, err := recordSchema(ev)
		if err != nil {
			return nil, err
		}
		out[ev.Model] = s
	}
	return out, nil
})

// restJSON returns the REST API's JSON of rec, a record of model.
func restJSON(model string, rec any) (json.RawMessage, error) {
	schemas, err := modelSchemas()
	if err != nil {
		return nil, err
	}
	s, ok := schemas[model]
	if !ok {
		return nil, fmt.Errorf("the spec has no webhook about %q records", model)
	}
	return encodeRecord(rec, s)
}

// encodeRecord returns the JSON of rec, a gen record of schema s, as
// Userfront writes it: every date-time property of s, at any depth of
// nested properties, with exactly three fractional digits, which time.Time's
// own JSON does not keep (it drops trailing zeros). HTML characters are not
// escaped.
func encodeRecord(rec any, s *openapi3.Schema) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, err
	}
	return userfrontTimes(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), s)
}

// userfrontTimes rewrites the date-time properties of the JSON object raw,
// whose schema is s, as stamp does.
func userfrontTimes(raw json.RawMessage, s *openapi3.Schema) (json.RawMessage, error) {
	if s == nil || len(s.Properties) == 0 || !bytes.HasPrefix(raw, []byte("{")) {
		return raw, nil
	}
	return rewriteObject(raw, func(key []byte, v json.RawMessage) (json.RawMessage, error) {
		p := s.Properties[string(key)]
		if p == nil || p.Value == nil {
			return v, nil
		}
		if p.Value.Format != "date-time" {
			return userfrontTimes(v, p.Value)
		}
		var str string
		if json.Unmarshal(v, &str) != nil {
			return v, nil // null, or not a string: leave it to the schema check
		}
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return v, nil
		}
		b := make([]byte, 0, len(stampLayout)+2)
		b = t.UTC().AppendFormat(append(b, '"'), stampLayout)
		return append(b, '"'), nil
	})
}

// webhookRecord returns the record that a webhook carries: rest, the REST
// API's JSON of the record, less the properties that schema marks
// x-rest-only. The other properties keep their order and their bytes.
func webhookRecord(rest json.RawMessage, schema *openapi3.Schema) (json.RawMessage, error) {
	drop := openapi.RestOnly(schema)
	return rewriteObject(rest, func(key []byte, v json.RawMessage) (json.RawMessage, error) {
		if slices.Contains(drop, string(key)) {
			return nil, nil
		}
		return v, nil
	})
}

// errRecordJSON means a record's JSON is not one well-formed object.
var errRecordJSON = errors.New("a record must be one well-formed JSON object")

// rewriteObject returns the JSON object raw with each member's value
// replaced by what fn returns for it; a nil value drops the member. The
// members keep their order and their keys' bytes.
func rewriteObject(raw json.RawMessage, fn func(key []byte, v json.RawMessage) (json.RawMessage, error)) (json.RawMessage, error) {
	out := make([]byte, 0, len(raw))
	out = append(out, '{')
	err := members(raw, func(quoted, key []byte, v json.RawMessage) error {
		v, err := fn(key, v)
		if err != nil || v == nil {
			return err
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, quoted...), ':'), v...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return append(out, '}'), nil
}

// members calls fn with each member of the JSON object raw, in order: the
// key as written (quoted) and decoded, and the value. The slices are raw's
// own bytes, unless the key has escapes. It errors with
// errRecordJSON when raw is not one object, and stops at fn's first error.
// It scans raw itself, since json.Decoder's token stream costs several
// times more, and leaves checking the values to whoever decodes them.
func members(raw []byte, fn func(quoted, key []byte, v json.RawMessage) error) error {
	i := skipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return errRecordJSON
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return trailing(raw, i)
	}
	for i < len(raw) && raw[i] == '"' {
		keyEnd := stringEnd(raw, i)
		if keyEnd > len(raw) {
			return errRecordJSON
		}
		quoted := raw[i:keyEnd]
		key := quoted[1 : len(quoted)-1]
		if bytes.IndexByte(quoted, '\\') >= 0 {
			var k string
			if err := json.Unmarshal(quoted, &k); err != nil {
				return errRecordJSON
			}
			key = []byte(k)
		}
		i = skipSpace(raw, keyEnd)
		if i == len(raw) || raw[i] != ':' {
			return errRecordJSON
		}
		i = skipSpace(raw, i+1)
		end := valueEnd(raw, i)
		if end <= i {
			return errRecordJSON
		}
		if err := fn(quoted, key, raw[i:end]); err != nil {
			return err
		}
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == '}' {
			return trailing(raw, i)
		}
		if i == len(raw) || raw[i] != ',' {
			return errRecordJSON
		}
		i = skipSpace(raw, i+1)
	}
	return errRecordJSON
}

// trailing checks that nothing but whitespace follows the object's closing
// brace at raw[i].
func trailing(raw []byte, i int) error {
	if skipSpace(raw, i+1) != len(raw) {
		return errRecordJSON
	}
	return nil
}

// skipSpace returns the index of the first byte of b from i on that is not
// JSON whitespace, or len(b).
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string that starts at
// b[i], a quote, or len(b)+1 when it does not end.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b) + 1
}

// valueEnd returns the index just past the JSON value that starts at b[i],
// or a value not above i when there is none. It finds the value's end, and
// leaves checking the value to whoever decodes it.
func valueEnd(b []byte, i int) int {
	depth := 0
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			end := stringEnd(b, j)
			if end > len(b) {
				return -1
			}
			if depth == 0 {
				return end
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j
			}
			if depth--; depth == 0 {
				return j + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return j
			}
		}
	}
	if depth != 0 {
		return -1
	}
	return len(b)
}

// webhookBody returns the webhook of ev in mode with record. The envelope's
// keys come in Userfront's order, action, model, mode, record, which the
// gen event types do not keep (their fields are in alphabetical order).
func webhookBody(ev openapi.Event, mode string, record json.RawMessage) ([]byte, error) {
	return json.Marshal(struct {
		Action string          `json:"action"`
		Model  string          `json:"model"`
		Mode   string          `json:"mode"`
		Record json.RawMessage `json:"record"`
	}{ev.Action, ev.Model, mode, record})
}

// label is a short human description of what a webhook carries, for the
// dashboard: its record, or a messaging webhook's factor, whichever object
// the envelope holds. It reads any body, including one that breaks the
// spec, and gives "" for one that is not a JSON object.
func label(body []byte) string {
	var model string
	fields := map[string]json.RawMessage{}
	err := members(body, func(_, key []byte, v json.RawMessage) error {
		if string(key) == "model" {
			_ = json.Unmarshal(v, &model)
			return nil
		}
		if len(v) == 0 || v[0] != '{' {
			return nil
		}
		return members(v, func(_, key []byte, v json.RawMessage) error {
			switch k := string(key); k {
			case "name", "email", "username", "phoneNumber", "userId", "tenantId":
				fields[k] = v
			}
			return nil
		})
	})
	if err != nil {
		return ""
	}
	str := func(key string) string {
		var s string
		_ = json.Unmarshal(fields[key], &s)
		return s
	}
	if model == "tenant" {
		return str("name") + " (" + str("tenantId") + ")"
	}
	who := str("name")
	switch {
	case str("email") != "":
		who = str("email")
	case str("username") != "":
		who = str("username")
	case str("phoneNumber") != "":
		who = str("phoneNumber")
	}
	var id int64
	if raw := fields["userId"]; raw != nil && !isNull(raw) && json.Unmarshal(raw, &id) == nil {
		return fmt.Sprintf("#%d %s", id, who)
	}
	return who
}
