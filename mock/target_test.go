package mock

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/localca"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr bool
		wantMsg string
	}{
		{"https", "https://127.0.0.1:8443/webhook", false, ""},
		{"http", "http://localhost:3000/hooks?x=1", false, ""},
		{"not a URL", "http://[::1", true, "is not a URL"},
		{"relative", "/webhook", true, "not an http:// or https:// URL"},
		{"no scheme", "localhost:8080/hook", true, "give an absolute URL such as https://"},
		{"other scheme", "ftp://example.com/x", true, "not an http:// or https:// URL"},
		{"no host", "https:///webhook", true, "has no host"},
		{"port only", "https://:8443/webhook", true, "has no host"},
		{"credentials", "https://u:secret@example.com/", true, "Authorization header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseTarget(tc.raw)
			if !tc.wantErr {
				require.NoError(t, err)
				assert.Equal(t, tc.raw, u.String())
				return
			}
			require.ErrorIs(t, err, ErrBadTarget)
			assert.Contains(t, err.Error(), tc.wantMsg)
			assert.NotContains(t, err.Error(), "secret", "a password in the URL must not be printed")
		})
	}
}

func TestCheckTargetLeavesPlainHTTPToTheMode(t *testing.T) {
	tests := []struct {
		raw     string
		mode    gen.Mode
		wantErr error
	}{
		{"http://127.0.0.1:3000/", gen.ModeTest, nil},
		{"http://127.0.0.1:3000/", "", nil},
		{"https://127.0.0.1:8443/", gen.ModeLive, nil},
		{"http://127.0.0.1:3000/", gen.ModeLive, ErrPlainHTTPLive},
		{"ftp://127.0.0.1/", gen.ModeTest, ErrBadTarget},
		{"ftp://127.0.0.1/", gen.ModeLive, ErrBadTarget},
	}
	for _, tc := range tests {
		t.Run(string(tc.mode)+" "+tc.raw, func(t *testing.T) {
			err := CheckTarget(tc.raw, tc.mode)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			if errors.Is(tc.wantErr, ErrPlainHTTPLive) {
				assert.Contains(t, err.Error(), "use --mode test")
				assert.NotErrorIs(t, err, ErrBadTarget, "plain HTTP in live mode is its own idea")
			}
		})
	}
}

func TestTLSConfig(t *testing.T) {
	ca, err := localca.New()
	require.NoError(t, err)
	other, err := localca.New()
	require.NoError(t, err)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	require.NoError(t, ca.WriteCert(caFile))
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))

	srvTLS, err := ca.ServerTLS()
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	srv.TLS = srvTLS
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes below are on purpose
	srv.StartTLS()
	defer srv.Close()

	get := func(conf *tls.Config) error {
		tr := &http.Transport{TLSClientConfig: conf}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}

	t.Run("the CA file on top of the given roots", func(t *testing.T) {
		base := other.Pool()
		conf, err := TLSConfig(caFile, base, false)
		require.NoError(t, err)
		assert.Equal(t, uint16(tls.VersionTLS12), conf.MinVersion)
		assert.False(t, conf.InsecureSkipVerify)
		require.NoError(t, get(conf))
		assert.Error(t, get(&tls.Config{RootCAs: base, MinVersion: tls.VersionTLS12}), "the given pool must not be changed")
	})
	t.Run("the given roots alone", func(t *testing.T) {
		conf, err := TLSConfig("", ca.Pool(), false)
		require.NoError(t, err)
		require.NoError(t, get(conf))
		conf, err = TLSConfig("", other.Pool(), false)
		require.NoError(t, err)
		var uerr x509.UnknownAuthorityError
		assert.ErrorAs(t, get(conf), &uerr)
	})
	t.Run("system roots by default", func(t *testing.T) {
		conf, err := TLSConfig("", nil, false)
		require.NoError(t, err)
		assert.Nil(t, conf.RootCAs, "nil means the system's roots")
		assert.Error(t, get(conf), "a private CA is not among the system's roots")
	})
	t.Run("insecure", func(t *testing.T) {
		conf, err := TLSConfig("", other.Pool(), true)
		require.NoError(t, err)
		assert.True(t, conf.InsecureSkipVerify)
		require.NoError(t, get(conf))
	})
	for _, tc := range []struct{ name, file, msg string }{
		{"missing CA file", filepath.Join(dir, "nope.pem"), "nope.pem"},
		{"CA file without PEM", notPEM, "-----BEGIN CERTIFICATE-----"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TLSConfig(tc.file, nil, false)
			require.ErrorIs(t, err, ErrBadCA)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), "give ")
		})
	}
}
