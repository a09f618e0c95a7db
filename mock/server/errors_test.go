package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapshot is everything a bad request must leave unchanged.
func snapshot(t *testing.T, srv *mockServer) map[string]any {
	t.Helper()
	_, deliveries := call(t, srv.URL, adminKey, http.MethodGet, "/ui/deliveries", nil)
	return map[string]any{
		"users":      must(t, srv.URL, http.MethodGet, "/v0/users", nil),
		"tenants":    must(t, srv.URL, http.MethodGet, "/v0/tenants", nil),
		"deliveries": deliveries["counts"],
	}
}

// TestBadRequestsChangeNothing sends bad JSON, unknown and read-only
// fields, wrong types and values, a wrong key and unknown ids, and checks
// that each gets Userfront's error body with the right status, fires no
// webhook and changes nothing.
func TestBadRequestsChangeNothing(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	must(t, srv.URL, http.MethodPost, "/v0/users", map[string]any{"email": "a@example.com"})
	tenant := must(t, srv.URL, http.MethodPost, "/v0/tenants", map[string]any{"name": "Keep"})
	tid := tenant["tenantId"].(string)
	sk.next(t)
	sk.next(t)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	_, err := srv.WaitIdle(ctx)
	require.NoError(t, err)
	before := snapshot(t, srv)

	cases := []struct {
		name, key, method, path string
		body                    any
		status                  int
		message                 string
	}{
		{"no key", "", "GET", "/v0/users", nil, 401, "Missing authentication"},
		{"wrong key", adminKey + "x", "GET", "/v0/users", nil, 401, "Unauthorized"},
		{"wrong key on a write", "uf_test_admin_nope", "POST", "/v0/users", `{"email":"b@example.com"}`, 401, "Unauthorized"},
		{"webhook token as admin key", webhookToken, "DELETE", "/v0/users/1", nil, 401, "Unauthorized"},
		{"bad JSON", adminKey, "POST", "/v0/users", `{"email":`, 400, "not valid JSON"},
		{"not an object", adminKey, "POST", "/v0/users", `["email"]`, 400, "JSON object"},
		{"two objects", adminKey, "PUT", "/v0/users/1", `{"name":"a"}{"name":"b"}`, 400, "single JSON object"},
		{"unknown field", adminKey, "POST", "/v0/users", `{"email":"b@example.com","isAdmin":true}`, 400, `"isAdmin"`},
		{"read-only userId", adminKey, "PUT", "/v0/users/1", `{"userId":5}`, 400, `"userId"`},
		{"read-only tenantId", adminKey, "PUT", "/v0/users/1", `{"tenantId":"other123"}`, 400, "writable fields are email, username, name, image, data, phoneNumber, locked"},
		{"wrong type", adminKey, "PUT", "/v0/users/1", `{"locked":"yes"}`, 400, "locked must be true or false"},
		{"null name", adminKey, "PUT", "/v0/users/1", `{"name":null}`, 400, "name must be a string"},
		{"data not an object", adminKey, "PUT", "/v0/users/1", `{"data":[1]}`, 400, "data must be a JSON object"},
		{"bad email", adminKey, "PUT", "/v0/users/1", `{"email":"not-an-email"}`, 400, "email"},
		{"email with a display name", adminKey, "POST", "/v0/users", `{"email":"Jane <jane@example.com>"}`, 400, "email"},
		{"bad phone number", adminKey, "POST", "/v0/users", `{"phoneNumber":"12345"}`, 400, "phoneNumber"},
		{"unknown user", adminKey, "GET", "/v0/users/999", nil, 404, "no user has userId 999"},
		{"update unknown user", adminKey, "PUT", "/v0/users/999", `{"name":"x"}`, 404, "no user has userId 999"},
		{"delete unknown user", adminKey, "DELETE", "/v0/users/999", nil, 404, "no user has userId 999"},
		{"non-numeric userId", adminKey, "DELETE", "/v0/users/abc", nil, 404, "not a positive integer"},
		{"unknown tenant", adminKey, "GET", "/v0/tenants/zzzz9999", nil, 404, "no tenant has tenantId"},
		{"update unknown tenant", adminKey, "PUT", "/v0/tenants/zzzz9999", `{"name":"x"}`, 404, "no tenant has tenantId"},
		{"delete unknown tenant", adminKey, "DELETE", "/v0/tenants/zzzz9999", nil, 404, "no tenant has tenantId"},
		{"tenant without name", adminKey, "POST", "/v0/tenants", `{"data":{}}`, 400, "name is required"},
		{"tenant read-only type", adminKey, "PUT", "/v0/tenants/" + tid, `{"type":"enterprise"}`, 400, "writable fields are name, image, data"},
		{"tenant bad image", adminKey, "PUT", "/v0/tenants/" + tid, `{"image":"not a uri"}`, 400, "image"},
		{"the account's tenant", adminKey, "DELETE", "/v0/tenants/" + srv.RootTenant(), nil, 403, "account's own tenant"},
		{"unknown route", adminKey, "GET", "/v0/nope", nil, 404, "Not Found"},
		{"method not served", adminKey, "PATCH", "/v0/users/1", `{"name":"x"}`, 404, "Not Found"},
		{"body too large", adminKey, "POST", "/v0/users", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "larger than"},
		{"bad paging", adminKey, "GET", "/v0/users?limit=0", nil, 400, "limit must be"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, srv.URL, tc.key, tc.method, tc.path, tc.body)
			assert.Equal(t, tc.status, status)
			require.ElementsMatch(t, []string{"statusCode", "message", "error"}, keys(body), "Userfront's error body: %v", body)
			assert.Equal(t, float64(tc.status), body["statusCode"])
			assert.Equal(t, map[string]any{"type": "bad_request_error"}, body["error"])
			assert.Contains(t, body["message"], tc.message)
			assert.Equal(t, before, snapshot(t, srv), "a bad request changes nothing")
		})
	}
	sk.none(t, 100*time.Millisecond)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestUnauthorizedAnswersWWWAuthenticate(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	res, err := http.Get(srv.URL + "/v0/users")
	require.NoError(t, err)
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
	assert.Contains(t, res.Header.Get("Content-Type"), "application/json")
}
