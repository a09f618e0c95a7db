package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/openapi"
)

// TestCRUDFiresTheMatchingWebhook walks a user and a tenant through create,
// update and delete, and checks that each call fires its event, with the
// envelope in Userfront's order and the API's record minus the fields that
// webhooks drop.
func TestCRUDFiresTheMatchingWebhook(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	var userID, tenantID string
	steps := []struct {
		event   string
		method  string
		path    func() string
		body    any
		dropped []string
		check   func(t *testing.T, rec map[string]any)
	}{
		{
			event: "user.created", method: http.MethodPost, path: func() string { return "/v0/users" },
			body:    map[string]any{"email": "jane.doe@example.com", "username": "jane-doe", "name": "Jane Doe", "data": map[string]any{"custom": "data"}},
			dropped: []string{"lastActiveAt", "lastMessagedAt", "tenant", "updatedAt"},
			check: func(t *testing.T, rec map[string]any) {
				assert.Equal(t, "jane.doe@example.com", rec["email"])
				assert.Equal(t, map[string]any{"custom": "data"}, rec["data"])
				assert.Equal(t, srv.RootTenant(), rec["tenantId"])
				assert.Equal(t, rec["userUuid"], rec["uuid"])
			},
		},
		{
			event: "user.updated", method: http.MethodPut, path: func() string { return "/v0/users/" + userID },
			body:    map[string]any{"name": "Jane Q. Doe", "locked": true, "phoneNumber": "+15555550123"},
			dropped: []string{"lastActiveAt", "lastMessagedAt", "tenant", "updatedAt"},
			check: func(t *testing.T, rec map[string]any) {
				assert.Equal(t, "Jane Q. Doe", rec["name"])
				assert.Equal(t, true, rec["locked"])
				assert.Equal(t, "jane.doe@example.com", rec["email"], "fields not in the body are kept")
			},
		},
		{
			event: "user.deleted", method: http.MethodDelete, path: func() string { return "/v0/users/" + userID },
			dropped: []string{"lastActiveAt", "lastMessagedAt", "tenant", "updatedAt"},
			check: func(t *testing.T, rec map[string]any) {
				assert.Equal(t, "Jane Q. Doe", rec["name"], "the record is the user's last state")
			},
		},
		{
			event: "tenant.created", method: http.MethodPost, path: func() string { return "/v0/tenants" },
			body:    map[string]any{"name": "Acme Inc", "data": map[string]any{"region": "eu"}},
			dropped: []string{"testTenantId"},
			check: func(t *testing.T, rec map[string]any) {
				assert.Equal(t, "Acme Inc", rec["name"])
				assert.Regexp(t, `^[a-z0-9]{8}$`, rec["tenantId"])
			},
		},
		{
			event: "tenant.updated", method: http.MethodPut, path: func() string { return "/v0/tenants/" + tenantID },
			body:    map[string]any{"name": "Acme Corporation", "image": nil},
			dropped: []string{"testTenantId"},
			check: func(t *testing.T, rec map[string]any) {
				assert.Equal(t, "Acme Corporation", rec["name"])
				assert.Nil(t, rec["image"])
				assert.Equal(t, map[string]any{"region": "eu"}, rec["data"])
			},
		},
		{
			event: "tenant.deleted", method: http.MethodDelete, path: func() string { return "/v0/tenants/" + tenantID },
			dropped: []string{"testTenantId"},
			check: func(t *testing.T, rec map[string]any) {
				assert.Equal(t, "Acme Corporation", rec["name"])
			},
		},
	}
	for _, st := range steps {
		t.Run(st.event, func(t *testing.T) {
			resp := must(t, srv.URL, st.method, st.path(), st.body)
			if id, ok := resp["userId"]; ok {
				userID = fmt.Sprint(id)
			}
			if st.event == "tenant.created" {
				tenantID = resp["tenantId"].(string)
			}
			d := sk.next(t)
			require.NoError(t, d.Err)
			assert.Equal(t, st.event, d.Event)
			assert.Equal(t, http.StatusNoContent, d.Status)
			assert.NoError(t, openapi.Validate(openapi.MustLookup(st.event), d.Body))
			assert.Equal(t, []string{"action", "model", "mode", "record"}, keysInOrder(t, d.Body))

			ev, err := openapi.Lookup(st.event)
			require.NoError(t, err)
			var env struct {
				Action, Model, Mode string
				Record              map[string]any
			}
			require.NoError(t, json.Unmarshal(d.Body, &env))
			assert.Equal(t, ev.Action, env.Action)
			assert.Equal(t, ev.Model, env.Model)
			assert.Equal(t, string(gen.ModeTest), env.Mode)
			assert.Equal(t, string(gen.ModeTest), env.Record["mode"])

			want := maps.Clone(resp)
			for _, f := range st.dropped {
				assert.Contains(t, resp, f, "the API shows %s", f)
				delete(want, f)
			}
			assert.Equal(t, want, env.Record, "the webhook record is the API's record minus %v", st.dropped)
			st.check(t, env.Record)
		})
	}
	// Deleted records are gone.
	status, _ := call(t, srv.URL, adminKey, http.MethodGet, "/v0/users/"+userID, nil)
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = call(t, srv.URL, adminKey, http.MethodGet, "/v0/tenants/"+tenantID, nil)
	assert.Equal(t, http.StatusNotFound, status)
}

func TestUserIDsAreSequentialPerTenant(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	var ids []any
	for i := range 3 {
		u := must(t, srv.URL, http.MethodPost, "/v0/users", map[string]any{"username": fmt.Sprintf("user-%d", i)})
		ids = append(ids, u["userId"])
	}
	assert.Equal(t, []any{1.0, 2.0, 3.0}, ids)
	must(t, srv.URL, http.MethodDelete, "/v0/users/3", nil)
	u := must(t, srv.URL, http.MethodPost, "/v0/users", map[string]any{"username": "after-delete"})
	assert.Equal(t, 4.0, u["userId"], "a deleted userId is not reused")

	list := must(t, srv.URL, http.MethodGet, "/v0/users", nil)
	assert.Equal(t, 3.0, list["totalCount"])
	require.Len(t, list["results"], 3)
	got := must(t, srv.URL, http.MethodGet, "/v0/users/2", nil)
	assert.Equal(t, "user-1", got["username"])
	assert.Equal(t, srv.RootTenant(), got["tenant"].(map[string]any)["tenantId"])

	page := must(t, srv.URL, http.MethodGet, "/v0/users?limit=2&page=2", nil)
	assert.Equal(t, 2.0, page["totalPages"])
	require.Len(t, page["results"], 1)
	for range 5 {
		sk.next(t) // 4 created + 1 deleted
	}
}

func TestTenantsList(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	must(t, srv.URL, http.MethodPost, "/v0/tenants", map[string]any{"name": "Second"})
	list := must(t, srv.URL, http.MethodGet, "/v0/tenants", nil)
	assert.Equal(t, 2.0, list["totalCount"], "the account's tenant and the new one")
	root := must(t, srv.URL, http.MethodGet, "/v0/tenants/"+srv.RootTenant(), nil)
	assert.Equal(t, srv.RootTenant(), root["tenantId"])
	assert.Contains(t, root, "testTenantId")
	sk.next(t)
}

// TestConcurrentWorkersDeliverEachWebhookOnce queues 200 webhooks for four
// workers and checks that each reaches the receiver exactly once.
func TestConcurrentWorkersDeliverEachWebhookOnce(t *testing.T) {
	const total = 200
	var mu sync.Mutex
	seen := map[string]int{}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env struct{ Record struct{ UserUUID string } }
		_ = json.NewDecoder(r.Body).Decode(&env)
		mu.Lock()
		seen[env.Record.UserUUID]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	srv := newServer(t, server.Config{Workers: 4, Emitter: mock.Config{Target: rcv.URL, Token: webhookToken}})
	var ids []string
	for i := range total {
		id, err := createUser(srv.URL, fmt.Sprintf("user-%d", i))
		require.NoError(t, err)
		ids = append(ids, id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	counts, err := srv.WaitIdle(ctx)
	require.NoError(t, err)
	assert.Equal(t, total, counts["delivered"])
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, seen, total)
	for _, id := range ids {
		assert.Equal(t, 1, seen[id], "user %s delivered once", id)
	}
}
