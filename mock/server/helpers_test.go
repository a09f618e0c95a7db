package server_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/receiver"
)

const (
	adminKey     = "uf_test_admin_demo1234_59f60f53fa7cc018d8f93deceb0cc8e3"
	webhookToken = "uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
	// patience bounds every wait for a delivery; it guards against a hang,
	// it is not a speed requirement.
	patience = 20 * time.Second
)

// sink is the reference receiver behind a loopback TLS server, recording
// every delivery it answered.
type sink struct {
	URL  string
	Pool *x509.CertPool
	ch   chan receiver.Delivery
}

func newSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{ch: make(chan receiver.Delivery, 1024)}
	h, err := receiver.New(receiver.Options{Token: webhookToken}, receiver.Callbacks{
		OnDelivery: func(d receiver.Delivery) { s.ch <- d },
	})
	require.NoError(t, err)
	ts := httptest.NewTLSServer(h)
	t.Cleanup(ts.Close)
	s.URL = ts.URL + "/webhooks"
	s.Pool = x509.NewCertPool()
	s.Pool.AddCert(ts.Certificate())
	return s
}

// emitter returns the emitter settings that deliver to the sink.
func (s *sink) emitter() mock.Config {
	return mock.Config{
		Target: s.URL, Token: webhookToken, Mode: gen.ModeTest, RootCAs: s.Pool,
		Timeout: 10 * time.Second,
		Retry:   mock.RetryPolicy{Retries: 3, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond},
	}
}

// next waits for the sink's next delivery.
func (s *sink) next(t *testing.T) receiver.Delivery {
	t.Helper()
	select {
	case d := <-s.ch:
		return d
	case <-time.After(patience):
		t.Fatalf("no webhook reached the receiver within %s", patience)
		return receiver.Delivery{}
	}
}

// none checks that no delivery arrives for a short while.
func (s *sink) none(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case d := <-s.ch:
		t.Fatalf("unexpected webhook %s: %s", d.Event, d.Body)
	case <-time.After(wait):
	}
}

// mockServer is a server.Server behind httptest with its worker running.
type mockServer struct {
	*server.Server
	URL string
}

func newServer(t *testing.T, cfg server.Config) *mockServer {
	t.Helper()
	if cfg.DB == "" {
		cfg.DB = ":memory:"
	}
	if cfg.AdminKey == "" {
		cfg.AdminKey = adminKey
	}
	s, err := server.New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(func() { require.NoError(t, s.Close()) }) // runs first: ends the event streams
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	require.NoError(t, s.Start(ctx))
	return &mockServer{Server: s, URL: ts.URL}
}

// call makes one API call with key (none when empty) and returns the status
// and the decoded JSON body, whatever the status.
func call(t *testing.T, base, key, method, path string, body any) (int, map[string]any) {
	t.Helper()
	res, err := server.NewClient(base, key, nil).Do(context.Background(), method, path, body)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out), "body: %s", raw)
	return res.StatusCode, out
}

// must makes an API call with the admin key that must answer 200, and
// returns the decoded JSON body.
func must(t *testing.T, base, method, path string, body any) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, server.NewClient(base, adminKey, nil).Call(context.Background(), method, path, body, &out))
	return out
}

// keysInOrder returns the top-level keys of a JSON object in order.
func keysInOrder(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, k.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

// serverConfig is an in-memory server delivering to sk.
func serverConfig(sk *sink) server.Config {
	return server.Config{DB: ":memory:", AdminKey: adminKey, Emitter: sk.emitter(), Seed: 7}
}
