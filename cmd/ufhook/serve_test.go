package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/receiver"
)

func TestServeRejectsBadFlags(t *testing.T) {
	t.Setenv("UFHOOK_TOKEN", "")
	t.Setenv("UFHOOK_ADMIN_KEY", "")
	blocker := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	notDB := filepath.Join(t.TempDir(), "not.db")
	require.NoError(t, os.WriteFile(notDB, []byte(strings.Repeat("not a SQLite database\n", 100)), 0o600))
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"no token", []string{"--target", "http://127.0.0.1:9/"}, "--token is required"},
		{"no target", []string{"--token", hooktest.Token}, "--target"},
		{"bad mode", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--mode", "prod"}, "--mode"},
		{"route without URL", []string{"--route", "user.created", "--token", hooktest.Token}, "EVENT=URL"},
		{"route to unknown event", []string{"--route", "user.exploded=http://127.0.0.1:9/", "--token", hooktest.Token}, "unknown event"},
		{"live over plain HTTP", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--mode", "live"}, "HTTPS"},
		{"bad listen address", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--db", ":memory:", "--listen", "nope"}, "--listen"},
		{"negative retries", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--retries", "-1"}, "--retries"},
		{"unknown flag", []string{"--frobnicate"}, "unknown flag"},
		{"short token", []string{"--target", "http://127.0.0.1:9/", "--token", "short"}, "fewer than 8"},
		{"short admin key", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--db", ":memory:", "--admin-key", "abc"}, "--admin-key: the key has 3 characters"},
		{"database in a missing folder", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--db", "/nonexistent/dir/ufhook.db"}, "does not exist"},
		{"database file that is not SQLite", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--db", notDB}, "database " + notDB},
		{"database is a folder", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--db", t.TempDir()}, "is a folder"},
		{"listen without port", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--db", ":memory:", "--listen", "127.0.0.1"}, "host:port"},
		{"route for one event only", []string{"--route", "user.created=http://127.0.0.1:9/", "--token", hooktest.Token, "--db", ":memory:"}, "no URL for user.updated"},
		{"control character in token", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token + "\x07", "--db", ":memory:"}, "control character"},
		{"extra argument", []string{"now"}, "unknown command"},
		{"unwritable admin key file", []string{"--target", "http://127.0.0.1:9/", "--token", hooktest.Token, "--db", ":memory:", "--listen", "127.0.0.1:0", "--admin-key-file", blocker + "/key"}, "--admin-key-file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"serve"}, tc.args...)...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tc.msg)
		})
	}
}

// startServe runs ufhook serve in process until the test ends, and waits
// for its banner. It returns what serve writes to stdout and stderr.
func startServe(t *testing.T, args ...string) (out, errOut *hooktest.LockedBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut = &hooktest.LockedBuffer{}, &hooktest.LockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), out, errOut) }()
	stopped := false
	stop = func() int {
		cancel()
		if stopped {
			return exitOK
		}
		stopped = true
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			t.Fatal("ufhook serve did not stop within 20s of Ctrl-C")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "Press Ctrl-C") }, 20*time.Second, 10*time.Millisecond,
		"serve prints its banner: %s %s", out, errOut)
	return out, errOut, stop
}

// banner is what serve's banner tells a person.
type banner struct {
	base, login, keyFile string
}

var (
	loginLine   = regexp.MustCompile(`(?m)^dashboard:  (http://127\.0\.0\.1:\d+)(/ui/login\?code=[0-9a-f]{64})  `)
	keyFileLine = regexp.MustCompile(`(?m)^admin key:  uf_t…[0-9a-f]{3}  \(.*written to (.+), mode 0600\)$`)
)

// parseBanner reads the login link and, if any, the admin key file.
func parseBanner(t *testing.T, out string) banner {
	t.Helper()
	m := loginLine.FindStringSubmatch(out)
	require.NotNil(t, m, "the banner prints the dashboard's login link: %s", out)
	b := banner{base: m[1], login: m[2]}
	if k := keyFileLine.FindStringSubmatch(out); k != nil {
		b.keyFile = k[1]
		assert.Contains(t, out, "Authorization: Bearer $(cat "+shellQuote(b.keyFile)+")", "the banner says how to use the file")
	}
	return b
}

// apiStatus lists the users with key and returns the API's status.
func apiStatus(t *testing.T, base, key string) int {
	t.Helper()
	_, err := server.NewClient(base, key, nil).ListUsers(context.Background(), 0, 0)
	if err == nil {
		return http.StatusOK
	}
	var ae *server.APIError
	require.ErrorAs(t, err, &ae)
	return ae.StatusCode
}

// TestServeFiresWebhooks runs ufhook serve against a plain-HTTP test-mode
// receiver, creates a user with the admin key from the key file, and checks
// that the webhook arrives and that Ctrl-C stops the server cleanly.
func TestServeFiresWebhooks(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("UFHOOK_ADMIN_KEY", "")
	got := make(chan receiver.Delivery, 8)
	h, err := receiver.New(receiver.Options{Token: hooktest.Token, TestModeOnly: true}, receiver.Callbacks{OnDelivery: func(d receiver.Delivery) { got <- d }})
	require.NoError(t, err)
	rs := httptest.NewServer(h)
	defer rs.Close()

	out, _, stop := startServe(t, "--listen", "127.0.0.1:0", "--db", ":memory:", "--target", rs.URL+"/hook", "--token", hooktest.Token)
	b := parseBanner(t, out.String())
	require.NotEmpty(t, b.keyFile, "the banner names the key file: %s", out)
	raw, err := os.ReadFile(b.keyFile)
	require.NoError(t, err)
	key := string(raw)
	assert.NotContains(t, out.String(), key, "the admin key is never printed whole")
	assert.NotContains(t, out.String(), hooktest.Token, "the webhook token is masked")

	_, err = server.NewClient(b.base, key, nil).CreateUser(context.Background(), server.Fields{"email": "cli@example.com"})
	require.NoError(t, err, "the API accepts the key from the key file")

	select {
	case d := <-got:
		assert.Equal(t, "user.created", d.Event)
		assert.Equal(t, http.StatusNoContent, d.Status)
		assert.Contains(t, string(d.Body), "cli@example.com")
	case <-time.After(20 * time.Second):
		t.Fatal("no webhook reached the receiver")
	}
	assert.Equal(t, exitOK, stop(), "Ctrl-C stops serve with exit code 0")
}

// TestServeAdminKey checks every way serve gets its admin key: the output
// never holds the whole key nor the webhook token; a key file, when one is
// written, has mode 0600 and holds the key the API accepts; and the printed
// login link logs a browser in.
func TestServeAdminKey(t *testing.T) {
	const given = "uf_test_admin_demo1234_59f60f53fa7cc018d8f93deceb0cc8e3"
	cases := []struct {
		name string
		// setup returns the flags for a fresh directory and cache dir.
		setup func(t *testing.T, dir, cache string) []string
		env   string
		// wantFile is where the key file must be; "" means none.
		wantFile func(dir, cache string) string
		wantKey  string // "" means generated
		wantSays string
	}{
		{
			name:     "generated, next to the database",
			setup:    func(t *testing.T, dir, _ string) []string { return []string{"--db", filepath.Join(dir, "mock.db")} },
			wantFile: func(dir, _ string) string { return filepath.Join(dir, "mock.db.admin-key") },
			wantSays: "generated; written to",
		},
		{
			name:     "generated, in memory, under the cache dir",
			setup:    func(*testing.T, string, string) []string { return []string{"--db", ":memory:"} },
			wantFile: func(_, cache string) string { return filepath.Join(cache, "ufhook", "serve-admin-key") },
			wantSays: "generated; written to",
		},
		{
			name: "generated, to --admin-key-file in a new directory",
			setup: func(_ *testing.T, dir, _ string) []string {
				return []string{"--db", ":memory:", "--admin-key-file", filepath.Join(dir, "new dir", "key")}
			},
			wantFile: func(dir, _ string) string { return filepath.Join(dir, "new dir", "key") },
			wantSays: "generated; written to",
		},
		{
			name: "generated, replacing a readable stale file",
			setup: func(t *testing.T, dir, _ string) []string {
				p := filepath.Join(dir, "key")
				require.NoError(t, os.WriteFile(p, []byte("stale key, and longer than the new one......................"), 0o644))
				return []string{"--db", ":memory:", "--admin-key-file", p}
			},
			wantFile: func(dir, _ string) string { return filepath.Join(dir, "key") },
			wantSays: "generated; written to",
		},
		{
			name: "kept from an earlier start, and made private again",
			setup: func(t *testing.T, dir, _ string) []string {
				p := filepath.Join(dir, "mock.db.admin-key")
				require.NoError(t, os.WriteFile(p, []byte(given+"\n"), 0o644))
				return []string{"--db", filepath.Join(dir, "mock.db")}
			},
			wantFile: func(dir, _ string) string { return filepath.Join(dir, "mock.db.admin-key") },
			wantKey:  given,
			wantSays: "uf_t…8e3  (kept from an earlier start; written to",
		},
		{
			name: "given with --admin-key, no file",
			setup: func(_ *testing.T, dir, _ string) []string {
				return []string{"--db", filepath.Join(dir, "mock.db"), "--admin-key", given}
			},
			wantKey:  given,
			wantSays: "uf_t…8e3  (as given with --admin-key)",
		},
		{
			name:     "given with UFHOOK_ADMIN_KEY, no file",
			setup:    func(_ *testing.T, dir, _ string) []string { return []string{"--db", filepath.Join(dir, "mock.db")} },
			env:      given,
			wantKey:  given,
			wantSays: "uf_t…8e3  (from UFHOOK_ADMIN_KEY)",
		},
		{
			name: "given with --admin-key, written to --admin-key-file",
			setup: func(_ *testing.T, dir, _ string) []string {
				return []string{"--db", ":memory:", "--admin-key", given, "--admin-key-file", filepath.Join(dir, "key")}
			},
			wantFile: func(dir, _ string) string { return filepath.Join(dir, "key") },
			wantKey:  given,
			wantSays: "uf_t…8e3  (as given with --admin-key; written to",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, cache := t.TempDir(), t.TempDir()
			t.Setenv("XDG_CACHE_HOME", cache)
			t.Setenv("UFHOOK_ADMIN_KEY", tc.env)
			args := append([]string{"--listen", "127.0.0.1:0", "--target", "http://127.0.0.1:9/", "--token", hooktest.Token}, tc.setup(t, dir, cache)...)
			out, errOut, stop := startServe(t, args...)
			b := parseBanner(t, out.String())
			assert.Contains(t, out.String(), tc.wantSays)

			key := tc.wantKey
			if tc.wantFile == nil {
				assert.Empty(t, b.keyFile, "no key file for a given key: %s", out)
				assert.NoFileExists(t, filepath.Join(dir, "mock.db.admin-key"))
				assert.NoDirExists(t, filepath.Join(cache, "ufhook"))
				assert.Contains(t, out.String(), "Authorization: Bearer <admin key>")
			} else {
				want := tc.wantFile(dir, cache)
				require.Equal(t, want, b.keyFile, "the banner names the key file")
				fi, err := os.Stat(want)
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "only the owner can read the key file")
				raw, err := os.ReadFile(want)
				require.NoError(t, err)
				if key == "" {
					assert.Regexp(t, `^uf_test_admin_[0-9a-f]{32}$`, string(raw))
					key = string(raw)
				}
				assert.Equal(t, key, string(raw), "the file holds exactly the key")
				left, err := filepath.Glob(filepath.Join(filepath.Dir(want), ".*.tmp-*"))
				require.NoError(t, err)
				assert.Empty(t, left, "no temporary file is left behind")
			}

			for _, printed := range []string{out.String(), errOut.String(), b.login} {
				assert.NotContains(t, printed, key, "the admin key is never printed whole")
				assert.NotContains(t, printed, hooktest.Token, "the webhook token is never printed whole")
			}
			assert.Equal(t, http.StatusOK, apiStatus(t, b.base, key), "the API accepts the key")
			assert.Equal(t, http.StatusUnauthorized, apiStatus(t, b.base, key+"x"), "and no other")

			jar, err := cookiejar.New(nil)
			require.NoError(t, err)
			browser := &http.Client{Jar: jar}
			res, err := browser.Get(b.base + b.login)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, http.StatusOK, res.StatusCode, "the login link leads to the dashboard")
			assert.Equal(t, "/", res.Request.URL.Path, "after a redirect to /")
			res, err = browser.Get(b.base + "/ui/info")
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, http.StatusOK, res.StatusCode, "the login link's cookie opens the dashboard")

			assert.Equal(t, exitOK, stop())
		})
	}
}

// TestServeTokenFromEnvironment checks that serve takes the webhook API key
// from UFHOOK_TOKEN, as every other command does, and that a listener on
// every interface is reported at a loopback URL, with a warning.
func TestServeTokenFromEnvironment(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("UFHOOK_ADMIN_KEY", "")
	t.Setenv("UFHOOK_TOKEN", hooktest.Token)
	out, errOut, stop := startServe(t, "--target", "http://127.0.0.1:9/webhooks", "--db", ":memory:", "--listen", "0.0.0.0:0")
	assert.Contains(t, out.String(), "with webhook API key "+bearer.Mask(hooktest.Token))
	b := parseBanner(t, out.String()) // the dashboard link is on 127.0.0.1
	raw, err := os.ReadFile(b.keyFile)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, apiStatus(t, b.base, strings.TrimSpace(string(raw))), "the reported URL reaches the server")
	assert.Contains(t, errOut.String(), "warning: --listen 0.0.0.0:0 can be reached from other machines")
	assert.Equal(t, exitOK, stop())
	assert.NotContains(t, out.String()+errOut.String(), hooktest.Token)
}
