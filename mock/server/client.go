package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
)

// maxAnswer bounds the answer a Client reads.
const maxAnswer = 16 << 20

// Client calls a mock Userfront's /v0 REST API with its admin key, the way
// an app calls Userfront's. Every change it makes fires the matching
// webhook. A Client is safe for concurrent use.
type Client struct {
	base string
	key  string
	hc   *http.Client
}

// NewClient returns a client of the mock Userfront at baseURL (for example
// http://127.0.0.1:8787) that sends adminKey as its Bearer token; an empty
// key sends no Authorization header. A nil httpClient means
// http.DefaultClient.
func NewClient(baseURL, adminKey string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), key: adminKey, hc: httpClient}
}

// Fields are the writable fields of a user or a tenant, by JSON name, for
// CreateUser, UpdateUser, CreateTenant and UpdateTenant: email, username,
// name, image, data, phoneNumber and locked for a user; name, image and data
// for a tenant. A nil value sets the field to null.
type Fields map[string]any

// Page is one page of a list, in Userfront's list shape.
type Page[T any] struct {
	// TotalCount is the number of records in the whole list.
	TotalCount int `json:"totalCount"`
	// TotalPages is the number of pages of Limit records.
	TotalPages int `json:"totalPages"`
	// Page is this page's number, from 1.
	Page int `json:"page"`
	// Limit is the most records a page holds.
	Limit int `json:"limit"`
	// Results are this page's records.
	Results []T `json:"results"`
}

// APIError is an answer of the API other than 200: Userfront's error body,
// {"statusCode": 400, "message": "...", "error": {"type": "..."}}, with the
// call that got it. Match it with errors.As.
type APIError struct {
	// Method and Path are the call, e.g. GET /v0/users/7.
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is Userfront's message, which says what was wrong; the start
	// of the body when the body is not Userfront's error body.
	Message string
	// Type is Userfront's error type, e.g. bad_request_error.
	Type string
}

// Error says which call failed, with which status, and why.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: the mock Userfront answered %d: %s", e.Method, e.Path, e.StatusCode, e.Message)
}

// Do sends one request to path (e.g. /v0/users?page=2), relative to the
// base URL, with the admin key, and returns the answer whatever its status;
// the caller closes its body. body is nil for none, a []byte or a string
// sent as it is, or any other value, sent encoded as JSON. It errors when
// the body cannot be encoded or the request cannot be sent.
func (c *Client) Do(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encode the body as JSON: %w", method, path, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: give the mock's base URL, e.g. http://127.0.0.1:8787", method, path, err)
	}
	if c.key != "" {
		req.Header.Set("Authorization", bearer.Header(c.key))
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return c.hc.Do(req)
}

// Call sends one request as Do does and decodes a 200 answer's JSON body
// into out, unless out is nil. Any other status comes back as an *APIError.
// It errors as Do does, and when the answer cannot be read or decoded.
func (c *Client) Call(ctx context.Context, method, path string, body, out any) error {
	res, err := c.Do(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	if res.StatusCode != http.StatusOK {
		return answerError(method, path, res.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the JSON expected (%w): is %s a mock Userfront?", method, path, err, c.base)
	}
	return nil
}

// answerError reads Userfront's error body, or keeps the start of another.
func answerError(method, path string, status int, raw []byte) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: status}
	var body struct {
		Message string `json:"message"`
		Error   struct {
			Type string `json:"type"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &body) == nil && body.Message != "" {
		e.Message, e.Type = body.Message, body.Error.Type
		return e
	}
	e.Message = strings.TrimSpace(string(raw))
	if len(e.Message) > 200 {
		e.Message = e.Message[:200] + "…"
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// CreateUser creates a user in the account's tenant (POST /v0/users),
// which fires user.created, and returns it as the API shows it. It errors
// as Call does; a field that is not writable or a value the spec refuses
// get an *APIError with status 400.
func (c *Client) CreateUser(ctx context.Context, f Fields) (gen.User, error) {
	var u gen.User
	return u, c.Call(ctx, http.MethodPost, "/v0/users", fieldsBody(f), &u)
}

// GetUser reads the user userID (GET /v0/users/{userId}). It errors as Call
// does; an unknown user gets an *APIError with status 404.
func (c *Client) GetUser(ctx context.Context, userID int) (gen.User, error) {
	var u gen.User
	return u, c.Call(ctx, http.MethodGet, "/v0/users/"+strconv.Itoa(userID), nil, &u)
}

// ListUsers reads one page of the account's users (GET /v0/users). page
// counts from 1 and limit is at most 500; zero leaves either to the API's
// default (1 and 100). It errors as Call does.
func (c *Client) ListUsers(ctx context.Context, page, limit int) (Page[gen.User], error) {
	var p Page[gen.User]
	return p, c.Call(ctx, http.MethodGet, "/v0/users"+pageQuery(page, limit), nil, &p)
}

// UpdateUser changes the fields given of the user userID (PUT
// /v0/users/{userId}), which fires user.updated, and returns the user. It
// errors as CreateUser does, and with status 404 for an unknown user.
func (c *Client) UpdateUser(ctx context.Context, userID int, f Fields) (gen.User, error) {
	var u gen.User
	return u, c.Call(ctx, http.MethodPut, "/v0/users/"+strconv.Itoa(userID), fieldsBody(f), &u)
}

// DeleteUser deletes the user userID (DELETE /v0/users/{userId}), which
// fires user.deleted, and returns the user's last state. It errors as
// GetUser does.
func (c *Client) DeleteUser(ctx context.Context, userID int) (gen.User, error) {
	var u gen.User
	return u, c.Call(ctx, http.MethodDelete, "/v0/users/"+strconv.Itoa(userID), nil, &u)
}

// CreateTenant creates a tenant (POST /v0/tenants), which fires
// tenant.created, and returns it. name is required. It errors as
// CreateUser does.
func (c *Client) CreateTenant(ctx context.Context, f Fields) (gen.Tenant, error) {
	var t gen.Tenant
	return t, c.Call(ctx, http.MethodPost, "/v0/tenants", fieldsBody(f), &t)
}

// GetTenant reads the tenant tenantID (GET /v0/tenants/{tenantId}). It
// errors as Call does; an unknown tenant gets an *APIError with status 404.
func (c *Client) GetTenant(ctx context.Context, tenantID string) (gen.Tenant, error) {
	var t gen.Tenant
	return t, c.Call(ctx, http.MethodGet, "/v0/tenants/"+url.PathEscape(tenantID), nil, &t)
}

// ListTenants reads one page of the tenants (GET /v0/tenants), the
// account's own first. page and limit are as for ListUsers. It errors as
// Call does.
func (c *Client) ListTenants(ctx context.Context, page, limit int) (Page[gen.Tenant], error) {
	var p Page[gen.Tenant]
	return p, c.Call(ctx, http.MethodGet, "/v0/tenants"+pageQuery(page, limit), nil, &p)
}

// UpdateTenant changes the fields given of the tenant tenantID (PUT
// /v0/tenants/{tenantId}), which fires tenant.updated, and returns the
// tenant. It errors as UpdateUser does.
func (c *Client) UpdateTenant(ctx context.Context, tenantID string, f Fields) (gen.Tenant, error) {
	var t gen.Tenant
	return t, c.Call(ctx, http.MethodPut, "/v0/tenants/"+url.PathEscape(tenantID), fieldsBody(f), &t)
}

// DeleteTenant deletes the tenant tenantID and its users (DELETE
// /v0/tenants/{tenantId}), which fires tenant.deleted, and returns the
// tenant's last state. It errors as GetTenant does, and with status 403
// for the account's own tenant.
func (c *Client) DeleteTenant(ctx context.Context, tenantID string) (gen.Tenant, error) {
	var t gen.Tenant
	return t, c.Call(ctx, http.MethodDelete, "/v0/tenants/"+url.PathEscape(tenantID), nil, &t)
}

// SendLoginLink asks for a login link for the user whose email is email
// (POST /v0/auth/link), as a user does on a login page: the mock fires
// user.login.link.email, with the link that Userfront would have emailed.
// It errors as Call does; an email that no user has gets an *APIError with
// status 404.
func (c *Client) SendLoginLink(ctx context.Context, email string) error {
	return c.Call(ctx, http.MethodPost, "/v0/auth/link", map[string]string{"email": email}, nil)
}

// SendEmailCode asks for a verification code by email for the user whose
// email is email (POST /v0/auth/code with channel email): the mock fires
// user.login.code.email. It errors as SendLoginLink does.
func (c *Client) SendEmailCode(ctx context.Context, email string) error {
	return c.Call(ctx, http.MethodPost, "/v0/auth/code", map[string]string{"channel": "email", "email": email}, nil)
}

// SendSMSCode asks for a verification code by SMS for the user whose phone
// number is phoneNumber, in E.164 form (POST /v0/auth/code with channel
// sms): the mock fires user.login.code.sms. It errors as Call does; a
// number that no user has gets an *APIError with status 404.
func (c *Client) SendSMSCode(ctx context.Context, phoneNumber string) error {
	return c.Call(ctx, http.MethodPost, "/v0/auth/code", map[string]string{"channel": "sms", "phoneNumber": phoneNumber}, nil)
}

// fieldsBody is f as a request body: an empty object when f is nil.
func fieldsBody(f Fields) any {
	if f == nil {
		return Fields{}
	}
	return f
}

// pageQuery is the query of a list call.
func pageQuery(page, limit int) string {
	q := url.Values{}
	if page != 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
