package mock

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// useChoices loads the test document whose webhooks use every scheme, for
// the test's duration.
func useChoices(t *testing.T) {
	t.Helper()
	require.NoError(t, openapi.UseFileWith("../openapi/testdata/choices/choices.yaml", openapi.LoadOptions{}))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
}

// seen is a request as the receiver got it.
type seen struct {
	method, query string
	header        http.Header
	body          []byte
}

// recorder is a receiver that records every request and answers 204.
func recorder(t *testing.T) (*httptest.Server, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{method: r.Method, query: r.URL.RawQuery, header: r.Header.Clone(), body: b})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seen { mu.Lock(); defer mu.Unlock(); return append([]seen(nil), got...) }
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// TestEmitterAuthenticatesPerScheme: each webhook of a document goes out
// with its own scheme's credentials, method, media type and header
// parameters.
func TestEmitterAuthenticatesPerScheme(t *testing.T) {
	useChoices(t)
	const key = "alice:s3cret-p4ss"
	cases := []struct {
		event string
		check func(t *testing.T, r seen)
	}{
		{"order.placed", func(t *testing.T, r seen) {
			assert.Equal(t, "Bearer "+key, r.header.Get("Authorization"))
			assert.Equal(t, "order.placed", r.header.Get("X-Shop-Topic"), "a const header goes out as is")
			assert.Regexp(t, uuidRE, r.header.Get("X-Shop-Delivery"), "a uuid header gets a uuid")
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
		}},
		{"order.shipped", func(t *testing.T, r seen) {
			assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(key)), r.header.Get("Authorization"))
			user, pass, ok := (&http.Request{Header: r.header}).BasicAuth()
			require.True(t, ok)
			assert.Equal(t, "alice", user)
			assert.Equal(t, "s3cret-p4ss", pass)
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
		}},
		{"order.refunded", func(t *testing.T, r seen) {
			assert.Equal(t, key, r.header.Get("X-Api-Key"))
			assert.Empty(t, r.header.Get("Authorization"))
		}},
		{"order.cancelled", func(t *testing.T, r seen) {
			assert.Equal(t, "api_key="+strings.ReplaceAll(key, ":", "%3A"), r.query)
			assert.Empty(t, r.header.Get("Authorization"))
		}},
		{"order.viewed", func(t *testing.T, r seen) {
			assert.Empty(t, r.header.Get("Authorization"))
			assert.Empty(t, r.query)
			assert.Empty(t, r.header.Get("X-Api-Key"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.event, func(t *testing.T) {
			srv, got := recorder(t)
			e := newEmitter(t, Config{Target: srv.URL, Token: key})
			ev, err := openapi.Lookup(tc.event)
			require.NoError(t, err)
			body, err := fake.Payload(ev, fake.Options{Seed: 7})
			require.NoError(t, err)
			r := e.Send(t.Context(), ev, body)
			require.NoError(t, r.Err)
			reqs := got()
			require.Len(t, reqs, 1)
			assert.Equal(t, ev.Method, reqs[0].method)
			assert.Equal(t, string(body), string(reqs[0].body))
			assert.NotContains(t, r.URL, key, "the report never shows the key")
			tc.check(t, reqs[0])
		})
	}
}

// TestEmitterUsesTheChosenMediaType: a webhook's chosen content type is its
// Content-Type.
func TestEmitterUsesTheChosenMediaType(t *testing.T) {
	require.NoError(t, openapi.UseFileWith("../openapi/testdata/choices/choices.yaml",
		openapi.LoadOptions{ContentTypes: map[string]string{"order.shipped": "application/cloudevents+json"}, Operations: map[string]string{"order.placed": "put"}}))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	srv, got := recorder(t)
	e := newEmitter(t, Config{Target: srv.URL, Token: "alice:s3cret-p4ss"})
	for _, name := range []string{"order.shipped", "order.placed"} {
		ev, err := openapi.Lookup(name)
		require.NoError(t, err)
		require.NoError(t, e.Send(t.Context(), ev, []byte(`{"trackingId":"abc"}`)).Err)
	}
	reqs := got()
	require.Len(t, reqs, 2)
	assert.Equal(t, "application/cloudevents+json", reqs[0].header.Get("Content-Type"))
	assert.Equal(t, http.MethodPut, reqs[1].method)
}

// TestEmitterTokenRules: the key is needed only by events that declare
// security, and basic needs user:password.
func TestEmitterTokenRules(t *testing.T) {
	useChoices(t)
	cases := []struct {
		name    string
		token   string
		events  []string
		wantErr error
		says    string
	}{
		{"none needs no key", "", []string{"order.viewed"}, nil, ""},
		{"bearer needs a key", "", []string{"order.viewed", "order.placed"}, ErrMissingToken, "order.placed carries Authorization: Bearer <webhook API key>"},
		{"query key needs a key", "", []string{"order.cancelled"}, ErrMissingToken, "?api_key=<webhook API key>"},
		{"every event needs a key", "", nil, ErrMissingToken, "order.refunded carries X-Api-Key: <webhook API key>"},
		{"basic needs user:password", "no-colon-here", []string{"order.shipped"}, ErrBadConfig, "order.shipped uses http basic, whose key is user:password"},
		{"basic with user:password", "alice:secret", []string{"order.shipped"}, nil, ""},
		{"a key without a colon for the others", "no-colon-here", []string{"order.placed", "order.refunded"}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := NewEmitter(Config{Target: "http://127.0.0.1:1/hook", Token: tc.token, Events: tc.events})
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), tc.says)
				return
			}
			require.NoError(t, err)
			e.Close()
		})
	}
}

// TestUserfrontTokenMessage: Userfront's document, all bearer, says what it
// said before other schemes existed.
func TestUserfrontTokenMessage(t *testing.T) {
	_, err := NewEmitter(Config{Target: "http://127.0.0.1:1/hook"})
	require.ErrorIs(t, err, ErrMissingToken)
	assert.Contains(t, err.Error(), "every webhook carries Authorization: Bearer <webhook API key>; give the key the receiver expects")
}

// TestQueryKeyNeverShows: the API key in the query is masked wherever the
// emitter shows the URL, and a redirect, which would carry it on, is not
// followed.
func TestQueryKeyNeverShows(t *testing.T) {
	useChoices(t)
	const key = "qkey-0123456789abcdef"
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A receiver that echoes the URL, key included, and redirects.
		http.Redirect(w, r, other.URL+"/next?"+r.URL.RawQuery, http.StatusFound)
	}))
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL + "/hook?tenant=t1", Token: key, Events: []string{"order.cancelled"}})
	ev, err := openapi.Lookup("order.cancelled")
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/hook?api_key="+bearer.Mask(key)+"&tenant=t1", e.URL(ev), "the configured query stays, the key is masked")
	r := e.Send(t.Context(), ev, []byte(`{}`))
	require.ErrorIs(t, r.Err, ErrRedirect)
	for _, text := range []string{r.URL, r.Err.Error(), r.Attempts[0].Location, r.Excerpt, e.URL(ev)} {
		assert.NotContains(t, text, key)
	}
	assert.Contains(t, r.Attempts[0].Location, bearer.Mask(key))
	assert.Zero(t, elsewhere.Load(), "the key never reaches the redirect's target")
}

// TestAPIKeyHeaderNotSentOnRedirect: a redirect is not followed, so the
// API key header never reaches the redirect's target.
func TestAPIKeyHeaderNotSentOnRedirect(t *testing.T) {
	useChoices(t)
	const key = "hkey-0123456789abcdef"
	got := make(chan string, 1)
	other := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got <- r.Header.Get("X-Api-Key") }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL, Token: key, Events: []string{"order.refunded"}})
	ev, err := openapi.Lookup("order.refunded")
	require.NoError(t, err)
	r := e.Send(t.Context(), ev, []byte(`{"trackingId":"abc"}`))
	require.ErrorIs(t, r.Err, ErrRedirect)
	select {
	case h := <-got:
		t.Fatalf("the redirect was followed, with X-Api-Key %q", h)
	default:
	}
}

// TestBasicEchoIsMasked: a receiver that echoes the Basic header shows
// neither the password nor its base64.
func TestBasicEchoIsMasked(t *testing.T) {
	useChoices(t)
	const key = "alice:s3cret-p4ssword"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, "bad: "+r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL, Token: key, Events: []string{"order.shipped"}})
	ev, err := openapi.Lookup("order.shipped")
	require.NoError(t, err)
	r := e.Send(t.Context(), ev, []byte(`{}`))
	require.ErrorIs(t, r.Err, ErrRejected)
	assert.NotContains(t, r.Excerpt, base64.StdEncoding.EncodeToString([]byte(key)))
	assert.Contains(t, r.Excerpt, "bad: Basic ")
}
