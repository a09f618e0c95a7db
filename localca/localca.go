// Package localca is a local certificate authority: it issues TLS server
// certificates for loopback names, so that the reference receiver, the
// suite's self-test and the demo serve real, verifiable HTTPS, and a client
// trusts them through the CA file alone (ufhook emit --ca, curl --cacert).
//
// A CA made by New lives in memory only. One kept on disk with WriteKey and
// read back with Load (or LoadOrNew) stays the same across restarts, so that
// a client that trusts its certificate file keeps working.
package localca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Errors of this package. Match them with errors.Is.
var (
	// ErrUnusable means Load found a CA certificate or key that cannot be
	// reused: missing, unreadable, not PEM, not a CA, a key that does not
	// match the certificate, or a certificate that expires within
	// MinRemaining.
	ErrUnusable = errors.New("local CA not reusable")
)

// MinRemaining is how long a CA read by Load must stay valid: at least as
// long as the server certificates it issues (7 days), and a day more.
const MinRemaining = 8 * 24 * time.Hour

// LoopbackHosts are the names a local server answers to.
var LoopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// CA is a certificate authority whose key lives only in memory.
type CA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

// New creates a CA valid for 30 days. It errors only when the system's random
// source fails.
func New() (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "ufhook local CA " + now.UTC().Format(time.RFC3339), Organization: []string{"ufhook"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	return &CA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// CertPEM returns the CA certificate in PEM form.
func (ca *CA) CertPEM() []byte { return append([]byte(nil), ca.certPEM...) }

// Pool returns a pool that trusts only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// NotAfter is when the CA certificate expires.
func (ca *CA) NotAfter() time.Time { return ca.cert.NotAfter }

// WriteCert writes the CA certificate in PEM form to path (mode 0644),
// creating its folder. It writes a temporary file and renames it, so a
// reader never sees half a certificate.
func (ca *CA) WriteCert(path string) error {
	if err := writeAtomic(path, ca.certPEM, 0o644); err != nil {
		return fmt.Errorf("write CA certificate: %w", err)
	}
	return nil
}

// WriteKey writes the CA's private key in PEM form to path, readable by its
// owner only (mode 0600), through a temporary file and a rename, creating
// its folder.
func (ca *CA) WriteKey(path string) error {
	der, err := x509.MarshalECPrivateKey(ca.key)
	if err != nil {
		return fmt.Errorf("write CA key: %w", err)
	}
	if err := writeAtomic(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("write CA key: %w", err)
	}
	return nil
}

// writeAtomic writes data to path with mode perm through a temporary file in
// the same folder and a rename.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".localca-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Load reads a CA written by WriteCert and WriteKey. It errors with
// ErrUnusable when either file is missing or unreadable, when they do not
// hold a CA certificate and its matching key, or when the certificate
// expires within MinRemaining.
func Load(certPath, keyPath string) (*CA, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnusable, err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnusable, err)
	}
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%w: %s holds no PEM certificate", ErrUnusable, certPath)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnusable, certPath, err)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("%w: %s is not a CA certificate", ErrUnusable, certPath)
	}
	if time.Until(cert.NotAfter) < MinRemaining {
		return nil, fmt.Errorf("%w: %s expires at %s", ErrUnusable, certPath, cert.NotAfter.UTC().Format(time.RFC3339))
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, fmt.Errorf("%w: %s holds no PEM key", ErrUnusable, keyPath)
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnusable, keyPath, err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, fmt.Errorf("%w: the key %s does not match the certificate %s", ErrUnusable, keyPath, certPath)
	}
	return &CA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})}, nil
}

// LoadOrNew returns the CA kept in certPath and keyPath when Load can reuse
// it, and reused true; otherwise a new CA, which the caller writes with
// WriteCert and WriteKey once it is sure to use it. It errors only when New
// does.
func LoadOrNew(certPath, keyPath string) (ca *CA, reused bool, err error) {
	if ca, err := Load(certPath, keyPath); err == nil {
		return ca, true, nil
	}
	ca, err = New()
	return ca, false, err
}

// ServerCert issues a certificate for hosts (DNS names or IP addresses),
// LoopbackHosts when none are given, valid for 7 days.
func (ca *CA) ServerCert(hosts ...string) (tls.Certificate, error) {
	if len(hosts) == 0 {
		hosts = LoopbackHosts
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate server key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"ufhook"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// ServerTLS returns a server configuration with a certificate for hosts
// (LoopbackHosts when none are given) and TLS 1.2 as the minimum version.
func (ca *CA) ServerTLS(hosts ...string) (*tls.Config, error) {
	cert, err := ca.ServerCert(hosts...)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}
