package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

const emitToken = "whsec_emit_0123456789abcdef"

func TestEmitAllOverHTTPS(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := hooktest.NewTLSServer(t, rec)
	url, caFile := srv.URL, srv.CA.File
	start := time.Now()
	code, out, stderr := runCLI(t, "emit", "--all", "--target", url+"/webhook", "--token", emitToken, "--ca", caFile, "--mode", "live", "--seed", "5")
	require.Equal(t, exitOK, code, stderr)
	end := time.Now()
	names, err := openapi.Events()
	require.NoError(t, err)
	require.Equal(t, len(names), rec.Len())
	for i, req := range rec.Requests() {
		assert.Equal(t, http.MethodPost, req.Method)
		assert.Equal(t, "/webhook", req.URL.Path)
		assert.Equal(t, "Bearer "+emitToken, req.Header.Get("Authorization"))
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		assert.Equal(t, "ufhook/"+version, req.Header.Get("User-Agent"))
		require.NoError(t, openapi.Validate(names[i], req.Body))
		want, err := fake.Payload(names[i], fake.Options{Seed: 5 + uint64(i), Mode: "live"})
		require.NoError(t, err)
		if names[i].Name == "user.created" {
			// The emitter stamps the time of sending: the created user's
			// createdAt is moments before it, and all else is the seed's.
			var env struct {
				Record struct {
					CreatedAt string `json:"createdAt"`
				} `json:"record"`
			}
			require.NoError(t, json.Unmarshal(req.Body, &env))
			at, err := time.Parse(time.RFC3339Nano, env.Record.CreatedAt)
			require.NoError(t, err)
			assert.True(t, at.After(start.Add(-3*time.Second)) && at.Before(end), "createdAt %s is moments before the delivery", at)
			want, err = fake.Override(want, []string{"record.createdAt=" + env.Record.CreatedAt})
			require.NoError(t, err)
		}
		assert.Equal(t, string(want), string(req.Body), "delivery %d is seed 5+%d", i, i)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 1+len(names)+1, out)
	assert.Contains(t, lines[0], "whse…def", "the header shows the token masked")
	for i, ev := range names {
		assert.True(t, strings.HasPrefix(lines[1+i], "ok   "+ev.Name), lines[1+i])
	}
	assert.Regexp(t, fmt.Sprintf(`^%d sent, 0 failed, p50 \S+, p99 \S+, \d+ events/s`, len(names)), lines[len(lines)-1])
	assert.NotContains(t, out+stderr, emitToken, "the token is never printed whole")
}

func TestEmitTokenFromEnvAndJSON(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	t.Setenv("UFHOOK_TOKEN", emitToken)
	code, out, stderr := runCLI(t, "emit", "user.created", "tenant.deleted", "--target", srv.URL, "--count", "5", "--concurrency", "2", "--json", "--seed", "9")
	require.Equal(t, exitOK, code, stderr)
	require.Equal(t, 5, rec.Len())
	assert.Equal(t, "Bearer "+emitToken, rec.Requests()[0].Header.Get("Authorization"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 6)
	seen := map[int]bool{}
	for _, l := range lines[:5] {
		var d deliveryLine
		require.NoError(t, json.Unmarshal([]byte(l), &d), l)
		assert.True(t, d.OK)
		assert.Equal(t, 200, d.Status)
		assert.Equal(t, 1, d.Attempts)
		assert.Equal(t, []string{"user.created", "tenant.deleted"}[d.Index%2], d.Event)
		require.NotNil(t, d.Seed)
		assert.Equal(t, uint64(9+d.Index), *d.Seed)
		seen[d.Index] = true
	}
	assert.Len(t, seen, 5)
	var sum summaryLine
	require.NoError(t, json.Unmarshal([]byte(lines[5]), &sum))
	assert.Equal(t, 5, sum.Summary.Sent)
	assert.Equal(t, 0, sum.Summary.Failed)
	assert.Equal(t, 5, sum.Summary.Attempts)
	assert.NotContains(t, out+stderr, emitToken)
}

func TestEmitFailedDeliveryExits1(t *testing.T) {
	rec := hooktest.NewRecorder()
	rec.SetStatus(http.StatusServiceUnavailable)
	rec.SetBody(`{"ok":true}`)
	srv := httptest.NewServer(rec)
	defer srv.Close()
	code, out, stderr := runCLI(t, "emit", "user.deleted", "--target", srv.URL, "--token", emitToken, "--retries", "1", "--timeout", "2s")
	assert.Equal(t, exitFailed, code)
	assert.Equal(t, 2, rec.Len(), "one retry")
	assert.Contains(t, out, "FAIL user.deleted 503")
	assert.Contains(t, out, "answered 503 after 2 attempts")
	assert.Contains(t, out, `body: {"ok":true}`)
	assert.Contains(t, out, "0 sent, 1 failed")
	assert.Contains(t, stderr, "1 of 1 webhooks were not delivered")
}

func TestEmitQuietPrintsFailuresAndSummary(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	code, out, _ := runCLI(t, "emit", "--all", "--target", srv.URL, "--token", emitToken, "-q")
	require.Equal(t, exitOK, code)
	n := len(openapi.Names())
	assert.Equal(t, n, rec.Len(), "--all sends every event of the catalog")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 1, out)
	assert.True(t, strings.HasPrefix(lines[0], fmt.Sprintf("%d sent, 0 failed", n)), lines[0])
}

func TestEmitInsecureWarns(t *testing.T) {
	rec := hooktest.NewRecorder()
	url := hooktest.NewTLSServer(t, rec).URL
	code, _, stderr := runCLI(t, "emit", "user.created", "--target", url, "--token", emitToken)
	assert.Equal(t, exitFailed, code, "an unknown CA fails the delivery")
	assert.Contains(t, stderr, "not delivered")
	code, _, stderr = runCLI(t, "emit", "user.created", "--target", url, "--token", emitToken, "--insecure")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "warning: --insecure")
	assert.Equal(t, 1, rec.Len())
}

func TestEmitRoutesSetAndBody(t *testing.T) {
	main, other := hooktest.NewRecorder(), hooktest.NewRecorder()
	a, b := httptest.NewServer(main), httptest.NewServer(other)
	defer a.Close()
	defer b.Close()
	code, out, stderr := runCLI(t, "emit", "--all", "--target", a.URL, "--route", "user.created="+b.URL+"/signup", "--token", emitToken,
		"--set", "record.data.plan=pro", "--set", "record.name=Override")
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^ok   user.created .* `+b.URL+`/signup$`, out, "with routes, each line names its URL")
	require.Equal(t, 1, other.Len())
	assert.Equal(t, "/signup", other.Requests()[0].URL.Path)
	others := len(openapi.Names()) - 1 // every event but user.created goes to the target
	assert.Equal(t, others, main.Len())
	assert.Contains(t, string(other.Requests()[0].Body), `"name":"Override"`)
	assert.Contains(t, string(other.Requests()[0].Body), `"plan":"pro"`)

	body, err := fake.Payload(openapi.MustLookup("tenant.created"), fake.Options{Seed: 1})
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "body.json")
	require.NoError(t, os.WriteFile(file, body, 0o600))
	code, out, stderr = runCLI(t, "emit", "tenant.created", "--target", a.URL, "--token", emitToken, "--body", file, "--count", "3", "--set", "record.name=Acme")
	require.Equal(t, exitOK, code, stderr)
	require.Equal(t, others+3, main.Len())
	for _, got := range main.Requests()[others:] {
		assert.Contains(t, string(got.Body), `"name":"Acme"`)
	}
	assert.NotContains(t, out, "seed", "a fixed body has no seed")

	// An override that breaks the spec is refused, unless --no-validate.
	code, _, stderr = runCLI(t, "emit", "user.created", "--target", a.URL, "--token", emitToken, "--set", "record.userId=abc")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "/record/userId")
	assert.Contains(t, stderr, "--no-validate")
	assert.Equal(t, others+3, main.Len(), "nothing was sent")
	code, _, stderr = runCLI(t, "emit", "user.created", "--target", a.URL, "--token", emitToken, "--set", "record.userId=abc", "--no-validate")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, others+4, main.Len())

	// A single --route is enough for its own event: the events that are
	// not sent need no URL.
	code, _, stderr = runCLI(t, "emit", "user.created", "--route", "user.created="+b.URL+"/only", "--token", emitToken)
	require.Equal(t, exitOK, code, stderr)
	require.Equal(t, 2, other.Len())
	assert.Equal(t, "/only", other.Requests()[1].URL.Path)
}

func TestEmitUsageErrorsExit2(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	t.Setenv("UFHOOK_TOKEN", "")
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("nope"), 0o600))
	ok := []string{"--target", srv.URL, "--token", emitToken}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown event", append([]string{"emit", "user.exploded"}, ok...), "known events are"},
		{"no events", append([]string{"emit"}, ok...), "--all"},
		{"events and --all", append([]string{"emit", "user.created", "--all"}, ok...), "not both"},
		{"no token", []string{"emit", "--all", "--target", srv.URL}, "UFHOOK_TOKEN"},
		{"no target", []string{"emit", "--all", "--token", emitToken}, "--target"},
		{"bad mode", append([]string{"emit", "--all", "--mode", "prod"}, ok...), "test or live"},
		{"bad shape", append([]string{"emit", "--all", "--shape", "weird"}, ok...), "unknown-fields"},
		{"bad set", append([]string{"emit", "--all", "--set", "record.email"}, ok...), "PATH=VALUE"},
		{"unreadable body", append([]string{"emit", "--all", "--body", "/nonexistent/body.json"}, ok...), "--body"},
		{"body not JSON", append([]string{"emit", "user.created", "--body", notPEM}, ok...), "malformed JSON"},
		{"negative count", append([]string{"emit", "--all", "--count", "-1"}, ok...), "--count"},
		{"zero count", append([]string{"emit", "--all", "--count", "0"}, ok...), "--count 0: give a positive number"},
		{"control character in token", []string{"emit", "--all", "--target", srv.URL, "--token", emitToken + "\r"}, "control character"},
		{"one route without target, another event sent", []string{"emit", "user.created", "user.updated", "--route", "user.created=" + srv.URL, "--token", emitToken}, "no URL for user.updated:"},
		{"zero concurrency", append([]string{"emit", "--all", "--concurrency", "0"}, ok...), "--concurrency"},
		{"negative retries", append([]string{"emit", "--all", "--retries", "-1"}, ok...), "--retries"},
		{"zero timeout", append([]string{"emit", "--all", "--timeout", "0s"}, ok...), "--timeout"},
		{"bad route", append([]string{"emit", "--all", "--route", "user.created"}, ok...), "EVENT=URL"},
		{"route to unknown event", append([]string{"emit", "--all", "--route", "user.x=https://a/b"}, ok...), "unknown event"},
		{"bad target", []string{"emit", "--all", "--target", "localhost:8080", "--token", emitToken}, "https://"},
		{"live over http", []string{"emit", "--all", "--target", srv.URL, "--token", emitToken, "--mode", "live"}, "test mode allows HTTP"},
		{"bad CA file", append([]string{"emit", "--all", "--ca", notPEM}, ok...), "BEGIN CERTIFICATE"},
		{"bad seed", append([]string{"emit", "--all", "--seed", "-3"}, ok...), "seed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stderr, emitToken)
		})
	}
	assert.Equal(t, 0, rec.Len(), "no usage error sent anything")
}

func TestEmitInterruptedExits1WithASummary(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }() // as Ctrl+C does through main's signal context
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"emit", "--all", "--count", "50", "--target", srv.URL, "--token", emitToken}, &stdout, &stderr)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stdout.String(), "FAIL user.created")
	assert.Contains(t, stdout.String(), "delivery cancelled")
	assert.Contains(t, stdout.String(), "0 sent, 1 failed, 49 not sent")
	assert.Contains(t, stderr.String(), "interrupted")
}
