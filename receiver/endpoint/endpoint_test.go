package endpoint_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/localca"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/receiver/endpoint"
)

const (
	liveToken = hooktest.Token
	testToken = "test9f1e2d3c4b5a69788796a5b4c3d2e1"
)

// payload is a realistic fake payload of event in mode.
func payload(t *testing.T, event string, mode gen.Mode) []byte {
	t.Helper()
	body, err := fake.Payload(openapi.MustLookup(event), fake.Options{Seed: 1, Mode: mode})
	require.NoError(t, err)
	return body
}

// startServer runs Listen and Serve, and stops the server at cleanup,
// checking that the shutdown was clean.
func startServer(t *testing.T, cfg endpoint.Config) *endpoint.Server {
	t.Helper()
	srv, err := endpoint.Listen(cfg)
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

func TestServeTLS(t *testing.T) {
	var out hooktest.LockedBuffer
	caFile := filepath.Join(t.TempDir(), "sub", "ca.pem")
	srv := startServer(t, endpoint.Config{
		Listen:  "127.0.0.1:0",
		Options: receiver.Options{Token: liveToken},
		Callbacks: receiver.Callbacks{OnDelivery: func(d receiver.Delivery) {
			_, _ = out.Write([]byte(d.Event + " "))
		}},
		CAFile: caFile,
	})
	assert.True(t, strings.HasPrefix(srv.URL(), "https://127.0.0.1:"), srv.URL())
	assert.Equal(t, caFile, srv.CAFile())
	require.NotNil(t, srv.RootCAs())

	// The CA file alone is enough to trust the server, as emit --ca does.
	c := hooktest.TrustingClient(t, caFile)
	for _, path := range []string{"", "webhooks/userfront", "user.created"} {
		assert.Equal(t, 204, hooktest.Post(t, c, srv.URL()+path, liveToken, payload(t, "user.created", gen.ModeTest)), path)
	}
	assert.Equal(t, 401, hooktest.Post(t, c, srv.URL(), "wrong-token-0123456789", payload(t, "user.created", gen.ModeTest)))

	// A client that does not trust the CA is refused.
	_, err := http.Post(srv.URL(), "application/json", strings.NewReader("{}"))
	require.Error(t, err)
	var uerr *tls.CertificateVerificationError
	assert.True(t, errors.As(err, &uerr), "want a certificate error, got %v", err)

	assert.Equal(t, "user.created user.created user.created  ", out.String(), "one delivery per request, the 401 without an event")
}

func TestServePlainHTTP(t *testing.T) {
	srv := startServer(t, endpoint.Config{Listen: "127.0.0.1:0", Options: receiver.Options{Token: liveToken}, PlainHTTP: true})
	assert.True(t, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"))
	assert.Empty(t, srv.CAFile())
	assert.Nil(t, srv.RootCAs())
	c := &http.Client{Timeout: 10 * time.Second}
	assert.Equal(t, 204, hooktest.Post(t, c, srv.URL(), liveToken, payload(t, "user.created", gen.ModeTest)), "test mode is fine over HTTP")
	assert.Equal(t, 403, hooktest.Post(t, c, srv.URL(), liveToken, payload(t, "user.updated", gen.ModeLive)), "live mode needs HTTPS")
}

func TestServeGivenCertificate(t *testing.T) {
	ca := hooktest.NewCA(t)
	cert, err := ca.ServerCert()
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile := hooktest.WriteKeyPair(t, dir, cert)
	srv := startServer(t, endpoint.Config{Listen: "127.0.0.1:0", Options: receiver.Options{Token: liveToken}, TLSCertFile: certFile, TLSKeyFile: keyFile})
	assert.Empty(t, srv.CAFile(), "no CA is generated for a given certificate")
	c := ca.Client(t)
	assert.Equal(t, 204, hooktest.Post(t, c, srv.URL(), liveToken, payload(t, "tenant.created", gen.ModeTest)))
}

func TestListenErrors(t *testing.T) {
	dir := t.TempDir()
	cert, err := hooktest.NewCA(t).ServerCert()
	require.NoError(t, err)
	certFile, keyFile := hooktest.WriteKeyPair(t, dir, cert)
	garbage := filepath.Join(dir, "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("not a certificate"), 0o600))
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	opts := receiver.Options{Token: liveToken}

	cases := []struct {
		name    string
		cfg     endpoint.Config
		wantErr error
		wantMsg string
	}{
		{"no token", endpoint.Config{Listen: "127.0.0.1:0"}, receiver.ErrNoToken, "Options.Token"},
		{"certificate without key", endpoint.Config{Listen: "127.0.0.1:0", Options: opts, TLSCertFile: certFile}, endpoint.ErrConfig, "give both"},
		{"key without certificate", endpoint.Config{Listen: "127.0.0.1:0", Options: opts, TLSKeyFile: keyFile}, endpoint.ErrConfig, "give both"},
		{"unreadable certificate", endpoint.Config{Listen: "127.0.0.1:0", Options: opts, TLSCertFile: filepath.Join(dir, "missing.pem"), TLSKeyFile: keyFile}, endpoint.ErrConfig, "missing.pem"},
		{"certificate not PEM", endpoint.Config{Listen: "127.0.0.1:0", Options: opts, TLSCertFile: garbage, TLSKeyFile: keyFile}, endpoint.ErrConfig, "PEM"},
		{"plain HTTP with a certificate", endpoint.Config{Listen: "127.0.0.1:0", Options: opts, TLSCertFile: certFile, TLSKeyFile: keyFile, PlainHTTP: true}, endpoint.ErrConfig, "plain HTTP"},
		{"address without port", endpoint.Config{Listen: "127.0.0.1", Options: opts, PlainHTTP: true}, endpoint.ErrConfig, "host:port"},
		{"port in use", endpoint.Config{Listen: busy.Addr().String(), Options: opts, PlainHTTP: true}, endpoint.ErrConfig, "free port"},
		{"CA file not writable", endpoint.Config{Listen: "127.0.0.1:0", Options: opts, CAFile: filepath.Join(garbage, "ca.pem")}, endpoint.ErrConfig, "writable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := endpoint.Listen(tc.cfg)
			if srv != nil {
				srv.Close()
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), tc.wantMsg)
		})
	}
}

// TestLocalCAKeptAcrossRestarts checks that a restart reuses the CA kept in
// CAFile, so that a client that trusts the file keeps working, that a start
// failing on a busy port leaves the files alone, and that an expired or
// mismatched CA is replaced.
func TestLocalCAKeptAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	opts := receiver.Options{Token: liveToken}
	first, err := endpoint.Listen(endpoint.Config{Listen: "127.0.0.1:0", Options: opts, CAFile: caFile})
	require.NoError(t, err)
	assert.False(t, first.CAReused(), "no CA was kept yet")
	want, err := os.ReadFile(caFile)
	require.NoError(t, err)
	fi, err := os.Stat(endpoint.CAKeyFileFor(caFile))
	require.NoError(t, err, "the CA's key is kept beside its certificate")
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the CA's key is readable by its owner only")

	// A start that fails on a busy port leaves the files as they were: the
	// first server still holds its port.
	_, err = endpoint.Listen(endpoint.Config{Listen: first.Addr().String(), Options: opts, CAFile: caFile})
	require.ErrorIs(t, err, endpoint.ErrConfig)
	got, err := os.ReadFile(caFile)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "a failed start must not rewrite the CA file")
	require.NoError(t, first.Close())

	// A restart serves a certificate from the same CA: a client that read
	// the file before the restart still trusts the server.
	c := hooktest.TrustingClient(t, caFile)
	second := startServer(t, endpoint.Config{Listen: "127.0.0.1:0", Options: opts, CAFile: caFile})
	assert.True(t, second.CAReused())
	got, err = os.ReadFile(caFile)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "a restart keeps the CA")
	assert.Equal(t, 204, hooktest.Post(t, c, second.URL(), liveToken, payload(t, "user.created", gen.ModeTest)))

	// A key that does not match the certificate makes a new CA.
	other, err := localca.New()
	require.NoError(t, err)
	require.NoError(t, other.WriteKey(endpoint.CAKeyFileFor(caFile)))
	third := startServer(t, endpoint.Config{Listen: "127.0.0.1:0", Options: opts, CAFile: caFile})
	assert.False(t, third.CAReused())
	got, err = os.ReadFile(caFile)
	require.NoError(t, err)
	assert.NotEqual(t, string(want), string(got), "a CA without its key is replaced")
	_, err = localca.Load(caFile, endpoint.CAKeyFileFor(caFile))
	assert.NoError(t, err, "the new CA's files go together")
}

// TestURLOfEveryInterface checks that a receiver on every interface is
// reported at the loopback address of the family asked for: Go reports a
// listener on 0.0.0.0 as [::], which is not where an IPv4 client goes.
func TestURLOfEveryInterface(t *testing.T) {
	for listen, want := range map[string]string{"0.0.0.0:0": "http://127.0.0.1:", ":0": "http://127.0.0.1:", "127.0.0.1:0": "http://127.0.0.1:"} {
		srv := startServer(t, endpoint.Config{Listen: listen, Options: receiver.Options{Token: liveToken}, PlainHTTP: true})
		assert.True(t, strings.HasPrefix(srv.URL(), want), "%s: %s", listen, srv.URL())
		c := &http.Client{Timeout: 10 * time.Second}
		assert.Equal(t, 204, hooktest.Post(t, c, srv.URL(), liveToken, payload(t, "user.created", gen.ModeTest)), listen)
	}
}
