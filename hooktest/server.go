package hooktest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/localca"
)

// CA is a fresh local certificate authority for one test, with its
// certificate written to a PEM file in the test's temporary folder. Its Pool
// method (from localca.CA) returns a pool that trusts only it. Several
// servers may share one CA, so that one CA file trusts them all.
type CA struct {
	*localca.CA
	// File is the path of the CA certificate in PEM form, in t.TempDir().
	File string
}

// NewCA creates a CA and writes its certificate file. It stops the test
// when the CA cannot be created or written.
func NewCA(t testing.TB) *CA {
	t.Helper()
	ca, err := localca.New()
	if err != nil {
		t.Fatalf("hooktest: create a local CA: %v", err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := ca.WriteCert(file); err != nil {
		t.Fatalf("hooktest: %v", err)
	}
	return &CA{CA: ca, File: file}
}

// Client returns a client that trusts only this CA, with a 10 s timeout (a
// hang guard), whose idle connections close when the test ends.
func (ca *CA) Client(t testing.TB) *http.Client {
	return newClient(t, ca.Pool())
}

// Server is an HTTPS server on 127.0.0.1 whose certificate a local CA
// signed. The embedded httptest.Server gives its URL, and its Client trusts
// the CA.
type Server struct {
	*httptest.Server
	// CA signed the server's certificate.
	CA *CA
}

// NewTLSServer starts h over HTTPS on 127.0.0.1 with a certificate from a
// fresh CA, and closes the server when the test ends. The server's own log
// (handshake errors, handler panics) goes to t.Log. It stops the test when
// the CA or the certificate cannot be created.
func NewTLSServer(t testing.TB, h http.Handler) *Server {
	t.Helper()
	return NewCA(t).NewTLSServer(t, h)
}

// NewTLSServer is the package's NewTLSServer with a certificate from ca.
func (ca *CA) NewTLSServer(t testing.TB, h http.Handler) *Server {
	t.Helper()
	cfg, err := ca.ServerTLS()
	if err != nil {
		t.Fatalf("hooktest: %v", err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(testLog{t}, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	// httptest's client trusts the leaf certificate; trust the CA instead,
	// as a person who passes --ca does.
	srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs = ca.Pool()
	return &Server{Server: srv, CA: ca}
}

// TrustingClient returns a client that trusts only the CA certificates in
// the PEM file caFile, with a 10 s timeout (a hang guard), whose idle
// connections close when the test ends. It stops the test when the file
// cannot be read or holds no certificate.
func TrustingClient(t testing.TB, caFile string) *http.Client {
	t.Helper()
	b, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatalf("hooktest: read the CA file: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("hooktest: %s holds no PEM certificate: give the CA file the server wrote", caFile)
	}
	return newClient(t, pool)
}

func newClient(t testing.TB, pool *x509.CertPool) *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Timeout: 10 * time.Second, Transport: tr}
}

// Post sends body to url with the Authorization header of token and a JSON
// content type, and returns the status answered. It stops the test when the
// request fails.
func Post(t testing.TB, c *http.Client, url, token string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("hooktest: %v", err)
	}
	req.Header.Set("Authorization", bearer.Header(token))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("hooktest: POST %s: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// WriteKeyPair writes cert's leaf certificate and private key as PEM files
// cert.pem and key.pem in dir, as a person's --tls-cert and --tls-key, and
// returns their paths. It stops the test when they cannot be written.
func WriteKeyPair(t testing.TB, dir string, cert tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatalf("hooktest: encode the private key: %v", err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatalf("hooktest: %v", err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatalf("hooktest: %v", err)
	}
	return certFile, keyFile
}

// testLog writes a server's log lines to the test's log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Logf("server: %s", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
