package receiver_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/localca"
	"github.com/ufhook/ufhook/receiver"
)

// startServer runs Listen and Serve, and stops the server at cleanup,
// checking that the shutdown was clean.
func startServer(t *testing.T, cfg receiver.ServeConfig) *receiver.Server {
	t.Helper()
	srv, err := receiver.Listen(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done, "Serve must return nil after a clean shutdown")
	})
	return srv
}

func postTo(t *testing.T, c *http.Client, url, token string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", bearer.Header(token))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeTLS(t *testing.T) {
	var out bytes.Buffer
	var mu sync.Mutex
	caFile := filepath.Join(t.TempDir(), "sub", "ca.pem")
	srv := startServer(t, receiver.ServeConfig{
		Listen:  "127.0.0.1:0",
		Options: receiver.Options{Token: liveToken},
		Callbacks: receiver.Callbacks{OnDelivery: func(d receiver.Delivery) {
			mu.Lock()
			defer mu.Unlock()
			out.WriteString(d.Event + " ")
		}},
		CAFile: caFile,
	})
	assert.True(t, strings.HasPrefix(srv.URL(), "https://127.0.0.1:"), srv.URL())
	assert.Equal(t, caFile, srv.CAFile())
	require.NotNil(t, srv.RootCAs())

	// The CA file alone is enough to trust the server, as emit --ca does.
	pem, err := os.ReadFile(caFile)
	require.NoError(t, err)
	pool := srv.RootCAs().Clone()
	require.True(t, pool.AppendCertsFromPEM(pem))
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer c.CloseIdleConnections()
	for _, path := range []string{"", "webhooks/userfront", "user.created"} {
		assert.Equal(t, 204, postTo(t, c, srv.URL()+path, liveToken, example(t, "user.created", nil)), path)
	}
	assert.Equal(t, 401, postTo(t, c, srv.URL(), "wrong-token-0123456789", example(t, "user.created", nil)))

	// A client that does not trust the CA is refused.
	_, err = http.Post(srv.URL(), "application/json", strings.NewReader("{}"))
	require.Error(t, err)
	var uerr *tls.CertificateVerificationError
	assert.True(t, errors.As(err, &uerr), "want a certificate error, got %v", err)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, "user.created user.created user.created  ", out.String(), "one delivery per request, the 401 without an event")
}

func TestServePlainHTTP(t *testing.T) {
	srv := startServer(t, receiver.ServeConfig{Listen: "127.0.0.1:0", Options: receiver.Options{Token: liveToken}, PlainHTTP: true})
	assert.True(t, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"))
	assert.Empty(t, srv.CAFile())
	assert.Nil(t, srv.RootCAs())
	c := &http.Client{Timeout: 10 * time.Second}
	assert.Equal(t, 204, postTo(t, c, srv.URL(), liveToken, example(t, "user.created", nil)), "test mode is fine over HTTP")
	assert.Equal(t, 403, postTo(t, c, srv.URL(), liveToken, example(t, "user.updated", nil)), "live mode needs HTTPS")
}

func TestServeGivenCertificate(t *testing.T) {
	ca, err := localca.New()
	require.NoError(t, err)
	cert, err := ca.ServerCert()
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile := writeKeyPair(t, dir, cert)
	srv := startServer(t, receiver.ServeConfig{Listen: "127.0.0.1:0", Options: receiver.Options{Token: liveToken}, TLSCertFile: certFile, TLSKeyFile: keyFile})
	assert.Empty(t, srv.CAFile(), "no CA is generated for a given certificate")
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	defer c.CloseIdleConnections()
	assert.Equal(t, 204, postTo(t, c, srv.URL(), liveToken, example(t, "tenant.created", nil)))
}

func TestListenErrors(t *testing.T) {
	dir := t.TempDir()
	ca, err := localca.New()
	require.NoError(t, err)
	cert, err := ca.ServerCert()
	require.NoError(t, err)
	certFile, keyFile := writeKeyPair(t, dir, cert)
	garbage := filepath.Join(dir, "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("not a certificate"), 0o600))
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	opts := receiver.Options{Token: liveToken}

	cases := []struct {
		name    string
		cfg     receiver.ServeConfig
		wantErr error
		wantMsg string
	}{
		{"no token", receiver.ServeConfig{Listen: "127.0.0.1:0"}, receiver.ErrNoToken, "Options.Token"},
		{"certificate without key", receiver.ServeConfig{Listen: "127.0.0.1:0", Options: opts, TLSCertFile: certFile}, receiver.ErrConfig, "give both"},
		{"key without certificate", receiver.ServeConfig{Listen: "127.0.0.1:0", Options: opts, TLSKeyFile: keyFile}, receiver.ErrConfig, "give both"},
		{"unreadable certificate", receiver.ServeConfig{Listen: "127.0.0.1:0", Options: opts, TLSCertFile: filepath.Join(dir, "missing.pem"), TLSKeyFile: keyFile}, receiver.ErrConfig, "missing.pem"},
		{"certificate not PEM", receiver.ServeConfig{Listen: "127.0.0.1:0", Options: opts, TLSCertFile: garbage, TLSKeyFile: keyFile}, receiver.ErrConfig, "PEM"},
		{"plain HTTP with a certificate", receiver.ServeConfig{Listen: "127.0.0.1:0", Options: opts, TLSCertFile: certFile, TLSKeyFile: keyFile, PlainHTTP: true}, receiver.ErrConfig, "plain HTTP"},
		{"address without port", receiver.ServeConfig{Listen: "127.0.0.1", Options: opts, PlainHTTP: true}, receiver.ErrConfig, "host:port"},
		{"port in use", receiver.ServeConfig{Listen: busy.Addr().String(), Options: opts, PlainHTTP: true}, receiver.ErrConfig, "free port"},
		{"CA file not writable", receiver.ServeConfig{Listen: "127.0.0.1:0", Options: opts, CAFile: filepath.Join(garbage, "ca.pem")}, receiver.ErrConfig, "writable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := receiver.Listen(tc.cfg)
			if srv != nil {
				srv.Close()
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), tc.wantMsg)
		})
	}
}

func TestWriteHelp(t *testing.T) {
	cases := []struct {
		name      string
		cfg       receiver.ServeConfig
		want      []string
		wantNot   []string
		wantLines int
	}{
		{"generated CA", receiver.ServeConfig{Options: receiver.Options{Token: liveToken}},
			[]string{"ufhook emit --all --target https://127.0.0.1:", `--token "$UFHOOK_TOKEN" --ca `, "curl --cacert ", bearer.Mask(liveToken)}, []string{"--mode"}, 0},
		{"two tokens", receiver.ServeConfig{Options: receiver.Options{Token: liveToken, TestToken: testToken}},
			[]string{"--mode live", `--token "$UFHOOK_TEST_TOKEN" --mode test`, bearer.Mask(testToken)}, nil, 0},
		{"plain HTTP", receiver.ServeConfig{Options: receiver.Options{Token: liveToken}, PlainHTTP: true},
			[]string{"--target http://127.0.0.1:", "--mode test", "test-mode webhooks only"}, []string{"--ca", "--cacert"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Listen = "127.0.0.1:0"
			tc.cfg.CAFile = filepath.Join(t.TempDir(), "ca.pem")
			srv, err := receiver.Listen(tc.cfg)
			require.NoError(t, err)
			defer srv.Close()
			var b bytes.Buffer
			require.NoError(t, srv.WriteHelp(&b))
			assert.Contains(t, b.String(), srv.URL())
			for _, s := range tc.want {
				assert.Contains(t, b.String(), s)
			}
			for _, s := range append(tc.wantNot, liveToken, testToken) {
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
	p := receiver.PrintDeliveries(&text, false)
	p(ok)
	p(bad)
	assert.Equal(t, "2026-11-27T04:30:00.123Z  user.created   test 42         204\n"+
		"2026-11-27T04:30:00.123Z  -              -    -          401  missing or wrong bearer token\n", text.String())

	var js bytes.Buffer
	p = receiver.PrintDeliveries(&js, true)
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
	assert.Equal(t, "missing or wrong bearer token", second["error"])
}
