package server

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// factor is an authentication factor, {channel, strategy}.
type factor struct {
	Channel  string `json:"channel"`
	Strategy string `json:"strategy"`
}

type authentication struct {
	FirstFactors  []factor `json:"firstFactors"`
	SecondFactors []factor `json:"secondFactors"`
}

// userRecord is a user in the field order of Userfront's captured API
// response. The fields that only the API shows (lastActiveAt,
// lastMessagedAt, updatedAt, tenant) are omitted when empty, which is how
// the webhook form drops them.
type userRecord struct {
	Mode                   string          `json:"mode"`
	UserID                 int64           `json:"userId"`
	UserUUID               string          `json:"userUuid"`
	Username               *string         `json:"username"`
	Email                  *string         `json:"email"`
	Name                   string          `json:"name"`
	Image                  *string         `json:"image"`
	PhoneNumber            *string         `json:"phoneNumber"`
	Data                   json.RawMessage `json:"data"`
	Locked                 bool            `json:"locked"`
	IsMfaRequired          bool            `json:"isMfaRequired"`
	PreferredFirstFactor   *factor         `json:"preferredFirstFactor"`
	PreferredSecondFactor  *factor         `json:"preferredSecondFactor"`
	IsEmailConfirmed       bool            `json:"isEmailConfirmed"`
	IsPhoneNumberConfirmed bool            `json:"isPhoneNumberConfirmed"`
	LastActiveAt           json.RawMessage `json:"lastActiveAt,omitempty"`
	LastMessagedAt         json.RawMessage `json:"lastMessagedAt,omitempty"`
	CreatedAt              string          `json:"createdAt"`
	UpdatedAt              string          `json:"updatedAt,omitempty"`
	Tenant                 *tenantSummary  `json:"tenant,omitempty"`
	Authorization          json.RawMessage `json:"authorization"`
	TenantID               string          `json:"tenantId"`
	IsConfirmed            bool            `json:"isConfirmed"`
	UUID                   string          `json:"uuid"`
	Authentication         authentication  `json:"authentication"`
}

// tenantSummary is the short tenant embedded in API user records.
type tenantSummary struct {
	TenantID           string  `json:"tenantId"`
	AliasID            *string `json:"aliasId"`
	Name               string  `json:"name"`
	Image              *string `json:"image"`
	LoginRedirectPath  *string `json:"loginRedirectPath"`
	LogoutRedirectPath *string `json:"logoutRedirectPath"`
}

type role struct {
	Name string `json:"name"`
}

// tenantRecord is a tenant in the field order of Userfront's captured API
// response. testTenantId is shown by the API only.
type tenantRecord struct {
	TenantID           string          `json:"tenantId"`
	UUID               string          `json:"uuid"`
	AliasID            *string         `json:"aliasId"`
	TestTenantID       json.RawMessage `json:"testTenantId,omitempty"`
	Name               string          `json:"name"`
	Type               string          `json:"type"`
	Mode               string          `json:"mode"`
	Image              *string         `json:"image"`
	Data               json.RawMessage `json:"data"`
	LoginRedirectPath  *string         `json:"loginRedirectPath"`
	LogoutRedirectPath *string         `json:"logoutRedirectPath"`
	Roles              []role          `json:"roles"`
}

var jsonNull = json.RawMessage("null")

// apiView returns the user as the REST API shows it, with its tenant.
func (u userRecord) apiView(t tenantRecord) userRecord {
	u.LastActiveAt = jsonNull
	u.LastMessagedAt = jsonNull
	u.Tenant = &tenantSummary{
		TenantID: t.TenantID, AliasID: t.AliasID, Name: t.Name, Image: t.Image,
		LoginRedirectPath: t.LoginRedirectPath, LogoutRedirectPath: t.LogoutRedirectPath,
	}
	return u
}

// webhookView returns the user as a webhook carries it: the API record minus
// lastActiveAt, lastMessagedAt, tenant and updatedAt.
func (u userRecord) webhookView() userRecord {
	u.LastActiveAt, u.LastMessagedAt, u.Tenant, u.UpdatedAt = nil, nil, nil, ""
	return u
}

// apiView returns the tenant as the REST API shows it.
func (t tenantRecord) apiView() tenantRecord {
	t.TestTenantID = jsonNull
	return t
}

// webhookView returns the tenant as a webhook carries it, without
// testTenantId.
func (t tenantRecord) webhookView() tenantRecord {
	t.TestTenantID = nil
	return t
}

// envelope is the webhook body, in Userfront's field order.
type envelope struct {
	Action string `json:"action"`
	Model  string `json:"model"`
	Mode   string `json:"mode"`
	Record any    `json:"record"`
}

// stamp formats t as Userfront does: ISO-8601 UTC with milliseconds.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newTenantID returns 8 random lowercase letters and digits.
func newTenantID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [8]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

func ptr[T any](v T) *T { return &v }

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

// nullableString decodes a string or null.
func (p patch) nullableString(key string, dst **string) error {
	raw, ok := p[key]
	if !ok {
		return nil
	}
	if bytes.Equal(bytes.TrimSpace(raw), jsonNull) {
		*dst = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return badRequest("%s must be a string or null", key)
	}
	*dst = &s
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

func (p patch) object(key string, dst *json.RawMessage) error {
	raw, ok := p[key]
	if !ok {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return badRequest("%s must be a JSON object", key)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return badRequest("%s must be a JSON object", key)
	}
	*dst = buf.Bytes()
	return nil
}

// applyUser sets the writable fields of p on u.
func (p patch) applyUser(u *userRecord) error {
	for _, err := range []error{
		p.nullableString("email", &u.Email),
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
func (p patch) applyTenant(t *tenantRecord) error {
	for _, err := range []error{
		p.string("name", &t.Name),
		p.nullableString("image", &t.Image),
		p.object("data", &t.Data),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// newUser returns a user as POST /v0/users creates it, before the request's
// fields are applied.
func newUser(mode, tenantID string, now time.Time) userRecord {
	id := newUUID()
	return userRecord{
		Mode:           mode,
		UserUUID:       id,
		Data:           json.RawMessage("{}"),
		CreatedAt:      stamp(now),
		UpdatedAt:      stamp(now),
		Authorization:  json.RawMessage("{}"),
		TenantID:       tenantID,
		UUID:           id,
		Authentication: authentication{FirstFactors: []factor{{Channel: "email", Strategy: "password"}}, SecondFactors: []factor{}},
	}
}

// newTenant returns a tenant as POST /v0/tenants creates it, before the
// request's fields are applied.
func newTenant(mode string) tenantRecord {
	return tenantRecord{
		TenantID:           newTenantID(),
		UUID:               newUUID(),
		Type:               "basic",
		Mode:               mode,
		Data:               json.RawMessage("{}"),
		LoginRedirectPath:  ptr("/dashboard"),
		LogoutRedirectPath: ptr("/login"),
		Roles:              []role{{Name: "admin"}, {Name: "member"}, {Name: "viewer"}},
	}
}

// label is a short human description of a webhook record for the dashboard.
func label(body []byte) string {
	var env struct {
		Record struct {
			UserID   *int64  `json:"userId"`
			Email    *string `json:"email"`
			Username *string `json:"username"`
			TenantID string  `json:"tenantId"`
			Name     string  `json:"name"`
		} `json:"record"`
		Model string `json:"model"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	r := env.Record
	if env.Model == "tenant" {
		return r.Name + " (" + r.TenantID + ")"
	}
	who := r.Name
	switch {
	case r.Email != nil && *r.Email != "":
		who = *r.Email
	case r.Username != nil && *r.Username != "":
		who = *r.Username
	}
	if r.UserID != nil {
		return fmt.Sprintf("#%d %s", *r.UserID, who)
	}
	return who
}
