package contract

import (
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

// TestCorrectReceiversPass runs the suite against correct receivers set up
// in other ways than TestContract's: none may fail, and the skips must say
// why.
func TestCorrectReceiversPass(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	caFile := ca.File

	tests := []struct {
		name string
		cfg  func(t *testing.T) Config
		// skips maps each skipped case to a piece of its reason.
		skips map[string]string
	}{
		{
			name: "test mode over plain HTTP",
			cfg: func(t *testing.T) Config {
				srv := quietServer(reference(t, receiver.Options{TestModeOnly: true}, receiver.Callbacks{}))
				srv.Start()
				t.Cleanup(srv.Close)
				return Config{Target: srv.URL, Token: selfToken, Mode: gen.ModeTest, Strict: true}
			},
			skips: mergeSkips(liveOnlySkips(), map[string]string{
				"https/live-https":  "test mode",
				"https/certificate": "plain HTTP",
				"https/tls-version": "plain HTTP",
			}),
		},
		{
			name: "a minimal receiver: the exact bearer token, then 204 to any JSON object",
			cfg: func(t *testing.T) Config {
				srv := serveTLS(t, minimalReceiver(selfToken), ca)
				return Config{Target: srv.URL + "/webhook", Token: selfToken, RootCAs: ca.Pool(), Strict: true}
			},
			skips: map[string]string{},
		},
		{
			name: "CA from a file",
			cfg: func(t *testing.T) Config {
				srv := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{}), ca)
				return Config{Target: srv.URL + "/hook", Token: selfToken, CAFile: caFile}
			},
			skips: strictSkips(),
		},
		{
			name: "untrusted certificate with Insecure",
			cfg: func(t *testing.T) Config {
				other := hooktest.NewCA(t)
				srv := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{}), other)
				return Config{Target: srv.URL, Token: selfToken, RootCAs: ca.Pool(), Insecure: true, Strict: true}
			},
			skips: map[string]string{"https/certificate": "-insecure"},
		},
		{
			name: "one URL per event",
			cfg: func(t *testing.T) Config {
				return faulty{serving: perEventMux}.serve(t, ca)
			},
			skips: strictSkips(),
		},
		{
			name: "separate test and live tokens, test mode",
			cfg: func(t *testing.T) Config {
				h := reference(t, receiver.Options{TestToken: "uf_test_" + selfToken}, receiver.Callbacks{})
				srv := serveTLS(t, h, ca)
				return Config{Target: srv.URL, Token: "uf_test_" + selfToken, Mode: gen.ModeTest, RootCAs: ca.Pool()}
			},
			skips: mergeSkips(strictSkips(), liveOnlySkips(), map[string]string{"https/live-https": "test mode"}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Run(t.Context(), tc.cfg(t))
			require.NoError(t, err)
			for _, r := range rep.Results {
				if r.Outcome == Fail {
					t.Errorf("%s failed:\n%s", r.Case.ID, r.Explain())
				}
			}
			var skipped []string
			for _, r := range rep.Results {
				if r.Outcome != Skip {
					continue
				}
				skipped = append(skipped, r.Case.ID)
				assert.Contains(t, r.Reason, tc.skips[r.Case.ID], r.Case.ID)
			}
			want := slices.Sorted(func(yield func(string) bool) {
				for id := range tc.skips {
					if !yield(id) {
						return
					}
				}
			})
			slices.Sort(skipped)
			assert.Equal(t, want, skipped)
			assert.False(t, rep.Failed())
			assert.NotZero(t, rep.Seed)
			assert.Empty(t, rep.Diagnose(), "no failure, no diagnosis")
		})
	}
}

// minimalReceiver is a correct receiver written by hand, as in any language:
// POST only, the exact token in a Bearer header (scheme in any case), a JSON
// object, and 204 without looking further.
func minimalReceiver(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if tok, err := bearer.Parse(r.Header.Get("Authorization")); err != nil || !bearer.Equal(tok, token) {
			w.Header().Set("WWW-Authenticate", "Bearer")
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

// liveOnlySkips are the cases that a test-mode run skips besides
// https/live-https: the auth cases about the other mode's token.
func liveOnlySkips() map[string]string {
	return map[string]string{
		"auth/test-payload-wrong-token": "test mode",
		"auth/live-payload-test-token":  "test mode",
	}
}

func strictSkips() map[string]string {
	out := map[string]string{}
	for _, c := range Cases() {
		if c.Strict {
			out[c.ID] = "-strict"
		}
	}
	return out
}

func mergeSkips(a map[string]string, more ...map[string]string) map[string]string {
	for _, b := range more {
		maps.Copy(a, b)
	}
	return a
}

// TestSetupErrors checks that bad configurations stop the run with a
// sentinel error and a message saying what to do, before any case runs.
func TestSetupErrors(t *testing.T) {
	skipWithTarget(t)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	closed := closedPort(t)

	base := Config{Target: "https://127.0.0.1:1/webhook", Token: selfToken}
	tests := []struct {
		name    string
		mutate  func(c *Config)
		wantErr error
		wantMsg string
	}{
		{"no target", func(c *Config) { c.Target = "" }, mock.ErrBadTarget, "-target=https://"},
		{"not a URL", func(c *Config) { c.Target = "http://[::1" }, mock.ErrBadTarget, "is not a URL"},
		{"relative URL", func(c *Config) { c.Target = "/webhook" }, mock.ErrBadTarget, "not an http:// or https:// URL"},
		{"other scheme", func(c *Config) { c.Target = "ftp://example.com/x" }, mock.ErrBadTarget, "not an http:// or https:// URL"},
		{"no host", func(c *Config) { c.Target = "https:///webhook" }, mock.ErrBadTarget, "has no host"},
		{"credentials in the URL", func(c *Config) { c.Target = "https://u:p@example.com/" }, mock.ErrBadTarget, "Authorization header"},
		{"no token", func(c *Config) { c.Token = "" }, mock.ErrMissingToken, "give the key the receiver expects"},
		{"short token", func(c *Config) { c.Token = "abc1234" }, ErrShortToken, "7 characters, fewer than 8"},
		{"bad mode", func(c *Config) { c.Mode = "staging" }, fake.ErrUnknownMode, "use live or test"},
		{"route to an unknown event", func(c *Config) { c.Routes = map[string]string{"user.archived": "https://x/y"} }, mock.ErrBadRoute, "known events are"},
		{"route to a bad URL", func(c *Config) { c.Routes = map[string]string{"user.created": "nope"} }, mock.ErrBadRoute, "not an http:// or https:// URL"},
		{"missing CA file", func(c *Config) { c.CAFile = filepath.Join(dir, "missing.pem") }, mock.ErrBadCA, "no such file"},
		{"CA file without PEM", func(c *Config) { c.CAFile = notPEM }, mock.ErrBadCA, "holds no PEM certificate"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, mock.ErrBadConfig, "positive duration"},
		{"nothing listening", func(c *Config) { c.Target = "https://" + closed + "/webhook" }, ErrUnreachable, "start the receiver first"},
		{"nothing listening at a route", func(c *Config) {
			srv := quietServer(nil)
			srv.Start()
			t.Cleanup(srv.Close)
			c.Target, c.Mode = srv.URL, gen.ModeTest
			c.Routes = map[string]string{"tenant.deleted": "http://" + closed + "/t"}
		}, ErrUnreachable, closed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.mutate(&cfg)
			_, err := Run(t.Context(), cfg)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), tc.wantMsg)
			assert.NotContains(t, err.Error(), selfToken, "an error must not print the token")
		})
	}
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// TestCatalog checks the shape of the cases: stable, unique, hierarchical
// IDs, a sentence and a requirement each, and an events case for every
// event of the spec and every payload shape.
func TestCatalog(t *testing.T) {
	skipWithTarget(t)
	cases := Cases()
	seen := map[string]bool{}
	for _, c := range cases {
		assert.False(t, seen[c.ID], "duplicate ID %s", c.ID)
		seen[c.ID] = true
		group, _, ok := strings.Cut(c.ID, "/")
		assert.True(t, ok, "ID %s is not group/name", c.ID)
		assert.Contains(t, []string{"https", "auth", "events", "delivery", "strict"}, group, c.ID)
		assert.Equal(t, group == "strict", c.Strict, "%s: strict cases are exactly strict/...", c.ID)
		assert.NotEmpty(t, c.Sends, c.ID)
		assert.NotEmpty(t, c.Requirement, c.ID)
		assert.NotContains(t, c.Sends, selfToken)
		assert.NotNil(t, c.check, c.ID)
	}
	evs, err := openapi.Events()
	require.NoError(t, err)
	variants := []string{"full", "sparse", "nulls", "unknown-fields"}
	for _, ev := range evs {
		for _, v := range variants {
			assert.True(t, seen["events/"+ev.Name+"/"+v], "no case for %s %s", ev.Name, v)
		}
	}
	// A variety shape has a case for each event in which it finds
	// something to vary, and for no other.
	want := len(evs) * len(variants)
	variety := map[string]fake.Shape{"unicode": fake.Unicode, "crowded": fake.Crowded, "empty": fake.Empty, "large": fake.Large, "deep": fake.Deep}
	for _, ev := range evs {
		for v, sh := range variety {
			varies, err := fake.Varies(ev, sh)
			require.NoError(t, err)
			assert.Equal(t, varies, seen["events/"+ev.Name+"/"+v], "%s %s: a case exactly where the shape varies something", ev.Name, v)
			if varies {
				want++
			}
		}
	}
	assert.True(t, seen["events/user.created/unicode"] && seen["events/user.created/crowded"] && seen["events/tenant.updated/empty"] &&
		seen["events/user.deleted/large"] && seen["events/tenant.created/deep"] && seen["events/user.login.code.sms/unicode"])
	var events int
	for _, c := range cases {
		if strings.HasPrefix(c.ID, "events/") {
			events++
		}
	}
	assert.Equal(t, want, events, "the events cases are exactly one per event and variant")
	// The other cases are counted by TestREADMECaseTable, against the
	// README's table.
}

// TestPayloadsValidate checks that every payload the suite sends as valid
// validates against the spec, in both modes: a case tests one thing.
func TestPayloadsValidate(t *testing.T) {
	skipWithTarget(t)
	for _, mode := range []gen.Mode{gen.ModeLive, gen.ModeTest} {
		for _, c := range Cases() {
			if c.payload == nil || strings.HasPrefix(c.ID, "delivery/unknown-") {
				continue
			}
			body, err := payloadFor(7, mode, c.ID, c.Event, *c.payload)
			require.NoError(t, err, c.ID)
			assert.NoError(t, openapi.Validate(c.Event, body), "%s in %s mode", c.ID, mode)
			if c.hasShape(fake.Nulls) {
				// The messaging webhooks allow no null anywhere: their nulls
				// payload is their full one.
				assert.Equal(t, allowsNull(c.Event.Schema, nil), recordHasNull(body), "%s: a null where the spec allows one, and only there", c.ID)
			}
		}
	}
	assert.True(t, allowsNull(openapi.MustLookup("user.created").Schema, nil))
	assert.False(t, allowsNull(openapi.MustLookup("user.login.code.sms").Schema, nil))
}

// allowsNull reports whether s, or a schema inside it, allows null.
func allowsNull(s *openapi3.Schema, seen []*openapi3.Schema) bool {
	if s == nil || slices.Contains(seen, s) {
		return false
	}
	seen = append(seen, s)
	if s.Nullable || (s.Type != nil && s.Type.Includes("null")) {
		return true
	}
	var refs []*openapi3.SchemaRef
	for _, p := range s.Properties {
		refs = append(refs, p)
	}
	refs = append(append(append(refs, s.AnyOf...), s.OneOf...), s.AllOf...)
	refs = append(refs, s.Items, s.AdditionalProperties.Schema)
	for _, r := range refs {
		if r != nil && allowsNull(r.Value, seen) {
			return true
		}
	}
	return false
}

func TestNearMissTokens(t *testing.T) {
	skipWithTarget(t)
	tests := []struct{ tok string }{{selfToken}, {"12345678"}, {"ABCDEFGH"}, {"tok-with_symbols.x"}, {"jeton-été-ünicode"}}
	for _, tc := range tests {
		t.Run(tc.tok, func(t *testing.T) {
			r := rotate(tc.tok)
			assert.Len(t, []rune(r), len([]rune(tc.tok)))
			for i, c := range []rune(r) {
				assert.NotEqual(t, []rune(tc.tok)[i], c, "rotate must change every character")
			}
			head, last := lastRune(tc.tok)
			assert.Equal(t, tc.tok, head+last)
			assert.NotEqual(t, last, rotate(last))
			s := []rune(standIn(tc.tok))
			require.Len(t, s, len([]rune(tc.tok)))
			for i, c := range s {
				assert.NotEqual(t, []rune(tc.tok)[i], c, "the stand-in for the test token must differ from the live one everywhere")
			}
			assert.NotEqual(t, rotate(tc.tok), standIn(tc.tok), "the stand-in must not repeat auth/wrong-token")
		})
	}
	assert.Equal(t, "ABCdef123", swapCase("abcDEF123"))
}

func TestReport(t *testing.T) {
	skipWithTarget(t)
	c := Case{ID: "auth/wrong-token", Sends: "a wrong token", Requirement: "reject it"}
	rep := Report{Results: []Result{
		{Case: c, Outcome: Pass, Got: "401 Unauthorized"},
		{Case: c, Outcome: Fail, Want: "401 or 403", Got: "200 OK, body: ok", Reason: "compare the whole token"},
		{Case: c, Outcome: Skip, Reason: "test mode"},
		{Case: c, Outcome: Fail, Want: "a 2xx", Got: "no response: EOF"},
	}}
	assert.Equal(t, "1 passed, 2 failed, 1 skipped", rep.Summary())
	assert.True(t, rep.Failed())
	assert.False(t, Report{Results: rep.Results[:1]}.Failed())
	assert.Equal(t, "requirement: reject it\nsends:       a wrong token\nwant:        401 or 403\ngot:         200 OK, body: ok\nadvice:      compare the whole token", rep.Results[1].Explain())
	assert.Equal(t, "skipped: test mode", rep.Results[2].Explain())
	for o, s := range map[Outcome]string{Pass: "pass", Fail: "fail", Skip: "skip"} {
		b, err := o.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, s, string(b))
	}
	assert.Equal(t, "Outcome(9)", Outcome(9).String())
}

func TestSnippet(t *testing.T) {
	skipWithTarget(t)
	long := strings.Repeat("é", bodyShown+10)
	tests := []struct{ in, want string }{
		{"", ""},
		{"  {\"a\":\n 1}  ", `{"a": 1}`},
		{"bad \xff byte", "bad � byte"},
		{long, strings.Repeat("é", bodyShown) + "…"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, snippet([]byte(tc.in)))
	}
}
