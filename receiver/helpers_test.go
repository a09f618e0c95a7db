package receiver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/openapi"
)

// examples returns each event's first example payload from the spec, keyed
// by event name, decoded as a generic map so that tests can mutate it.
func examples(t testing.TB) map[string]map[string]any {
	t.Helper()
	evs, err := openapi.Events()
	require.NoError(t, err)
	out := make(map[string]map[string]any, len(evs))
	for _, ev := range evs {
		require.NotEmpty(t, ev.Schema.Examples, "spec has no example for %s", ev.Name)
		raw, err := json.Marshal(ev.Schema.Examples[0])
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		out[ev.Name] = m
	}
	return out
}

// example returns one event's example payload as JSON, after mutate (if
// any) changed it. Each call gets a fresh copy.
func example(t testing.TB, event string, mutate func(m map[string]any)) []byte {
	t.Helper()
	m := examples(t)[event]
	require.NotNil(t, m, "no example for %s", event)
	if mutate != nil {
		mutate(m)
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// record returns the record map of a payload map.
func record(m map[string]any) map[string]any { return m["record"].(map[string]any) }

// factor returns the factor map of a messaging payload map.
func factor(m map[string]any) map[string]any { return m["factor"].(map[string]any) }

// messaging are the webhooks that Userfront sends instead of an email or a
// text message: they carry a factor, not a record.
var messaging = []string{"user.login.link.email", "user.login.code.email", "user.login.code.sms"}

// serveOnce sends body with the live token straight to h.
func serveOnce(h http.Handler, body []byte) (int, string) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Authorization", bearer.Header(liveToken))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}
