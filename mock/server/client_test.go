package server_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock/server"
)

// TestClientCRUD walks a user and a tenant through every call of the
// client, against a real server, and checks what each returns and fires.
func TestClientCRUD(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	ctx := context.Background()
	api := server.NewClient(srv.URL+"/", adminKey, nil) // a trailing slash is fine
	fired := func(event string) {
		t.Helper()
		d := sk.next(t)
		assert.Equal(t, event, d.Event)
		assert.Equal(t, http.StatusNoContent, d.Status)
	}

	u, err := api.CreateUser(ctx, server.Fields{"email": "jane.doe@example.com", "name": "Jane Doe", "data": map[string]any{"plan": "trial"}})
	require.NoError(t, err)
	fired("user.created")
	assert.Equal(t, 1, u.UserID)
	assert.Equal(t, "jane.doe@example.com", string(u.Email.MustGet()))
	assert.Equal(t, "Jane Doe", u.Name)
	assert.Equal(t, map[string]any{"plan": "trial"}, u.Data)
	assert.Equal(t, srv.RootTenant(), u.TenantID)
	require.NotNil(t, u.Tenant, "the API shows the user's tenant")
	assert.Equal(t, srv.RootTenant(), u.Tenant.TenantID)

	got, err := api.GetUser(ctx, u.UserID)
	require.NoError(t, err)
	assert.Equal(t, u.UserUUID, got.UserUUID)

	u, err = api.UpdateUser(ctx, u.UserID, server.Fields{"name": "Jane Q. Doe", "locked": true, "image": nil})
	require.NoError(t, err)
	fired("user.updated")
	assert.Equal(t, "Jane Q. Doe", u.Name)
	assert.True(t, u.Locked)
	assert.True(t, u.Image.IsNull(), "a nil field is set to null")

	_, err = api.CreateUser(ctx, nil)
	require.NoError(t, err, "no fields at all is a user too")
	fired("user.created")
	users, err := api.ListUsers(ctx, 2, 1)
	require.NoError(t, err)
	assert.Equal(t, 2, users.TotalCount)
	assert.Equal(t, 2, users.TotalPages)
	assert.Equal(t, 2, users.Page)
	assert.Equal(t, 1, users.Limit)
	require.Len(t, users.Results, 1)
	assert.Equal(t, 2, users.Results[0].UserID)

	gone, err := api.DeleteUser(ctx, u.UserID)
	require.NoError(t, err)
	fired("user.deleted")
	assert.Equal(t, "Jane Q. Doe", gone.Name, "the user's last state")
	_, err = api.GetUser(ctx, u.UserID)
	assertAPIError(t, err, http.StatusNotFound, "no user has userId 1")

	tn, err := api.CreateTenant(ctx, server.Fields{"name": "Acme Inc"})
	require.NoError(t, err)
	fired("tenant.created")
	assert.Equal(t, "Acme Inc", tn.Name)
	assert.Regexp(t, `^[a-z0-9]{8}$`, tn.TenantID)
	tn, err = api.UpdateTenant(ctx, tn.TenantID, server.Fields{"name": "Acme Corporation"})
	require.NoError(t, err)
	fired("tenant.updated")
	assert.Equal(t, "Acme Corporation", tn.Name)
	got2, err := api.GetTenant(ctx, tn.TenantID)
	require.NoError(t, err)
	assert.Equal(t, tn.Name, got2.Name)
	tenants, err := api.ListTenants(ctx, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, 2, tenants.TotalCount, "the account's tenant and the new one")
	assert.Equal(t, 100, tenants.Limit, "the API's default")
	require.Len(t, tenants.Results, 2)
	assert.Equal(t, srv.RootTenant(), tenants.Results[0].TenantID, "the account's tenant first")
	gone2, err := api.DeleteTenant(ctx, tn.TenantID)
	require.NoError(t, err)
	fired("tenant.deleted")
	assert.Equal(t, "Acme Corporation", gone2.Name)

	_, err = api.DeleteTenant(ctx, srv.RootTenant())
	assertAPIError(t, err, http.StatusForbidden, "account's own tenant")
	sk.none(t, 50*time.Millisecond)
}

// assertAPIError checks that err is an *APIError with status and a message
// that holds msg.
func assertAPIError(t *testing.T, err error, status int, msg string) {
	t.Helper()
	var ae *server.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, status, ae.StatusCode)
	assert.Contains(t, ae.Message, msg)
	assert.Contains(t, err.Error(), ae.Method+" "+ae.Path, "the error names the call")
}

// TestClientErrors checks that the API's error answers come back as an
// *APIError with Userfront's status, message and type, and that what is
// not the mock's answer is told apart.
func TestClientErrors(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	notMock := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v0/users" {
			w.Write([]byte("<html>hello</html>"))
			return
		}
		http.Error(w, "no such page", http.StatusNotFound)
	}))
	defer notMock.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())

	cases := []struct {
		name       string
		base, key  string
		call       func(ctx context.Context, c *server.Client) error
		wantStatus int    // 0: not an *APIError
		wantMsg    string // in the error
		wantType   string
	}{
		{
			name: "no key", base: srv.URL,
			call:       func(ctx context.Context, c *server.Client) error { _, err := c.ListUsers(ctx, 0, 0); return err },
			wantStatus: 401, wantMsg: "Missing authentication", wantType: "bad_request_error",
		},
		{
			name: "wrong key", base: srv.URL, key: adminKey + "x",
			call: func(ctx context.Context, c *server.Client) error {
				_, err := c.GetTenant(ctx, srv.RootTenant())
				return err
			},
			wantStatus: 401, wantMsg: "Unauthorized", wantType: "bad_request_error",
		},
		{
			name: "read-only field", base: srv.URL, key: adminKey,
			call: func(ctx context.Context, c *server.Client) error {
				_, err := c.CreateUser(ctx, server.Fields{"userId": 5})
				return err
			},
			wantStatus: 400, wantMsg: `"userId"`, wantType: "bad_request_error",
		},
		{
			name: "value the spec refuses", base: srv.URL, key: adminKey,
			call: func(ctx context.Context, c *server.Client) error {
				_, err := c.UpdateTenant(ctx, srv.RootTenant(), server.Fields{"image": "not a uri"})
				return err
			},
			wantStatus: 400, wantMsg: "image", wantType: "bad_request_error",
		},
		{
			name: "tenant without name", base: srv.URL, key: adminKey,
			call:       func(ctx context.Context, c *server.Client) error { _, err := c.CreateTenant(ctx, nil); return err },
			wantStatus: 400, wantMsg: "name is required", wantType: "bad_request_error",
		},
		{
			name: "unknown tenant", base: srv.URL, key: adminKey,
			call: func(ctx context.Context, c *server.Client) error {
				_, err := c.DeleteTenant(ctx, "zzzz9999")
				return err
			},
			wantStatus: 404, wantMsg: "no tenant has tenantId", wantType: "bad_request_error",
		},
		{
			name: "not the mock's error body", base: notMock.URL, key: adminKey,
			call:       func(ctx context.Context, c *server.Client) error { _, err := c.GetUser(ctx, 1); return err },
			wantStatus: 404, wantMsg: "no such page",
		},
		{
			name: "not the mock's answer", base: notMock.URL, key: adminKey,
			call:    func(ctx context.Context, c *server.Client) error { _, err := c.ListUsers(ctx, 0, 0); return err },
			wantMsg: "is " + notMock.URL + " a mock Userfront?",
		},
		{
			name: "nothing listening", base: closed, key: adminKey,
			call:    func(ctx context.Context, c *server.Client) error { _, err := c.CreateUser(ctx, nil); return err },
			wantMsg: "connect",
		},
		{
			name: "body that is not JSON", base: srv.URL, key: adminKey,
			call: func(ctx context.Context, c *server.Client) error {
				return c.Call(ctx, http.MethodPost, "/v0/users", map[string]any{"data": make(chan int)}, nil)
			},
			wantMsg: "encode the body as JSON",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(context.Background(), server.NewClient(tc.base, tc.key, nil))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantMsg)
			var ae *server.APIError
			if tc.wantStatus == 0 {
				assert.False(t, errors.As(err, &ae), "not an API answer: %v", err)
				return
			}
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.wantStatus, ae.StatusCode)
			assert.Equal(t, tc.wantType, ae.Type)
		})
	}
	sk.none(t, 50*time.Millisecond)
}
