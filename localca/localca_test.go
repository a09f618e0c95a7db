package localca_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/localca"
)

func TestServerVerifiesAgainstTheWrittenCA(t *testing.T) {
	ca, err := localca.New()
	require.NoError(t, err)
	cfg, err := ca.ServerTLS()
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	srv.TLS = cfg
	srv.StartTLS()
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "sub", "ca.pem")
	require.NoError(t, ca.WriteCert(path))
	pemBytes, err := os.ReadFile(path)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pemBytes))

	cases := []struct {
		name   string
		pool   *x509.CertPool
		wantOK bool
	}{
		{"trusted CA file", pool, true},
		{"system roots only", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: tc.pool}}}
			for _, host := range []string{"127.0.0.1", "localhost"} {
				u := "https://" + host + ":" + srv.Listener.Addr().(*net.TCPAddr).String()[len("127.0.0.1:"):]
				resp, err := client.Get(u)
				if tc.wantOK {
					require.NoError(t, err, host)
					resp.Body.Close()
					assert.Equal(t, http.StatusOK, resp.StatusCode)
				} else {
					assert.Error(t, err, host)
				}
			}
		})
	}
}

func TestAnotherCAIsNotTrusted(t *testing.T) {
	a, err := localca.New()
	require.NoError(t, err)
	b, err := localca.New()
	require.NoError(t, err)
	cert, err := a.ServerCert()
	require.NoError(t, err)
	_, err = cert.Leaf.Verify(x509.VerifyOptions{Roots: b.Pool(), DNSName: "localhost"})
	assert.Error(t, err)
	_, err = cert.Leaf.Verify(x509.VerifyOptions{Roots: a.Pool(), DNSName: "localhost"})
	assert.NoError(t, err)
}

func TestLoadReusesWhatWasWritten(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca.pem.key")
	ca, reused, err := localca.LoadOrNew(certFile, keyFile)
	require.NoError(t, err)
	assert.False(t, reused, "nothing to reuse yet")
	require.NoError(t, ca.WriteKey(keyFile))
	require.NoError(t, ca.WriteCert(certFile))
	fi, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	again, reused, err := localca.LoadOrNew(certFile, keyFile)
	require.NoError(t, err)
	assert.True(t, reused)
	assert.Equal(t, ca.CertPEM(), again.CertPEM())
	// The reloaded CA issues certificates that the written file verifies.
	cert, err := again.ServerCert()
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pemBytes, err := os.ReadFile(certFile)
	require.NoError(t, err)
	require.True(t, pool.AppendCertsFromPEM(pemBytes))
	_, err = cert.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"})
	assert.NoError(t, err)

	other, err := localca.New()
	require.NoError(t, err)
	garbage := filepath.Join(dir, "garbage")
	require.NoError(t, os.WriteFile(garbage, []byte("nope"), 0o600))
	otherKey := filepath.Join(dir, "other.key")
	require.NoError(t, other.WriteKey(otherKey))
	for name, files := range map[string][2]string{
		"missing certificate": {filepath.Join(dir, "none.pem"), keyFile},
		"missing key":         {certFile, filepath.Join(dir, "none.key")},
		"certificate not PEM": {garbage, keyFile},
		"key not PEM":         {certFile, garbage},
		"another CA's key":    {certFile, otherKey},
	} {
		_, err := localca.Load(files[0], files[1])
		assert.ErrorIs(t, err, localca.ErrUnusable, name)
	}
}

// TestLoadRefusesACAAboutToExpire checks that a CA expiring within
// MinRemaining is not reused: the server certificates it issues would
// outlive it.
func TestLoadRefusesACAAboutToExpire(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "old ufhook CA"},
		NotBefore: time.Now().Add(-29 * 24 * time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca.pem.key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))

	_, err = localca.Load(certFile, keyFile)
	require.ErrorIs(t, err, localca.ErrUnusable)
	assert.Contains(t, err.Error(), "expires")
	ca, reused, err := localca.LoadOrNew(certFile, keyFile)
	require.NoError(t, err)
	assert.False(t, reused)
	assert.Greater(t, time.Until(ca.NotAfter()), localca.MinRemaining)
}
