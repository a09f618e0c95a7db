package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/contract"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/receiver"
)

// checkServer serves the reference receiver over HTTPS, with wrap around it
// if given, and returns its URL and the path of its CA certificate.
func checkServer(t *testing.T, wrap func(http.Handler) http.Handler) (string, string) {
	t.Helper()
	h, err := receiver.New(receiver.Options{Token: hooktest.Token}, receiver.Callbacks{})
	require.NoError(t, err)
	var handler http.Handler = h
	if wrap != nil {
		handler = wrap(h)
	}
	srv := hooktest.NewTLSServer(t, handler)
	return srv.URL + "/webhook", srv.CA.File
}

// anyBearerFails are the cases that a receiver with the defect anyBearer
// fails: those that send a wrong token in a Bearer header. contract's
// self-test asserts the same set.
var anyBearerFails = []string{"auth/wrong-token", "auth/last-char-changed", "auth/extra-chars", "auth/token-prefix", "auth/case-changed",
	"auth/test-payload-wrong-token", "auth/live-payload-test-token"}

// strictCases counts the strict cases, which are skipped without --strict.
func strictCases() int {
	n := 0
	for _, c := range contract.Cases() {
		if c.Strict {
			n++
		}
	}
	return n
}

// anyBearer is a receiver defect: it accepts any Bearer token.
func anyBearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := bearer.Parse(r.Header.Get("Authorization")); err == nil {
			r.Header.Set("Authorization", bearer.Header(hooktest.Token))
		}
		next.ServeHTTP(w, r)
	})
}

func TestCheckPasses(t *testing.T) {
	url, caFile := checkServer(t, nil)
	junit := filepath.Join(t.TempDir(), "report.xml")
	code, out, stderr := runCLI(t, "check", "--target", url, "--token", hooktest.Token, "--ca", caFile, "--seed", "7", "--junit", junit)
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	n := len(contract.Cases())
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, n+2, "a header, one line per case, the summary")
	assert.Equal(t, "target "+url+", key uf_t…c2f, mode live, seed 7", lines[0])
	assert.Regexp(t, `^PASS  https/live-https +every URL uses https$`, lines[1])
	assert.Equal(t, contract.Summary(n-strictCases(), 0, strictCases()), lines[n+1])
	for _, c := range contract.Cases() {
		if c.Strict {
			assert.Contains(t, out, "SKIP  "+c.ID)
		} else {
			assert.Contains(t, out, "PASS  "+c.ID)
		}
	}
	assert.NotContains(t, out+stderr, hooktest.Token)

	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Cases    []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite>testcase"`
	}
	raw, err := os.ReadFile(junit)
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(raw, &doc))
	assert.Equal(t, n, doc.Tests)
	assert.Zero(t, doc.Failures)
	require.Len(t, doc.Cases, n)
	assert.Equal(t, "https/live-https", doc.Cases[0].Name)
}

func TestCheckFails(t *testing.T) {
	url, caFile := checkServer(t, anyBearer)
	t.Setenv("UFHOOK_TOKEN", hooktest.Token)
	code, out, stderr := runCLI(t, "check", "--target", url, "--ca", caFile)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out, "FAIL  auth/wrong-token\n      requirement: A webhook with a wrong token is rejected with 401 or 403")
	assert.Contains(t, out, "      want:        401 or 403\n      got:         204 No Content, empty body\n")
	assert.Contains(t, out, "SKIP  strict/fast")
	for _, id := range anyBearerFails {
		assert.Contains(t, out, "FAIL  "+id+"\n")
	}
	fails, strict := len(anyBearerFails), strictCases()
	assert.Contains(t, out, contract.Summary(len(contract.Cases())-fails-strict, fails, strict))
	assert.Contains(t, stderr, fmt.Sprintf("ufhook: %d of ", fails))
	assert.Contains(t, stderr, "cases failed")
	assert.NotContains(t, out+stderr, hooktest.Token)
}

func TestCheckJSON(t *testing.T) {
	url, caFile := checkServer(t, anyBearer)
	code, out, stderr := runCLI(t, "check", "--target", url, "--token", hooktest.Token, "--ca", caFile, "--json")
	assert.Equal(t, exitFailed, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, len(contract.Cases()), "one JSON object per case, nothing else on stdout")
	outcomes := map[string]int{}
	var failed []string
	for _, line := range lines {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		assert.NotEmpty(t, r["id"])
		assert.NotEmpty(t, r["requirement"])
		outcomes[r["outcome"].(string)]++
		if r["outcome"] == "fail" {
			failed = append(failed, r["id"].(string))
		}
		if r["id"] == "auth/token-prefix" {
			assert.Equal(t, "fail", r["outcome"])
			assert.Equal(t, "401 or 403", r["want"])
			assert.Contains(t, r["got"], "204")
		}
	}
	fails, strict := len(anyBearerFails), strictCases()
	assert.ElementsMatch(t, anyBearerFails, failed)
	assert.Equal(t, map[string]int{"pass": len(lines) - fails - strict, "fail": fails, "skip": strict}, outcomes)
	assert.Contains(t, stderr, contract.Summary(len(lines)-fails-strict, fails, strict))
}

// bareToken is a receiver defect: it compares the Authorization header
// with the bare token, so it refuses "Bearer <token>" and accepts the token
// alone.
func bareToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != hooktest.Token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		r.Header.Set("Authorization", bearer.Header(hooktest.Token))
		next.ServeHTTP(w, r)
	})
}

// failEverything is a receiver defect: 500 to every request.
func failEverything(http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "internal error", http.StatusInternalServerError)
	})
}

// TestCheckDiagnosis checks that when many cases fail for one reason, the
// text output says so once, between the cases and the summary, and that
// --json and --junit carry it too.
func TestCheckDiagnosis(t *testing.T) {
	tests := []struct {
		name string
		wrap func(http.Handler) http.Handler
		rule string
		says string
	}{
		{"bare token", bareToken, "bare-token",
			`every event was refused with 401 although it carried the right token as "Bearer <token>", but the bare token without "Bearer " was accepted (auth/no-scheme): ` +
				`the receiver compares the header with the bare token: compare the whole Authorization header with "Bearer <token>"`},
		{"500 to everything", failEverything, "server-error",
			"every request got 500, whatever its token or body: the receiver fails before it looks at the request: look at its log for the error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, caFile := checkServer(t, tc.wrap)
			junit := filepath.Join(t.TempDir(), "report.xml")
			code, out, _ := runCLI(t, "check", "--target", url, "--token", hooktest.Token, "--ca", caFile, "--junit", junit)
			assert.Equal(t, exitFailed, code)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			require.GreaterOrEqual(t, len(lines), 3)
			diag := lines[len(lines)-2]
			assert.True(t, strings.HasPrefix(diag, "diagnosis: "+tc.says), diag)
			assert.Equal(t, 1, strings.Count(out, "diagnosis: "), "said once")
			assert.Contains(t, out, "FAIL  events/user.created/full\n      requirement:", "the per-case lines stay")
			assert.Regexp(t, `^\d+ passed, \d+ failed, \d+ skipped$`, lines[len(lines)-1])

			raw, err := os.ReadFile(junit)
			require.NoError(t, err)
			assert.Contains(t, string(raw), `<property name="diagnosis" value="`)

			code, out, stderr := runCLI(t, "check", "--target", url, "--token", hooktest.Token, "--ca", caFile, "--json")
			assert.Equal(t, exitFailed, code)
			assert.Contains(t, stderr, "diagnosis: "+tc.says)
			jsonLines := strings.Split(strings.TrimSpace(out), "\n")
			require.Len(t, jsonLines, len(contract.Cases()), "one JSON object per case, nothing else on stdout")
			diagnosed := 0
			for _, line := range jsonLines {
				var r struct {
					ID        string `json:"id"`
					Outcome   string `json:"outcome"`
					Status    int    `json:"status"`
					Diagnosis *struct {
						Rule, Finding, Fix string
					} `json:"diagnosis"`
				}
				require.NoError(t, json.Unmarshal([]byte(line), &r), line)
				if r.ID == "events/user.created/full" {
					assert.Equal(t, "fail", r.Outcome)
					assert.NotZero(t, r.Status)
					require.NotNil(t, r.Diagnosis)
					assert.Equal(t, tc.rule, r.Diagnosis.Rule)
					assert.Contains(t, tc.says, r.Diagnosis.Finding)
					assert.Contains(t, tc.says, r.Diagnosis.Fix[:40])
				}
				if r.Diagnosis != nil {
					assert.Equal(t, "fail", r.Outcome, r.ID)
					diagnosed++
				}
			}
			assert.Greater(t, diagnosed, 20, "every event case carries the diagnosis")
		})
	}
}

func TestCheckRoutes(t *testing.T) {
	url, caFile := checkServer(t, nil)
	base := strings.TrimSuffix(url, "/webhook")
	code, out, stderr := runCLI(t, "check", "--target", url, "--token", hooktest.Token, "--ca", caFile,
		"--route", "tenant.created="+base+"/tenants", "--route", "tenant.deleted="+base+"/tenants")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
}

func TestCheckUsageErrors(t *testing.T) {
	url, caFile := checkServer(t, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := l.Addr().String()
	require.NoError(t, l.Close())
	t.Setenv("UFHOOK_TOKEN", "")

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"--token", hooktest.Token}, "--target is required"},
		{"no token", []string{"--target", url}, "--token or UFHOOK_TOKEN"},
		{"short token", []string{"--target", url, "--token", "short"}, "fewer than 8"},
		{"bad URL", []string{"--target", "localhost:8080/hook", "--token", hooktest.Token}, "bad target URL"},
		{"bad mode", []string{"--target", url, "--token", hooktest.Token, "--mode", "prod"}, "use live or test"},
		{"unreadable CA", []string{"--target", url, "--token", hooktest.Token, "--ca", "/nonexistent/ca.pem"}, "bad CA file"},
		{"bad route", []string{"--target", url, "--token", hooktest.Token, "--route", "user.archived=" + url}, "known events are"},
		{"route without URL", []string{"--target", url, "--token", hooktest.Token, "--route", "user.created"}, "write EVENT=URL"},
		{"bad timeout", []string{"--target", url, "--token", hooktest.Token, "--timeout", "soon"}, "invalid argument"},
		{"nothing listening", []string{"--target", "https://" + closed + "/", "--token", hooktest.Token}, "start the receiver first"},
		{"unwritable JUnit file", []string{"--target", url, "--token", hooktest.Token, "--ca", caFile, "--junit", "/nonexistent/dir/r.xml"}, "writable --junit path"},
		// Checked before the run: the suite never reaches the receiver.
		{"unwritable JUnit file, checked first", []string{"--target", "https://" + closed + "/", "--token", hooktest.Token, "--junit", "/nonexistent/dir/r.xml"}, "checked before the run"},
		{"JUnit path is a folder", []string{"--target", "https://" + closed + "/", "--token", hooktest.Token, "--junit", t.TempDir()}, "it is a folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"check"}, tc.args...)...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stderr, hooktest.Token)
		})
	}
}

func TestCheckStrict(t *testing.T) {
	url, caFile := checkServer(t, nil)
	// strict/fast times a receiver on a machine that may be loaded: its
	// outcome is not asserted here.
	code, out, stderr := runCLI(t, "check", "--target", url, "--token", hooktest.Token, "--ca", caFile, "--strict")
	assert.NotEqual(t, exitUsage, code, stderr)
	for _, id := range []string{"strict/lowercase-bearer", "strict/www-authenticate", "strict/method-not-allowed"} {
		assert.Contains(t, out, "PASS  "+id)
	}
}
