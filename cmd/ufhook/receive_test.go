package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/receiver/endpoint"
)

const (
	receiveTestToken = "test9f1e2d3c4b5a69788796a5b4c3d2e1"
)

// runningReceive is ufhook receive running in process.
type runningReceive struct {
	url            string
	stdout, stderr *hooktest.LockedBuffer
	stop           func() int // cancels the command's context, returns the exit code
}

var listeningRe = regexp.MustCompile(`listening on (\S+)`)

// startReceive runs `ufhook receive args...` until stop is called, and
// returns once its help is written whole.
func startReceive(t *testing.T, args ...string) *runningReceive {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningReceive{stdout: &hooktest.LockedBuffer{}, stderr: &hooktest.LockedBuffer{}}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"receive", "--listen", "127.0.0.1:0"}, args...), r.stdout, r.stderr)
	}()
	r.stop = sync.OnceValue(func() int { cancel(); return <-code })
	t.Cleanup(func() { r.stop() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		// The help ends with "Stop with Ctrl+C.": wait for all of it, since
		// tests read the commands it prints.
		if m := listeningRe.FindStringSubmatch(r.stderr.String()); m != nil && strings.Contains(r.stderr.String(), "Stop with Ctrl+C.") {
			r.url = m[1]
			return r
		}
		select {
		case c := <-code:
			t.Fatalf("receive exited with %d: %s", c, r.stderr.String())
		default:
		}
	}
	t.Fatalf("receive did not start: %s", r.stderr.String())
	return nil
}

// exampleBody is the spec's first example of event.
func exampleBody(t *testing.T, event string) []byte {
	t.Helper()
	ev, err := openapi.Lookup(event)
	require.NoError(t, err)
	b, err := json.Marshal(ev.Schema.Examples[0])
	require.NoError(t, err)
	return b
}

func TestReceiveHTTPS(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	r := startReceive(t, "--token", hooktest.Token, "--ca-out", caFile)
	assert.True(t, strings.HasPrefix(r.url, "https://127.0.0.1:"), r.url)
	c := hooktest.TrustingClient(t, caFile)

	assert.Equal(t, 204, hooktest.Post(t, c, r.url, hooktest.Token, exampleBody(t, "user.created")))
	assert.Equal(t, 204, hooktest.Post(t, c, r.url, hooktest.Token, exampleBody(t, "tenant.deleted")))
	assert.Equal(t, 401, hooktest.Post(t, c, r.url, "not-the-token-0123456789", exampleBody(t, "user.created")))
	assert.Equal(t, 400, hooktest.Post(t, c, r.url, hooktest.Token, []byte(`{"action":"create"`)))

	require.Equal(t, exitOK, r.stop(), "a cancelled context (SIGINT, SIGTERM) is a clean exit: %s", r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout.String()), "\n")
	require.Len(t, lines, 4, r.stdout.String())
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT[\d:.]+Z  user\.created +test 1 +204$`, lines[0])
	assert.Regexp(t, `tenant\.deleted +test p9ny8bdj +204$`, lines[1])
	assert.Regexp(t, ` 401  missing or wrong webhook API key$`, lines[2])
	assert.Contains(t, lines[3], " 400  malformed JSON body")

	banner := r.stderr.String()
	assert.Contains(t, banner, "CA certificate: "+caFile)
	assert.Contains(t, banner, "ufhook emit --all --target "+r.url+` --token "$UFHOOK_TOKEN" --ca `+caFile)
	assert.Contains(t, banner, "curl --cacert "+caFile)
	assert.Contains(t, banner, bearer.Mask(hooktest.Token))
	assert.NotContains(t, banner+r.stdout.String(), hooktest.Token, "the token is never printed whole")
}

func TestReceiveJSONAndEnvToken(t *testing.T) {
	t.Setenv("UFHOOK_TOKEN", hooktest.Token)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	r := startReceive(t, "--json", "--ca-out", caFile)
	body := exampleBody(t, "user.updated")
	assert.Equal(t, 204, hooktest.Post(t, hooktest.TrustingClient(t, caFile), r.url, hooktest.Token, body))
	require.Equal(t, exitOK, r.stop())
	var got struct {
		Event, Mode, RecordID string
		Status                int
		Payload               json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout.String()), &got), r.stdout.String())
	assert.Equal(t, "user.updated", got.Event)
	assert.Equal(t, "live", got.Mode)
	assert.Equal(t, "42", got.RecordID)
	assert.Equal(t, 204, got.Status)
	assert.JSONEq(t, string(body), string(got.Payload), "--json prints the full payload")
}

// TestReceiveWarnings sends a payload that breaks the spec but can be
// identified: receive accepts it and prints its warnings, in text and in
// JSON, and refuses it with --strict.
func TestReceiveWarnings(t *testing.T) {
	var m map[string]any
	require.NoError(t, json.Unmarshal(exampleBody(t, "user.updated"), &m))
	m["record"].(map[string]any)["locked"] = "no"
	body, err := json.Marshal(m)
	require.NoError(t, err)

	cases := []struct {
		name  string
		args  []string
		want  int
		check func(t *testing.T, out string)
	}{
		{"text", nil, 204, func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			require.Len(t, lines, 2, out)
			assert.Regexp(t, `user\.updated +live 42 +204  1 warning$`, lines[0])
			assert.Regexp(t, `^    warning: /record/locked: type: got string "no", want boolean`, lines[1])
		}},
		{"json", []string{"--json"}, 204, func(t *testing.T, out string) {
			var got struct {
				Status       int
				WarningCount int
				Warnings     []openapi.Problem
			}
			require.NoError(t, json.Unmarshal([]byte(out), &got), out)
			assert.Equal(t, 204, got.Status)
			assert.Equal(t, 1, got.WarningCount)
			require.Len(t, got.Warnings, 1)
			assert.Equal(t, "/record/locked", got.Warnings[0].Path)
			assert.Equal(t, "type", got.Warnings[0].Keyword)
		}},
		{"strict", []string{"--strict"}, 400, func(t *testing.T, out string) {
			assert.Regexp(t, `user\.updated +live - +400  user\.updated payload does not match the schema: /record/locked: type: got string, want boolean\n$`, out)
			assert.NotContains(t, out, "warning")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			caFile := filepath.Join(t.TempDir(), "ca.pem")
			r := startReceive(t, append([]string{"--token", hooktest.Token, "--ca-out", caFile}, tc.args...)...)
			assert.Equal(t, tc.want, hooktest.Post(t, hooktest.TrustingClient(t, caFile), r.url, hooktest.Token, body))
			require.Equal(t, exitOK, r.stop())
			tc.check(t, r.stdout.String())
			assert.NotContains(t, r.stdout.String()+r.stderr.String(), hooktest.Token, "the token is never printed whole")
		})
	}
}

func TestReceivePlainHTTP(t *testing.T) {
	r := startReceive(t, "--http", "--token", hooktest.Token)
	assert.True(t, strings.HasPrefix(r.url, "http://127.0.0.1:"), r.url)
	c := &http.Client{Timeout: 10 * time.Second}
	assert.Equal(t, 204, hooktest.Post(t, c, r.url, hooktest.Token, exampleBody(t, "user.created")), "test mode")
	assert.Equal(t, 403, hooktest.Post(t, c, r.url, hooktest.Token, exampleBody(t, "user.updated")), "live mode needs HTTPS")
	require.Equal(t, exitOK, r.stop())
	assert.Contains(t, r.stdout.String(), "live webhooks must be sent over HTTPS")
}

func TestReceiveUsageErrors(t *testing.T) {
	t.Setenv("UFHOOK_TOKEN", "")
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("not a certificate"), 0o600))
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no token", []string{"receive"}, "--token or set UFHOOK_TOKEN"},
		{"certificate without key", []string{"receive", "--token", hooktest.Token, "--tls-cert", garbage}, "--tls-cert and --tls-key go together"},
		{"unreadable certificate", []string{"receive", "--token", hooktest.Token, "--listen", "127.0.0.1:0", "--tls-cert", filepath.Join(dir, "nope.pem"), "--tls-key", garbage}, "nope.pem"},
		{"certificate not PEM", []string{"receive", "--token", hooktest.Token, "--listen", "127.0.0.1:0", "--tls-cert", garbage, "--tls-key", garbage}, "PEM"},
		{"bad listen address", []string{"receive", "--token", hooktest.Token, "--http", "--listen", "localhost"}, "host:port"},
		{"port in use", []string{"receive", "--token", hooktest.Token, "--http", "--listen", busy.Addr().String()}, "free port"},
		{"--http with a certificate", []string{"receive", "--token", hooktest.Token, "--http", "--tls-cert", garbage, "--tls-key", garbage}, "--http"},
		{"an argument", []string{"receive", "--token", hooktest.Token, "user.created"}, "unknown command"},
		{"short token", []string{"receive", "--token", "short", "--http"}, "--token: the key has 5 characters, fewer than 8"},
		{"short test token", []string{"receive", "--token", hooktest.Token, "--test-token", "tiny", "--http"}, "--test-token: the key has 4 characters"},
		{"unknown flag", []string{"receive", "--tokn", hooktest.Token}, "unknown flag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stdout+stderr, hooktest.Token)
		})
	}
}

// TestReceiveWithEmitter has the emitter send every event to ufhook
// receive over TLS, trusting only the CA file that receive wrote.
func TestReceiveWithEmitter(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	r := startReceive(t, "--token", hooktest.Token, "--ca-out", caFile)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a hang guard
	defer cancel()
	for _, mode := range []gen.Mode{gen.ModeTest, gen.ModeLive} {
		em, err := mock.NewEmitter(mock.Config{Target: r.url, Token: hooktest.Token, Mode: mode, CAFile: caFile})
		require.NoError(t, err)
		evs, err := openapi.Events()
		require.NoError(t, err)
		for _, ev := range evs {
			body, err := fake.Payload(ev, fake.Options{Seed: 7, Mode: mode})
			require.NoError(t, err)
			rep := em.Send(ctx, ev, body)
			assert.True(t, rep.OK(), "%s %s: status %d, %v, %s", mode, ev.Name, rep.Status, rep.Err, rep.Excerpt)
		}
		em.Close()
	}
	require.Equal(t, exitOK, r.stop())
	lines := strings.Split(strings.TrimSpace(r.stdout.String()), "\n")
	n := len(openapi.Names())
	require.Len(t, lines, 2*n, r.stdout.String())
	for i, event := range append(openapi.Names(), openapi.Names()...) {
		mode := "test"
		if i >= n {
			mode = "live"
		}
		assert.Regexp(t, regexp.QuoteMeta(event)+` +`+mode+` +\S+ +204$`, lines[i])
	}
}

// TestReceiveWithEmitCommand is the "done when": the emit line that
// receive prints, pasted as it is with $UFHOOK_TOKEN set, delivers every
// event.
func TestReceiveWithEmitCommand(t *testing.T) {
	t.Setenv("UFHOOK_TOKEN", hooktest.Token)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	r := startReceive(t, "--ca-out", caFile)
	line := regexp.MustCompile(`ufhook emit (.*)`).FindStringSubmatch(r.stderr.String())
	require.NotNil(t, line, r.stderr.String())
	args := strings.Fields(strings.ReplaceAll(line[1], `"$UFHOOK_TOKEN"`, hooktest.Token))
	assert.Equal(t, []string{"--all", "--target", r.url, "--token", hooktest.Token, "--ca", caFile}, args)

	code, stdout, stderr := runCLI(t, append([]string{"emit", "--retries", "0"}, args...)...)
	assert.Equal(t, exitOK, code, stdout+stderr)
	require.Equal(t, exitOK, r.stop())
	assert.Equal(t, len(openapi.Names()), strings.Count(r.stdout.String(), " 204\n"), r.stdout.String())
}

func TestWriteReceiveHelp(t *testing.T) {
	cases := []struct {
		name    string
		cfg     receiveConfig
		want    []string
		wantNot []string
	}{
		{"generated CA", receiveConfig{token: hooktest.Token},
			[]string{"ufhook emit --all --target https://127.0.0.1:", `--token "$UFHOOK_TOKEN" --ca `, "curl --cacert ", bearer.Mask(hooktest.Token)}, []string{"--mode"}},
		{"two tokens", receiveConfig{token: hooktest.Token, testToken: receiveTestToken},
			[]string{"--mode live", `--token "$UFHOOK_TEST_TOKEN" --mode test`, bearer.Mask(receiveTestToken)}, nil},
		{"plain HTTP", receiveConfig{token: hooktest.Token, plainHTTP: true},
			[]string{"--target http://127.0.0.1:", "--mode test", "test-mode webhooks only"}, []string{"--ca", "--cacert"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := endpoint.Listen(endpoint.Config{
				Listen:    "127.0.0.1:0",
				Options:   receiver.Options{Token: tc.cfg.token, TestToken: tc.cfg.testToken},
				CAFile:    filepath.Join(t.TempDir(), "ca.pem"),
				PlainHTTP: tc.cfg.plainHTTP,
			})
			require.NoError(t, err)
			defer srv.Close()
			var b bytes.Buffer
			require.NoError(t, writeReceiveHelp(&b, srv, tc.cfg))
			assert.Contains(t, b.String(), srv.URL())
			for _, s := range tc.want {
				assert.Contains(t, b.String(), s)
			}
			for _, s := range append(tc.wantNot, hooktest.Token, receiveTestToken) {
				assert.NotContains(t, b.String(), s)
			}
		})
	}
}

func TestPrintDeliveries(t *testing.T) {
	at := time.Date(2026, 11, 27, 4, 30, 0, 123e6, time.UTC)
	ok := receiver.Delivery{Time: at, Event: "user.created", Mode: "test", RecordID: "42", Status: 204, Body: []byte(`{"action":"create"}`)}
	bad := receiver.Delivery{Time: at, Status: 401, Err: receiver.ErrUnauthorized, Body: []byte("not json")}

	var text bytes.Buffer
	p := printDeliveries(&text, false)
	p(ok)
	p(bad)
	assert.Equal(t, "2026-11-27T04:30:00.123Z  user.created          test 42         204\n"+
		"2026-11-27T04:30:00.123Z  -                     -    -          401  missing or wrong webhook API key\n", text.String())

	var js bytes.Buffer
	p = printDeliveries(&js, true)
	p(ok)
	p(bad)
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	require.Len(t, lines, 2)
	var first, second map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &second))
	assert.Equal(t, map[string]any{"action": "create"}, first["payload"], "the full payload, as JSON")
	assert.Equal(t, "42", first["recordId"])
	assert.Equal(t, float64(204), first["status"])
	assert.Equal(t, "not json", second["payload"], "a body that is not JSON comes as a string")
	assert.Equal(t, "missing or wrong webhook API key", second["error"])
	assert.NotContains(t, first, "warnings", "no warnings, no field")
}

func TestPrintDeliveriesWarnings(t *testing.T) {
	at := time.Date(2026, 11, 27, 4, 30, 0, 123e6, time.UTC)
	var many []openapi.Problem
	for i := range 7 {
		many = append(many, openapi.Problem{Path: "/record/f" + strconv.Itoa(i), Keyword: "type", Message: "got string, want boolean"})
	}
	one := receiver.Delivery{Time: at, Event: "user.updated", Mode: "live", RecordID: "318", Status: 204,
		Warnings: []openapi.Problem{{Path: "/record", Keyword: "required", Message: "missing properties 'isEmailConfirmed'"}}}
	broken := receiver.Delivery{Time: at, Event: "tenant.created", Mode: "test", RecordID: "demo1234", Status: 204,
		Warnings: []openapi.Problem{{Path: "/record/tenantId", Keyword: "pattern", Message: "'demo\n1234' does not match"}}}
	seven := receiver.Delivery{Time: at, Event: "user.updated", Mode: "live", RecordID: "318", Status: 204, Warnings: many}

	var text bytes.Buffer
	p := printDeliveries(&text, false)
	p(one)
	p(seven)
	p(broken)
	assert.Equal(t, "2026-11-27T04:30:00.123Z  user.updated          live 318        204  1 warning\n"+
		"    warning: /record: required: missing properties 'isEmailConfirmed'\n"+
		"2026-11-27T04:30:00.123Z  user.updated          live 318        204  7 warnings\n"+
		"    warning: /record/f0: type: got string, want boolean\n"+
		"    warning: /record/f1: type: got string, want boolean\n"+
		"    warning: /record/f2: type: got string, want boolean\n"+
		"    warning: /record/f3: type: got string, want boolean\n"+
		"    warning: /record/f4: type: got string, want boolean\n"+
		"    and 2 more\n"+
		"2026-11-27T04:30:00.123Z  tenant.created        test demo1234   204  1 warning\n"+
		"    warning: /record/tenantId: pattern: 'demo 1234' does not match\n", text.String(), "a line break in a value does not break the line")

	var js bytes.Buffer
	p = printDeliveries(&js, true)
	p(seven)
	var got struct {
		WarningCount int               `json:"warningCount"`
		Warnings     []openapi.Problem `json:"warnings"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &got))
	assert.Equal(t, 7, got.WarningCount)
	assert.Equal(t, many[:5], got.Warnings, "the first few, as the text shows them")
}

// TestReceiveOnEveryInterface checks that --listen 0.0.0.0 is reported at a
// URL this machine can reach (127.0.0.1, not [::1]), with a warning that
// other machines can reach it too.
func TestReceiveOnEveryInterface(t *testing.T) {
	r := startReceive(t, "--token", hooktest.Token, "--http", "--listen", "0.0.0.0:0")
	assert.True(t, strings.HasPrefix(r.url, "http://127.0.0.1:"), r.url)
	assert.Contains(t, r.stderr.String(), "warning: --listen 0.0.0.0:0 can be reached from other machines")
	c := &http.Client{Timeout: 10 * time.Second}
	assert.Equal(t, 204, hooktest.Post(t, c, r.url, hooktest.Token, exampleBody(t, "user.created")))
}

// specToken serves every scheme of choices.yaml: the bearer token, the API
// key, and user:password for http basic.
const specToken = "shop:9f1e2d3c4b5a69788796a5b4c3d2e1f0"

// postAs posts body to url with the headers of hdr and returns the status.
func postAs(t *testing.T, url string, hdr map[string]string, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestReceiveAnyDocument runs receive on choices.yaml, a document without
// generated types whose webhooks use every scheme: it routes, verifies and
// validates each delivery over loopback, prints it, and refuses with
// --strict what it otherwise accepts with warnings.
func TestReceiveAnyDocument(t *testing.T) {
	restoreSpec(t)
	choices := specFile("choices", "choices.yaml")
	bearerTok := map[string]string{"Authorization": bearer.Header(specToken)}
	basic := map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(specToken))}
	posts := []struct {
		path   string
		hdr    map[string]string
		body   string
		status int // tolerant; strict is the same but for a bad payload
		line   string
	}{
		{"order.placed", bearerTok, `{"id":"o1","total":3}`, 204, `order\.placed +- +- +204$`},
		{"order.placed", map[string]string{"Authorization": bearer.Header(specToken + "x")}, `{"id":"o1","total":3}`, 401, `order\.placed +- +- +401  missing or wrong webhook credentials$`},
		{"order.shipped", basic, `{"plain":true}`, 204, `order\.shipped +- +- +204$`},
		{"order.shipped", bearerTok, `{"plain":true}`, 401, `order\.shipped .* 401 `},
		{"order.refunded", map[string]string{"X-Api-Key": specToken}, `{"trackingId":"abc"}`, 204, `order\.refunded .* 204$`},
		{"order.cancelled?api_key=" + specToken, nil, `{}`, 204, `order\.cancelled .* 204$`},
		{"order.viewed", nil, `{}`, 204, `order\.viewed .* 204$`},
		{"order.placed", bearerTok, `{"id":1}`, 204, `order\.placed .* 204  2 warnings\n    warning: \(root\): required: .*\n    warning: /id: type: `},
		{"", bearerTok, `[1]`, 400, `- +- +- +400  no webhook fits the delivery: `},
	}
	for _, strict := range []bool{false, true} {
		t.Run("strict="+strconv.FormatBool(strict), func(t *testing.T) {
			args := []string{"--spec", choices, "--http", "--token", specToken}
			if strict {
				args = append(args, "--strict")
			}
			r := startReceive(t, args...)
			assert.Contains(t, r.stderr.String(), "order.refunded: POST X-Api-Key: <key>")
			assert.Contains(t, r.stderr.String(), "ufhook emit --all --spec "+choices+" --target "+r.url+` --token "$UFHOOK_TOKEN"`)
			for _, p := range posts {
				want := p.status
				if strict && strings.Contains(p.body, `"id":1`) {
					want = 400
				}
				assert.Equal(t, want, postAs(t, r.url+p.path, p.hdr, p.body), "%s %s", p.path, p.body)
			}
			require.Equal(t, exitOK, r.stop(), r.stderr.String())
			out := r.stdout.String()
			for _, p := range posts {
				if strict && strings.Contains(p.body, `"id":1`) {
					assert.Regexp(t, `order\.placed .* 400  payload does not match the schema: `, out)
					continue
				}
				assert.Regexp(t, `(?m)`+p.line, out)
			}
			assert.NotContains(t, r.stderr.String()+out, specToken, "the token is never printed whole")
		})
	}
}

// TestReceiveAnyDocumentUsage covers the flags that a --spec document
// changes: --test-token is refused, and --token is needed only when a
// webhook declares credentials.
func TestReceiveAnyDocumentUsage(t *testing.T) {
	restoreSpec(t)
	code, _, stderr := runCLI(t, "receive", "--spec", specFile("choices", "choices.yaml"), "--http", "--listen", "127.0.0.1:0")
	require.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "order.placed (Authorization: Bearer <key>)")
	assert.Contains(t, stderr, "pass --token or set UFHOOK_TOKEN")
	assert.NotContains(t, stderr, "order.viewed")

	code, _, stderr = runCLI(t, "receive", "--spec", specFile("choices", "choices.yaml"), "--token", specToken, "--test-token", specToken)
	require.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "drop --test-token")

	t.Setenv(specEnv, specFile("choices", "choices.yaml"))
	code, _, stderr = runCLI(t, "receive", "--http", "--listen", "127.0.0.1:0")
	require.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "order.placed (Authorization: Bearer <key>)", "UFHOOK_SPEC serves the validator too")
}
