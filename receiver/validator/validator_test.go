package validator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver/internal/wire"
)

// token serves every scheme of choices.yaml: the bearer token, the API key,
// and user:password for basic.
const token = "shop:9f1e2d3c4b5a69788796a5b4c3d2e1f0"

// useChoices installs choices.yaml, which has every scheme, for the test.
func useChoices(t *testing.T) {
	t.Helper()
	require.NoError(t, openapi.UseFile(filepath.Join("..", "..", "openapi", "testdata", "choices", "choices.yaml")))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
}

// server serves a Handler with opts and records its deliveries.
type server struct {
	url string
	mu  sync.Mutex
	got []Delivery
}

func (s *server) last(t *testing.T) Delivery {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(t, s.got)
	return s.got[len(s.got)-1]
}

func serve(t *testing.T, opts Options) *server {
	t.Helper()
	s := &server{}
	opts.OnDelivery = func(d Delivery) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.got = append(s.got, d)
	}
	h, err := New(opts)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// req is one request of a table.
type req struct {
	method, path, ctype string
	header              map[string]string
	body                string
}

func (s *server) do(t *testing.T, q req) (*http.Response, wire.ErrorBody) {
	t.Helper()
	method := q.method
	if method == "" {
		method = http.MethodPost
	}
	r, err := http.NewRequest(method, s.url+q.path, strings.NewReader(q.body))
	require.NoError(t, err)
	ctype := q.ctype
	if ctype == "" {
		ctype = "application/json"
	}
	r.Header.Set("Content-Type", ctype)
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var eb wire.ErrorBody
	if resp.StatusCode >= 400 {
		require.NoError(t, json.Unmarshal(b, &eb), string(b))
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		assert.NotContains(t, string(b), token, "the token is never echoed")
	} else {
		assert.Empty(t, b)
	}
	return resp, eb
}

func bearerH(tok string) map[string]string {
	return map[string]string{"Authorization": bearer.Header(tok)}
}

func basicH(userpass string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(userpass))}
}

const placed = `{"id":"o1","total":3}`

func TestRouting(t *testing.T) {
	useChoices(t)
	s := serve(t, Options{Token: token})
	tests := []struct {
		name     string
		req      req
		status   int
		event    string
		route    Route
		warnings []string // pieces of the warnings, in order
	}{
		{"by path", req{path: "/hooks/order.viewed", body: `{}`}, 204, "order.viewed", ByPath, nil},
		{"by path, trailing slash", req{path: "/order.viewed/", body: `{}`}, 204, "order.viewed", ByPath, nil},
		{"by fixed header", req{path: "/", header: map[string]string{"X-Shop-Topic": "order.placed", "Authorization": bearer.Header(token)}, body: placed},
			204, "order.placed", ByHeader, nil},
		{"by schema, several fit: the first, and a warning", req{path: "/", header: bearerH(token), body: placed},
			204, "order.placed", BySchema, []string{"order.shipped, order.cancelled, order.viewed too"}},
		{"a conflicting fixed header rules its webhook out", req{path: "/", header: map[string]string{"X-Shop-Topic": "order.refunded", "Authorization": basicH(token)["Authorization"]}, body: placed},
			204, "order.shipped", BySchema, []string{"order.cancelled, order.viewed too"}},
		{"by schema, none fits: the closest", req{path: "/", header: bearerH(token), body: `[1]`},
			400, "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, eb := s.do(t, tc.req)
			require.Equal(t, tc.status, resp.StatusCode, eb.Error)
			d := s.last(t)
			assert.Equal(t, tc.event, d.Event)
			assert.Equal(t, tc.route, d.Route)
			require.Len(t, d.Warnings, len(tc.warnings), "%v", d.Warnings)
			for i, w := range tc.warnings {
				assert.Equal(t, "route", d.Warnings[i].Keyword)
				assert.Contains(t, d.Warnings[i].Message, w)
			}
			if tc.status == 400 {
				assert.ErrorIs(t, d.Err, ErrUnknownEvent)
				assert.ErrorIs(t, d.Err, openapi.ErrInvalidPayload)
				assert.Contains(t, eb.Error, "closest is order.placed")
				assert.NotEmpty(t, eb.Problems)
			}
		})
	}
}

// twoDoc has a webhook with a const and one without, both without auth.
const twoDoc = `
openapi: 3.1.0
info: {title: two, version: '1'}
webhooks:
  a.made:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [kind]
              properties: {kind: {type: string, const: a}, n: {type: integer}}
      responses: {'204': {description: ok}}
  b.made:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [b]
              properties: {b: {type: integer}}
      responses: {'204': {description: ok}}
`

func TestRoutingByConstsAndOneSchema(t *testing.T) {
	require.NoError(t, openapi.Use([]byte(twoDoc)))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	s := serve(t, Options{}) // no webhook declares credentials: no token needed
	tests := []struct {
		name   string
		body   string
		status int
		event  string
		route  Route
		warns  int
	}{
		{"by consts", `{"kind":"a","n":1}`, 204, "a.made", ByConsts, 0},
		{"by consts, invalid: tolerated", `{"kind":"a","n":"x"}`, 204, "a.made", ByConsts, 1},
		{"by schema, exactly one", `{"b":2}`, 204, "b.made", BySchema, 0},
		{"none fits", `{"b":"x"}`, 400, "", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, eb := s.do(t, req{path: "/", body: tc.body})
			require.Equal(t, tc.status, resp.StatusCode, eb.Error)
			d := s.last(t)
			assert.Equal(t, tc.event, d.Event)
			assert.Equal(t, tc.route, d.Route)
			assert.Len(t, d.Warnings, tc.warns)
			if tc.status == 400 {
				assert.Contains(t, eb.Error, "closest is b.made", "a.made misses a property of the whole body, b.made has a wrong value inside")
				require.Len(t, eb.Problems, 1)
				assert.Equal(t, "/b", eb.Problems[0].Path)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	useChoices(t)
	s := serve(t, Options{Token: token})
	shipped := `{"trackingId":"abc"}`
	tests := []struct {
		name, path string
		header     map[string]string
		body       string
		status     int
		challenge  string // prefix of WWW-Authenticate
	}{
		{"bearer good", "/order.placed", bearerH(token), placed, 204, ""},
		{"bearer wrong", "/order.placed", bearerH(token + "x"), placed, 401, `Bearer error="invalid_token"`},
		{"bearer missing", "/order.placed", nil, placed, 401, "Bearer"},
		{"bearer as basic", "/order.placed", basicH(token), placed, 401, `Bearer error="invalid_token"`},
		{"basic good", "/order.shipped", basicH(token), shipped, 204, ""},
		{"basic wrong password", "/order.shipped", basicH("shop:nope"), shipped, 401, "Basic"},
		{"basic as bearer", "/order.shipped", bearerH(token), shipped, 401, "Basic"},
		{"basic not base64", "/order.shipped", map[string]string{"Authorization": "Basic %%%"}, shipped, 401, "Basic"},
		{"apiKey header good", "/order.refunded", map[string]string{"X-Api-Key": token}, shipped, 204, ""},
		{"apiKey header wrong", "/order.refunded", map[string]string{"X-Api-Key": "nope"}, shipped, 401, `APIKey in="header", name="X-Api-Key"`},
		{"apiKey header in the query", "/order.refunded?X-Api-Key=" + token, nil, shipped, 401, "APIKey"},
		{"apiKey query good", "/order.cancelled?api_key=" + token, nil, `{}`, 204, ""},
		{"apiKey query wrong", "/order.cancelled?api_key=nope", nil, `{}`, 401, `APIKey in="query", name="api_key"`},
		{"apiKey query in a header", "/order.cancelled", map[string]string{"api_key": token}, `{}`, 401, "APIKey"},
		{"none: nothing", "/order.viewed", nil, `{}`, 204, ""},
		{"none: any credentials", "/order.viewed", bearerH("whatever"), `{}`, 204, ""},
		{"routed by schema, then its auth", "/", bearerH(token), `{"trackingId":"x"}`, 401, "Basic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, eb := s.do(t, req{path: tc.path, header: tc.header, body: tc.body})
			require.Equal(t, tc.status, resp.StatusCode, eb.Error)
			d := s.last(t)
			if tc.status == 401 {
				assert.ErrorIs(t, d.Err, ErrUnauthorized)
				assert.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), tc.challenge), resp.Header.Get("WWW-Authenticate"))
				assert.NotContains(t, d.Err.Error(), token)
			} else {
				assert.NoError(t, d.Err)
				assert.Empty(t, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestStrictAndTolerant(t *testing.T) {
	useChoices(t)
	tolerant := serve(t, Options{Token: token})
	strict := serve(t, Options{Token: token, Strict: true})
	bad := req{path: "/order.placed", header: bearerH(token), body: `{"id":1}`}
	text := req{path: "/order.placed", header: bearerH(token), body: placed, ctype: "text/plain"}
	cloud := req{path: "/order.placed", header: bearerH(token), body: placed, ctype: "application/cloudevents+json; charset=utf-8"}
	tests := []struct {
		name     string
		s        *server
		req      req
		status   int
		err      error
		warnings []string // keyword of each warning
	}{
		{"tolerant: invalid payload is warned", tolerant, bad, 204, nil, []string{"required", "type"}},
		{"strict: invalid payload is refused", strict, bad, 400, ErrInvalidPayload, nil},
		{"tolerant: text/plain is warned", tolerant, text, 204, nil, []string{"content-type"}},
		{"strict: text/plain is refused", strict, text, 415, ErrContentType, nil},
		{"a +json type is JSON", strict, cloud, 204, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, eb := tc.s.do(t, tc.req)
			require.Equal(t, tc.status, resp.StatusCode, eb.Error)
			d := tc.s.last(t)
			assert.ErrorIs(t, d.Err, tc.err)
			var kws []string
			for _, w := range d.Warnings {
				kws = append(kws, w.Keyword)
			}
			assert.Equal(t, tc.warnings, kws)
			if tc.status == 400 {
				assert.Equal(t, "order.placed", eb.Event)
				require.Len(t, eb.Problems, 2)
				assert.Equal(t, "/id", eb.Problems[1].Path)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	useChoices(t)
	s := serve(t, Options{Token: token, MaxBodyBytes: 64})
	big := `{"id":"` + strings.Repeat("x", 100) + `","total":1}`
	tests := []struct {
		name   string
		req    req
		status int
		err    error
		allow  string
	}{
		{"a method the webhook is not sent with", req{method: "PUT", path: "/order.placed", header: bearerH(token), body: placed}, 405, ErrMethod, "POST"},
		{"a method no webhook is sent with", req{method: "GET", path: "/"}, 405, ErrMethod, "POST"},
		{"over the limit", req{path: "/order.placed", header: bearerH(token), body: big}, 413, ErrTooLarge, ""},
		{"malformed JSON", req{path: "/order.placed", header: bearerH(token), body: `{"id":`}, 400, ErrMalformedJSON, ""},
		{"trailing data", req{path: "/order.placed", header: bearerH(token), body: `{} {}`}, 400, ErrMalformedJSON, ""},
		{"auth before the body", req{path: "/order.placed", header: bearerH("nope"), body: big}, 401, ErrUnauthorized, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, eb := s.do(t, tc.req)
			require.Equal(t, tc.status, resp.StatusCode, eb.Error)
			assert.NotEmpty(t, eb.Error)
			assert.ErrorIs(t, s.last(t).Err, tc.err)
			assert.Equal(t, tc.allow, resp.Header.Get("Allow"))
		})
	}
	t.Run("a chunked body over the limit", func(t *testing.T) {
		r, err := http.NewRequest(http.MethodPost, s.url+"/order.placed", io.MultiReader(strings.NewReader(big)))
		require.NoError(t, err)
		r.Header.Set("Authorization", bearer.Header(token))
		r.ContentLength = -1
		resp, err := http.DefaultClient.Do(r)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	})
}

func TestNew(t *testing.T) {
	useChoices(t)
	_, err := New(Options{})
	require.ErrorIs(t, err, ErrNoToken)
	assert.Contains(t, err.Error(), "order.shipped (Authorization: Basic")
	assert.NotContains(t, err.Error(), "order.viewed", "a webhook without security needs no token")
	assert.True(t, NeedsToken())

	require.NoError(t, openapi.Use([]byte(twoDoc)))
	assert.False(t, NeedsToken())
	_, err = New(Options{})
	assert.NoError(t, err)
}

// TestLogNeverHasToken checks the log of a refused and an accepted request.
func TestLogNeverHasToken(t *testing.T) {
	useChoices(t)
	var buf bytes.Buffer
	var mu sync.Mutex
	h, err := New(Options{Token: token, Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))})
	require.NoError(t, err)
	for _, tok := range []string{token, token[:len(token)-1]} {
		r := httptest.NewRequest(http.MethodPost, "/order.placed", strings.NewReader(placed))
		r.Header.Set("Authorization", bearer.Header(tok))
		r.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, buf.String(), "status=204")
	assert.Contains(t, buf.String(), "status=401")
	assert.NotContains(t, buf.String(), token[:len(token)-1])
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
