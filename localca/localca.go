// Package localca is a throwaway local certificate authority: it issues TLS
// server certificates for loopback names, so that the reference receiver, the
// suite's self-test and the demo serve real, verifiable HTTPS, and a client
// trusts them through the CA file alone (ufhook emit --ca, curl --cacert).
package localca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

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

// WriteCert writes the CA certificate in PEM form to path, creating its
// folder. It writes a temporary file and renames it, so a reader never sees
// half a certificate.
func (ca *CA) WriteCert(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write CA certificate: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ca-*.pem")
	if err != nil {
		return fmt.Errorf("write CA certificate: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(ca.certPEM); err != nil {
		tmp.Close()
		return fmt.Errorf("write CA certificate %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write CA certificate %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write CA certificate %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write CA certificate %s: %w", path, err)
	}
	return nil
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
