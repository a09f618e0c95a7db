package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock"
)

// fired is the record that a delivered webhook carried.
func firedRecord(t *testing.T, sk *sink, event string) map[string]any {
	t.Helper()
	d := sk.next(t)
	require.NoError(t, d.Err)
	require.Equal(t, event, d.Event)
	var env struct{ Record map[string]any }
	require.NoError(t, json.Unmarshal(d.Body, &env))
	return env.Record
}

// fireEvent presses a fire button and returns the status and answer.
func fireEvent(t *testing.T, srv *mockServer, event string) (int, map[string]any) {
	t.Helper()
	return call(t, srv.URL, adminKey, http.MethodPost, "/ui/fire", map[string]any{"event": event})
}

// TestFireActsOnTheDatabase presses the fire buttons in turn and checks
// that each does what its /v0 call does, so that the tables, the outbox and
// what the receiver got agree; with nothing to act on, a button says so and
// sends nothing.
func TestFireActsOnTheDatabase(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	users := func() float64 { return must(t, srv.URL, http.MethodGet, "/v0/users", nil)["totalCount"].(float64) }
	tenants := func() float64 { return must(t, srv.URL, http.MethodGet, "/v0/tenants", nil)["totalCount"].(float64) }

	for _, tc := range []struct{ event, message string }{
		{"user.updated", "no user to update"},
		{"user.deleted", "no user to delete"},
		{"tenant.deleted", "no tenant to delete"},
		{"user.login.link.email", "No user to send user.login.link.email to"},
		{"user.login.code.sms", "phoneNumber"},
	} {
		status, body := fireEvent(t, srv, tc.event)
		assert.Equal(t, http.StatusConflict, status, "%s with nothing to act on: %v", tc.event, body)
		assert.Contains(t, body["message"], tc.message)
	}
	sk.none(t, 100*time.Millisecond)

	status, _ := fireEvent(t, srv, "user.created")
	require.Equal(t, http.StatusOK, status)
	created := firedRecord(t, sk, "user.created")
	assert.Equal(t, 1.0, users(), "user.created adds the user to the Users table")
	id := strconv.Itoa(int(created["userId"].(float64)))
	stored := must(t, srv.URL, http.MethodGet, "/v0/users/"+id, nil)
	for _, k := range []string{"userUuid", "email", "username", "name", "phoneNumber", "createdAt"} {
		assert.Equal(t, stored[k], created[k], "%s: the webhook carries the stored user", k)
	}

	status, _ = fireEvent(t, srv, "user.updated")
	require.Equal(t, http.StatusOK, status)
	updated := firedRecord(t, sk, "user.updated")
	stored = must(t, srv.URL, http.MethodGet, "/v0/users/"+id, nil)
	assert.Equal(t, created["userId"], updated["userId"], "user.updated updates the existing user")
	for _, k := range []string{"email", "username", "name", "phoneNumber", "locked", "image"} {
		assert.Equal(t, stored[k], updated[k], "%s: the webhook carries the user as updated", k)
	}

	status, body := fireEvent(t, srv, "tenant.created")
	require.Equal(t, http.StatusOK, status, "%v", body)
	tenant := firedRecord(t, sk, "tenant.created")
	assert.Equal(t, 2.0, tenants(), "tenant.created adds a tenant")
	tid := tenant["tenantId"].(string)
	assert.Equal(t, tenant["name"], must(t, srv.URL, http.MethodGet, "/v0/tenants/"+tid, nil)["name"])

	status, _ = fireEvent(t, srv, "tenant.updated")
	require.Equal(t, http.StatusOK, status)
	tu := firedRecord(t, sk, "tenant.updated")
	assert.Contains(t, []any{tid, srv.RootTenant()}, tu["tenantId"], "tenant.updated updates an existing tenant")

	status, _ = fireEvent(t, srv, "tenant.deleted")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, tid, firedRecord(t, sk, "tenant.deleted")["tenantId"], "tenant.deleted deletes the tenant created, never the account's")
	assert.Equal(t, 1.0, tenants())
	status, _ = fireEvent(t, srv, "tenant.deleted")
	assert.Equal(t, http.StatusConflict, status, "the account's tenant is never deleted")

	must(t, srv.URL, http.MethodPut, "/v0/users/"+id, map[string]any{"email": "fired@example.com"})
	firedRecord(t, sk, "user.updated")
	status, _ = fireEvent(t, srv, "user.login.link.email")
	require.Equal(t, http.StatusOK, status)
	d := sk.next(t)
	require.Equal(t, "user.login.link.email", d.Event)
	var link struct{ Factor struct{ Email, UUID string } }
	require.NoError(t, json.Unmarshal(d.Body, &link))
	assert.Equal(t, "fired@example.com", link.Factor.Email, "a login link goes to a user of the table")
	assert.Equal(t, created["userUuid"], link.Factor.UUID)

	status, _ = fireEvent(t, srv, "user.deleted")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, created["userId"], firedRecord(t, sk, "user.deleted")["userId"])
	assert.Zero(t, users(), "user.deleted removes the user from the Users table")

	// The sink has every webhook; the outbox records the last delivery just
	// after the sink answers, so wait (bounded) for it to say so.
	var c map[string]int
	assert.Eventually(t, func() bool {
		var err error
		c, err = srv.Counts(t.Context())
		return err == nil && c["pending"]+c["failed"] == 0
	}, 10*time.Second, 20*time.Millisecond, "every fired webhook is delivered")
	assert.Equal(t, 0, c["pending"]+c["failed"], "none pending or failed: %v", c)
}

// TestDeliveriesReportNumbers checks the smaller promises of the delivery
// views: latencyMs is a number, as in emit --json, and the request shows
// every header the emitter sends.
func TestDeliveriesReportNumbers(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	_, fired := fireEvent(t, srv, "tenant.updated")
	sk.next(t)
	detail := waitState(t, srv, jsonID(fired["id"]), "delivered")
	assert.IsType(t, 0.0, detail["latencyMs"], "latencyMs of a delivery is a number: %v", detail["latencyMs"])
	assert.IsType(t, 0.0, detail["attempts"].([]any)[0].(map[string]any)["latencyMs"], "latencyMs of an attempt is a number")
	list := must(t, srv.URL, http.MethodGet, "/ui/deliveries", nil)
	assert.IsType(t, 0.0, list["deliveries"].([]any)[0].(map[string]any)["latencyMs"], "latencyMs in /ui/deliveries is a number")
	headers := detail["request"].(map[string]any)["headers"].(map[string]any)
	assert.Equal(t, "ufhook/"+mock.Version, headers["User-Agent"])
	assert.Equal(t, "application/json", headers["Content-Type"])
}

// TestFavicon checks that the browser's request for /favicon.ico finds an
// icon.
func TestFavicon(t *testing.T) {
	srv := newServer(t, serverConfig(newSink(t)))
	status, body, h := get(t, http.DefaultClient, srv.URL+"/favicon.ico")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, h.Get("Content-Type"), "image/svg+xml")
	assert.Contains(t, body, "<svg")
}

// TestDatabaseIsPrivate checks that a new database file, and the files
// SQLite keeps beside it, are readable by their owner only.
func TestDatabaseIsPrivate(t *testing.T) {
	sk := newSink(t)
	cfg := serverConfig(sk)
	cfg.DB = filepath.Join(t.TempDir(), "ufhook.db")
	srv := newServer(t, cfg)
	must(t, srv.URL, http.MethodPost, "/v0/users", map[string]any{"email": "private@example.com"})
	sk.next(t)
	for _, p := range []string{cfg.DB, cfg.DB + "-wal", cfg.DB + "-shm"} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "%s is private", filepath.Base(p))
	}
}
