package contract

// The auth cases of the schemes other than bearer, proved on choices.yaml,
// whose webhooks use every scheme ufhook sends: a correct receiver passes
// them, and each faulty one fails exactly its cases.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/openapi"
)

// schemesToken fits every scheme: user:password for basic, and long enough
// for bearer and the API keys.
const schemesToken = "alice:s3cret-passw0rd"

// useChoicesDoc loads choices.yaml with opts for the test's duration.
func useChoicesDoc(t *testing.T, opts openapi.LoadOptions) {
	t.Helper()
	require.NoError(t, openapi.UseFileWith("../openapi/testdata/choices/choices.yaml", opts))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
}

// schemeFlaw is a defect of schemeReceiver; the zero value is none.
type schemeFlaw struct {
	anyPassword     bool // basic: the user is checked, the password not
	ignoreHeaderKey bool // apiKey in a header: not checked at all
	keyInHeaderToo  bool // apiKey in the query: also taken from a header of that name
	queryOptional   bool // apiKey in the query: a request without it is let in
}

// schemeReceiver is a receiver written by hand for a document's webhooks:
// it finds the webhook by the last part of the URL's path (each webhook is
// routed to its own URL), checks the credentials its security scheme
// declares, and answers 204 to a JSON body, 401 to bad credentials, 400 to
// anything else.
func schemeReceiver(t *testing.T, token string, flaw schemeFlaw) http.Handler {
	t.Helper()
	user, pass, _ := strings.Cut(token, ":")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := openapi.Lookup(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
		if err != nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		ok := true
		switch a := ev.Auth; {
		case a.Scheme == openapi.AuthBearer:
			tok, err := bearer.Parse(r.Header.Get("Authorization"))
			ok = err == nil && bearer.Equal(tok, token)
		case a.Scheme == openapi.AuthBasic:
			u, p, has := r.BasicAuth()
			ok = has && bearer.Equal(u, user) && (flaw.anyPassword || bearer.Equal(p, pass))
		case a.Scheme == openapi.AuthAPIKey && a.In == "header":
			ok = flaw.ignoreHeaderKey || bearer.Equal(r.Header.Get(a.Name), token)
		case a.Scheme == openapi.AuthAPIKey && a.In == "query":
			got := r.URL.Query().Get(a.Name)
			ok = bearer.Equal(got, token) ||
				flaw.keyInHeaderToo && bearer.Equal(r.Header.Get(a.Name), token) ||
				flaw.queryOptional && !r.URL.Query().Has(a.Name)
		}
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body map[string]any
		if json.NewDecoder(r.Body).Decode(&body) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// runSchemes runs the suite, in test mode over plain HTTP, against h with
// every webhook of the document in use routed to a URL of its own.
func runSchemes(t *testing.T, h http.Handler, token string) Report {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	routes := map[string]string{}
	for _, name := range openapi.Names() {
		routes[name] = srv.URL + "/hooks/" + name
	}
	rep, err := Run(t.Context(), Config{Target: srv.URL + "/hooks/none", Routes: routes, Token: token, Seed: faultySeed})
	require.NoError(t, err)
	return rep
}

// outcomes returns the IDs of the results with outcome o.
func outcomes(rep Report, o Outcome) []string {
	var ids []string
	for _, r := range rep.Results {
		if r.Outcome == o {
			ids = append(ids, r.Case.ID)
		}
	}
	return ids
}

// TestAuthCasesFollowTheSchemes: each kind of scheme of choices.yaml gets
// its cases, once, on the first webhook that uses it, with the document's
// semantics quoted.
func TestAuthCasesFollowTheSchemes(t *testing.T) {
	skipWithTarget(t)
	useChoicesDoc(t, openapi.LoadOptions{})
	on := map[string]string{}
	for _, c := range Cases() {
		if strings.HasPrefix(c.ID, "auth/") {
			on[c.ID] = c.Event.Name
			assert.NotEmpty(t, c.Sends, c.ID)
			assert.NotEmpty(t, c.Requirement, c.ID)
		}
	}
	want := map[string]string{
		"auth/missing-token": "order.placed", "auth/wrong-token": "order.placed", "auth/basic-scheme": "order.placed",
		"auth/basic-missing": "order.shipped", "auth/basic-wrong-password": "order.shipped", "auth/basic-other-user": "order.shipped",
		"auth/basic-as-bearer": "order.shipped", "auth/basic-malformed": "order.shipped",
		"auth/api-key-missing": "order.refunded", "auth/api-key-wrong": "order.refunded", "auth/api-key-as-bearer": "order.refunded",
		"auth/api-key-query-missing": "order.cancelled", "auth/api-key-query-wrong": "order.cancelled", "auth/api-key-query-in-header": "order.cancelled",
	}
	for id, ev := range want {
		assert.Equal(t, ev, on[id], id)
	}
	for id, ev := range on {
		assert.NotEqual(t, "order.viewed", ev, "%s runs on the webhook without security", id)
	}
	byID := map[string]Case{}
	for _, c := range Cases() {
		byID[c.ID] = c
	}
	assert.Contains(t, byID["auth/basic-wrong-password"].Requirement, "security scheme basicAuth that the document declares for order.shipped (type http, scheme basic)")
	assert.Contains(t, byID["auth/api-key-wrong"].Requirement, "(type apiKey, in header, name X-Api-Key)")
	assert.Contains(t, byID["auth/api-key-query-in-header"].Requirement, "query parameter api_key")
	assert.Equal(t, []string{"no auth cases for order.viewed: the document declares no security for it"}, Notes())
}

// TestSchemeReceivers: the correct receiver passes every case of
// choices.yaml, and each faulty one fails exactly the cases of its defect.
func TestSchemeReceivers(t *testing.T) {
	skipWithTarget(t)
	useChoicesDoc(t, openapi.LoadOptions{})
	tests := []struct {
		name  string
		flaw  schemeFlaw
		fails []string
	}{
		{"correct", schemeFlaw{}, nil},
		{"accepts any basic password", schemeFlaw{anyPassword: true}, []string{"auth/basic-wrong-password"}},
		{"ignores the apiKey header", schemeFlaw{ignoreHeaderKey: true},
			[]string{"auth/api-key-missing", "auth/api-key-wrong", "auth/api-key-as-bearer"}},
		{"takes the query key from a header too", schemeFlaw{keyInHeaderToo: true}, []string{"auth/api-key-query-in-header"}},
		// Without the parameter it lets anything in, the key in a header
		// too.
		{"accepts no credentials on the query webhook", schemeFlaw{queryOptional: true},
			[]string{"auth/api-key-query-missing", "auth/api-key-query-in-header"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := runSchemes(t, schemeReceiver(t, schemesToken, tc.flaw), schemesToken)
			got := outcomes(rep, Fail)
			slices.Sort(got)
			want := slices.Clone(tc.fails)
			slices.Sort(want)
			assert.Equal(t, want, got)
			passed := outcomes(rep, Pass)
			assert.Contains(t, passed, idReusedConnection)
			for _, r := range rep.Results {
				if r.Outcome == Fail {
					assert.NotContains(t, r.Explain(), schemesToken)
					assert.Contains(t, r.Explain(), "401 or 403")
				}
			}
		})
	}
}

// TestSchemeTokenRules: the token is needed when a webhook declares
// security, and must be user:password for basic.
func TestSchemeTokenRules(t *testing.T) {
	skipWithTarget(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	tests := []struct {
		name    string
		opts    openapi.LoadOptions
		token   string
		wantErr error
	}{
		{"no token with security", openapi.LoadOptions{}, "", mock.ErrMissingToken},
		{"basic without user:password", openapi.LoadOptions{}, "no-colon-long-key", mock.ErrBadConfig},
		{"basic with an empty password", openapi.LoadOptions{}, "alice-long-user:", mock.ErrBadConfig},
		{"short API key", openapi.LoadOptions{Auth: openapi.Auth{Scheme: openapi.AuthAPIKey, In: "header", Name: "X-Key"}}, "short", ErrShortToken},
		{"a short user:password for basic alone", openapi.LoadOptions{Auth: openapi.Auth{Scheme: openapi.AuthBasic}}, "a:b", nil},
		{"no token without security", openapi.LoadOptions{Auth: openapi.Auth{Scheme: openapi.AuthNone}}, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			useChoicesDoc(t, tc.opts)
			s, err := New(t.Context(), Config{Target: srv.URL, Token: tc.token})
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			s.Close()
		})
	}
}

// TestNoSecurity: a document whose webhooks declare no security has no
// auth cases, needs no token, and its summary says so, in a run of
// go test ./contract -spec=FILE as in the package.
func TestNoSecurity(t *testing.T) {
	skipWithTarget(t)
	doc, err := filepath.Abs(filepath.Join("testdata", "nosecurity.yaml"))
	require.NoError(t, err)
	require.NoError(t, openapi.UseFile(doc))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	for _, c := range Cases() {
		assert.False(t, strings.HasPrefix(c.ID, "auth/"), c.ID)
		assert.NotContains(t, []string{"strict/lowercase-bearer", "strict/www-authenticate"}, c.ID)
	}
	assert.Equal(t, []string{NoAuthNote}, Notes())
	rep := runSchemes(t, schemeReceiver(t, "", schemeFlaw{}), "")
	assert.Empty(t, outcomes(rep, Fail))
	assert.NotEmpty(t, outcomes(rep, Pass))

	srv := httptest.NewServer(schemeReceiver(t, "", schemeFlaw{}))
	defer srv.Close()
	out := runTestBinary(t, []string{"UFHOOK_SPEC=", "UFHOOK_TOKEN="},
		[]string{"-spec=" + doc, "-target=" + srv.URL + "/hooks/ping"}, 0,
		[]string{NoAuthNote + "\n"}, []string{"auth/", "FAIL"})
	assert.Regexp(t, `(?m)^`+NoAuthNote+`\n\d+ passed, 0 failed, \d+ skipped$`, out)
}

// TestSuiteSendsTheOperation: the suite sends each webhook as the emitter
// does: its header parameters (a fixed topic, a drawn delivery ID) and its
// credentials, so that a receiver may route by them.
func TestSuiteSendsTheOperation(t *testing.T) {
	skipWithTarget(t)
	useChoicesDoc(t, openapi.LoadOptions{})
	type seen struct{ topic, delivery, key string }
	var mu sync.Mutex
	var got []seen
	h := schemeReceiver(t, schemesToken, schemeFlaw{})
	rep := runSchemes(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/order.placed") && r.Method == http.MethodPost {
			mu.Lock()
			got = append(got, seen{r.Header.Get("X-Shop-Topic"), r.Header.Get("X-Shop-Delivery"), r.Header.Get("Authorization")})
			mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}), schemesToken)
	require.Empty(t, outcomes(rep, Fail))
	require.NotEmpty(t, got)
	ids := map[string]bool{}
	unknown := 0
	for _, s := range got {
		if s.topic == "ufhook.unknown-event" { // delivery/unknown-event
			unknown++
			continue
		}
		assert.Equal(t, "order.placed", s.topic)
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, s.delivery)
		ids[s.delivery] = true
	}
	assert.Greater(t, len(ids), 1, "each delivery draws its own ID")
	assert.Equal(t, 1, unknown, "delivery/unknown-event changes the fixed header, once")
}

// TestUnknownEventCase: a receiver that crashes on an event type it does
// not know (here the fixed X-Shop-Topic header of choices.yaml's first
// webhook) fails delivery/unknown-event, and that case only.
func TestUnknownEventCase(t *testing.T) {
	skipWithTarget(t)
	useChoicesDoc(t, openapi.LoadOptions{})
	h := schemeReceiver(t, schemesToken, schemeFlaw{})
	rep := runSchemes(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Shop-Topic") == "ufhook.unknown-event" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	}), schemesToken)
	assert.Equal(t, []string{"delivery/unknown-event"}, outcomes(rep, Fail))
}
