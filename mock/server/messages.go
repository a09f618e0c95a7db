package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// The messaging webhooks. Userfront sends them instead of an email or a
// text message when a user asks for a login link or a verification code, so
// the mock fires them when a user does so through its API: POST
// /v0/auth/link and POST /v0/auth/code, the calls that Userfront's own
// frontend library (userfront-core: sendLoginLink, sendVerificationCode)
// makes, with the bodies it sends. Each finds the user by email or phone
// number, draws the webhook from the spec with the user's own values set
// where the spec marks them x-from-record (the address, and the uuid that
// a login link carries), validates it, and queues it in the outbox.

// The messaging webhooks that the calls fire.
const (
	linkEmailEvent = "user.login.link.email"
	codeEmailEvent = "user.login.code.email"
	codeSMSEvent   = "user.login.code.sms"
)

// Fields of the requests, as userfront-core sends them. The mock reads
// tenantId and the address, and ignores what Userfront uses to create a
// user who does not exist yet (it refuses unknown users instead).
var (
	linkFields = []string{"email", "tenantId", "name", "username", "data", "options"}
	codeFields = []string{"channel", "email", "phoneNumber", "tenantId", "name", "username", "data"}
)

// sentAnswer is the 200 answer of the calls: {"message": "OK", "result":
// {...}}, the shape of userfront-core's tests (inferred: Userfront
// documents no answer).
type sentAnswer struct {
	Message string            `json:"message"`
	Result  map[string]string `json:"result"`
}

// authRequest reads the body of a /v0/auth call: a JSON object whose keys
// are all in allowed, of which the ones read are strings.
func authRequest(w http.ResponseWriter, r *http.Request, allowed []string, call string) (map[string]string, error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, badRequest("The request body of %s must be a JSON object with %s", call, strings.Join(allowed[:2], " and "))
	}
	var unknown []string
	for k := range raw {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, fmt.Sprintf("%q", k))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, badRequest("Unknown field %s in %s: it takes %s", strings.Join(unknown, ", "), call, strings.Join(allowed, ", "))
	}
	out := map[string]string{}
	for _, k := range []string{"channel", "email", "phoneNumber", "tenantId"} {
		v, ok := raw[k]
		if !ok || isNull(v) {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, badRequest("%s must be a string in %s", k, call)
		}
		out[k] = s
	}
	return out, nil
}

// checkTenant refuses a tenantId other than the account's, whose users the
// mock holds.
func (s *Server) checkTenant(in map[string]string) error {
	if id, ok := in["tenantId"]; ok && id != s.root {
		return notFound("Not Found: tenant %q holds no users here: the mock's users live in the account's tenant %s (send its tenantId, or none)", id, s.root)
	}
	return nil
}

// sendLink answers POST /v0/auth/link {"email", "tenantId"}: it fires
// user.login.link.email for the user with that email.
func (s *Server) sendLink(w http.ResponseWriter, r *http.Request) error {
	const call = "POST /v0/auth/link"
	in, err := authRequest(w, r, linkFields, call)
	if err != nil {
		return err
	}
	if err := s.checkTenant(in); err != nil {
		return err
	}
	email := in["email"]
	if email == "" {
		return badRequest(`A login link needs "email": send {"email": "<the user's address>"} to %s`, call)
	}
	u, err := s.userByEmail(r.Context(), email)
	if err != nil {
		return err
	}
	if _, err := s.sendMessage(r.Context(), linkEmailEvent, u, "api"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sentAnswer{Message: "OK", Result: map[string]string{"email": email}})
	return nil
}

// sendCode answers POST /v0/auth/code {"channel", "email" or
// "phoneNumber", "tenantId"}: it fires user.login.code.email or
// user.login.code.sms for the user with that address.
func (s *Server) sendCode(w http.ResponseWriter, r *http.Request) error {
	const call = "POST /v0/auth/code"
	in, err := authRequest(w, r, codeFields, call)
	if err != nil {
		return err
	}
	if err := s.checkTenant(in); err != nil {
		return err
	}
	ctx := r.Context()
	var (
		u     gen.User
		event string
	)
	switch ch := in["channel"]; ch {
	case "email":
		if in["email"] == "" {
			return badRequest(`Email verification code requires "email": send {"channel": "email", "email": "<the user's address>"}`)
		}
		u, err = s.userByEmail(ctx, in["email"])
		event = codeEmailEvent
	case "sms":
		if in["phoneNumber"] == "" {
			return badRequest(`SMS verification code requires "phoneNumber": send {"channel": "sms", "phoneNumber": "+15555550123"}, the user's number in E.164 form`)
		}
		u, err = s.userByPhone(ctx, in["phoneNumber"])
		event = codeSMSEvent
	default:
		return badRequest(`Invalid channel %q: send "channel": "email" or "sms"`, ch)
	}
	if err != nil {
		return err
	}
	if _, err := s.sendMessage(ctx, event, u, "api"); err != nil {
		return err
	}
	result := map[string]string{"channel": in["channel"]}
	if in["channel"] == "sms" {
		result["phoneNumber"] = in["phoneNumber"]
	} else {
		result["email"] = in["email"]
	}
	writeJSON(w, http.StatusOK, sentAnswer{Message: "OK", Result: result})
	return nil
}

// userByEmail finds the account's user with email, ignoring case; of
// several, the first created.
func (s *Server) userByEmail(ctx context.Context, email string) (gen.User, error) {
	return s.userWhere(ctx, `lower(json_extract(record, '$.email')) = lower(?)`, email,
		fmt.Sprintf("Not Found: no user has the email %q: create one with POST /v0/users, or give it with PUT /v0/users/{userId}", email))
}

// userByPhone finds the account's user with the phone number phone.
func (s *Server) userByPhone(ctx context.Context, phone string) (gen.User, error) {
	return s.userWhere(ctx, `json_extract(record, '$.phoneNumber') = ?`, phone,
		fmt.Sprintf("Not Found: no user has the phone number %q: give a user one (E.164, e.g. +15555550123) with PUT /v0/users/{userId}", phone))
}

func (s *Server) userWhere(ctx context.Context, cond string, arg any, missing string) (gen.User, error) {
	var raw []byte
	err := s.db.r.QueryRowContext(ctx, `SELECT record FROM users WHERE tenant_id = ? AND `+cond+` ORDER BY user_id LIMIT 1`, s.root, arg).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return gen.User{}, notFound("%s", missing)
	}
	if err != nil {
		return gen.User{}, err
	}
	var u gen.User
	return u, decodeJSON(raw, &u)
}

// sendMessage draws the messaging webhook event for user u, with the
// values that the spec marks x-from-record taken from u, validates it and
// queues it; source says who asked ("api", "dashboard"). It returns the
// delivery's id, and errors with a 400 when u lacks a value the webhook
// needs (an SMS code for a user without a phone number).
func (s *Server) sendMessage(ctx context.Context, event string, u gen.User, source string) (int64, error) {
	ev, err := openapi.Lookup(event)
	if err != nil {
		return 0, err
	}
	from := openapi.FromRecord(ev)
	if len(from) == 0 {
		return 0, badRequest("%s is not sent for a user: fire it from the dashboard's panel instead", ev.Name)
	}
	schemas, err := modelSchemas()
	if err != nil {
		return 0, err
	}
	rec, err := encodeRecord(u, schemas["user"])
	if err != nil {
		return 0, err
	}
	fields := map[string]json.RawMessage{}
	if err := members(rec, func(_, key []byte, v json.RawMessage) error {
		fields[string(key)] = v
		return nil
	}); err != nil {
		return 0, err
	}
	paths := make([]string, 0, len(from))
	for p := range from {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	sets := make([]string, 0, len(paths))
	for _, p := range paths {
		v, ok := fields[from[p]]
		if !ok || isNull(v) || bytes.Equal(v, []byte(`""`)) {
			return 0, badRequest("User %d has no %s, which %s is sent to: give the user one with PUT /v0/users/%d", u.UserID, from[p], ev.Name, u.UserID)
		}
		sets = append(sets, p+"="+string(v))
	}
	s.rngMu.Lock()
	seed := s.rng.Uint64()
	s.rngMu.Unlock()
	body, err := fake.Payload(ev, fake.Options{Seed: seed, Mode: s.cfg.Emitter.Mode, Set: sets})
	if err != nil {
		return 0, err
	}
	if err := openapi.Validate(ev, body); err != nil {
		return 0, badRequest("The %s webhook for user %d breaks the spec (%v): check the user's %s", ev.Name, u.UserID, err, strings.Join(slices.Sorted(maps.Values(from)), " and "))
	}
	var id int64
	err = s.db.tx(ctx, func(tx *sql.Tx) error {
		id, err = enqueue(ctx, tx, ev.Name, body, label(body), source, 0, time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return 0, err
	}
	s.wake()
	s.publishDelivery(ctx, id)
	return id, nil
}
