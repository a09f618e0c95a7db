package mock

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// exampleTarget is the URL that the errors of this file give as an example.
const exampleTarget = "https://127.0.0.1:8443/webhook"

// ParseTarget parses raw as the URL of a webhook receiver: an absolute
// http:// or https:// URL with a host and no user:password@ (the token goes
// in the Authorization header, never in the URL). It errors with
// ErrBadTarget, saying what to give instead.
//
// ParseTarget accepts http:// in either mode: the caller decides about plain
// HTTP. A sender applies Userfront's live-mode rule with CheckTarget; the
// conformance suite reports a live receiver on http:// as a failed case
// instead of refusing to run.
func ParseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a URL (%v): give an absolute URL such as %s", ErrBadTarget, raw, err, exampleTarget)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: %q carries credentials, which would leak: Userfront sends the token in the Authorization header only; remove user:password@ from the URL", ErrBadTarget, u.Redacted())
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q is not an http:// or https:// URL: give an absolute URL such as %s", ErrBadTarget, raw, exampleTarget)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q has no host: give an absolute URL such as %s", ErrBadTarget, raw, exampleTarget)
	}
	return u, nil
}

// CheckTarget checks raw as ParseTarget does, then applies the rule of a
// mode that the document marks https (x-ufhook-modes; Userfront's live): an
// http:// URL errors with ErrPlainHTTPLive, as Userfront refuses to send
// live webhooks over plain HTTP. Other modes (Userfront's test), "", and
// every mode of a document without modes allow it. Other errors wrap
// ErrBadTarget.
func CheckTarget(raw string, mode gen.Mode) error {
	u, err := ParseTarget(raw)
	if err != nil {
		return err
	}
	set, _ := openapi.Modes()
	if m, ok := set.Lookup(string(mode)); u.Scheme != "http" || !ok || !m.HTTPS {
		return nil
	}
	var plain []string
	for _, m := range set.Modes {
		if !m.HTTPS {
			plain = append(plain, m.Name)
		}
	}
	hint := "serve the receiver over HTTPS"
	if len(plain) > 0 {
		hint = fmt.Sprintf("%s mode allows HTTP: use --mode %s for a local receiver", plain[0], plain[0])
	}
	return fmt.Errorf("target %s uses plain HTTP: %w, as the provider refuses to send %s webhooks over HTTP (%s)", u.Redacted(), ErrPlainHTTPLive, mode, hint)
}

// TLSConfig returns the TLS configuration of a sender: TLS 1.2 at least,
// certificates verified against roots (nil means the system's roots) plus
// the PEM certificates of caFile when it is not "", and no verification at
// all when insecure is set (the caller warns the person). The result's
// RootCAs is nil when neither roots nor caFile is given. It errors with
// ErrBadCA when caFile cannot be read or holds no PEM certificate.
func TLSConfig(caFile string, roots *x509.CertPool, insecure bool) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots, InsecureSkipVerify: insecure} //nolint:gosec // only when the person asks, with a warning
	if caFile != "" {
		pool, err := caPool(caFile, roots)
		if err != nil {
			return nil, err
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// caPool returns base (or the system's roots when base is nil) plus the
// certificates of the PEM file at path. base is not modified.
func caPool(path string, base *x509.CertPool) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w (give a readable PEM file of the CA that signed the receiver's certificate)", ErrBadCA, err)
	}
	pool := base
	if pool == nil {
		if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
	} else {
		pool = pool.Clone()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: %s holds no PEM certificate: give the CA certificate that signed the receiver's certificate, a file that starts with -----BEGIN CERTIFICATE-----", ErrBadCA, path)
	}
	return pool, nil
}
