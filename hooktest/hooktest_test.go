package hooktest_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/localca"
)

func TestTokenIsLongEnough(t *testing.T) {
	assert.GreaterOrEqual(t, len(hooktest.Token), 8, "every token check needs at least 8 characters")
}

func TestLockedBuffer(t *testing.T) {
	var b hooktest.LockedBuffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				n, err := fmt.Fprintf(&b, "%d", i)
				assert.NoError(t, err)
				assert.Equal(t, 1, n)
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, b.String(), 800, "no write is lost")
}

func TestTLSServer(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := hooktest.NewTLSServer(t, rec)
	assert.True(t, strings.HasPrefix(srv.URL, "https://127.0.0.1:"), srv.URL)
	assert.Equal(t, filepath.Dir(t.TempDir()), filepath.Dir(filepath.Dir(srv.CA.File)), "the CA file is in the test's temporary folder")

	clients := map[string]*http.Client{
		"Client":         srv.Client(),
		"CA.Client":      srv.CA.Client(t),
		"TrustingClient": hooktest.TrustingClient(t, srv.CA.File),
	}
	for name, c := range clients {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, 200, hooktest.Post(t, c, srv.URL+"/hook", hooktest.Token, []byte(`{}`)))
		})
	}
	assert.Equal(t, 3, rec.Len())

	// The server is trusted through the CA, not through its own certificate:
	// a pool with the CA alone verifies it, and the pool of another CA does not.
	pem, err := os.ReadFile(srv.CA.File)
	require.NoError(t, err)
	fromFile := x509.NewCertPool()
	require.True(t, fromFile.AppendCertsFromPEM(pem))
	assert.True(t, fromFile.Equal(srv.CA.Pool()), "the file holds the CA of the pool")
	assert.True(t, srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs.Equal(srv.CA.Pool()))

	other := hooktest.NewCA(t)
	_, err = other.Client(t).Get(srv.URL)
	var verr *tls.CertificateVerificationError
	assert.True(t, errors.As(err, &verr), "a client of another CA is refused: %v", err)
	_, err = http.Get(srv.URL)
	assert.True(t, errors.As(err, &verr), "a client of the system roots is refused: %v", err)
	assert.Equal(t, 3, rec.Len(), "refused clients reach no handler")
}

func TestSharedCA(t *testing.T) {
	ca := hooktest.NewCA(t)
	a := ca.NewTLSServer(t, hooktest.NewRecorder())
	b := ca.NewTLSServer(t, hooktest.NewRecorder())
	assert.NotEqual(t, a.URL, b.URL)
	c := hooktest.TrustingClient(t, ca.File)
	for _, u := range []string{a.URL, b.URL} {
		assert.Equal(t, 200, hooktest.Post(t, c, u, hooktest.Token, nil), "one CA file trusts every server of the CA")
	}
}

func TestTrustingClientNeedsCertificate(t *testing.T) {
	// TrustingClient stops the test on a bad file: run it on a stand-in.
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	for _, file := range []string{notPEM, filepath.Join(dir, "missing.pem")} {
		ft := &fatalT{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			hooktest.TrustingClient(ft, file)
		}()
		<-done
		assert.True(t, ft.failed, "%s is refused", file)
		assert.Contains(t, ft.msg, "hooktest:")
	}
}

// fatalT records Fatalf instead of stopping the real test.
type fatalT struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fatalT) Helper() {}
func (f *fatalT) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestRecorder(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := hooktest.NewTLSServer(t, rec)
	c := srv.Client()
	send := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Try", path)
		resp, err := c.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}

	code, body := send(http.MethodPost, "/a?x=1", `{"n":1}`)
	assert.Equal(t, 200, code)
	assert.Equal(t, `{"received":true,"status":200}`, body, "the default body names the status")

	rec.SetStatus(503, 429, 204)
	var got []int
	for range 5 {
		code, _ := send(http.MethodPut, "/b", "")
		got = append(got, code)
	}
	assert.Equal(t, []int{503, 429, 204, 204, 204}, got, "codes in turn, then the last")

	rec.SetStatus()
	rec.SetBody(`{"ok":true}`)
	code, body = send(http.MethodPost, "/c", "x")
	assert.Equal(t, 200, code)
	assert.Equal(t, `{"ok":true}`, body)

	reqs := rec.Requests()
	require.Len(t, reqs, 7)
	assert.Equal(t, 7, rec.Len())
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/a", reqs[0].URL.Path)
	assert.Equal(t, "x=1", reqs[0].URL.RawQuery)
	assert.Equal(t, "/a?x=1", reqs[0].Header.Get("X-Try"))
	assert.Equal(t, `{"n":1}`, string(reqs[0].Body))
	assert.Equal(t, http.MethodPut, reqs[1].Method)
	assert.Equal(t, "x", string(reqs[6].Body))

	reqs[0] = hooktest.Request{}
	assert.Equal(t, http.MethodPost, rec.Requests()[0].Method, "Requests returns a copy of the list")
}

func TestRecorderConcurrent(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := hooktest.NewTLSServer(t, rec)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Equal(t, 200, hooktest.Post(t, srv.Client(), srv.URL, hooktest.Token, []byte("{}")))
			_ = rec.Requests()
		}()
	}
	wg.Wait()
	require.Equal(t, 20, rec.Len())
	for _, r := range rec.Requests() {
		assert.Equal(t, "Bearer "+hooktest.Token, r.Header.Get("Authorization"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	}
}

func TestWriteKeyPair(t *testing.T) {
	ca := hooktest.NewCA(t)
	cert, err := ca.ServerCert()
	require.NoError(t, err)
	certFile, keyFile := hooktest.WriteKeyPair(t, t.TempDir(), cert)
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	require.NoError(t, err, "the files load as a key pair")
	assert.Equal(t, cert.Certificate[0], pair.Certificate[0])
	_, err = pair.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: localca.LoopbackHosts[0]})
	assert.NoError(t, err, "the leaf is the CA's")
}
