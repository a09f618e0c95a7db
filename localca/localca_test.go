package localca_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

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
