package contract

// The https cases read what New found when it connected: the schemes of the
// URLs, and the TLS handshake with every https origin. They send no webhook.

import (
	"context"
	"crypto/tls"
	"net/url"
	"strings"

	"github.com/ufhook/ufhook/openapi"
)

func httpsCases([]openapi.Event) []Case {
	return append(modeHTTPSCases(), []Case{
		{
			ID:          "https/certificate",
			Sends:       "a TLS handshake to every https URL, verifying the certificate against the system roots or -ca",
			Requirement: "The receiver's certificate must verify for its host name, or Userfront cannot deliver.",
			check: func(_ context.Context, s *Suite, _ Case) Result {
				origins := s.httpsOrigins()
				if len(origins) == 0 {
					return skipped("no https URL: plain HTTP has no certificate to check")
				}
				if s.cfg.Insecure {
					return skipped("-insecure: certificates were not verified, so this case cannot pass")
				}
				var good []string
				for _, o := range origins {
					key := originKey(o.url)
					if o.handshakeErr != nil {
						return failed("a verified TLS handshake", "TLS handshake with "+key+" failed: "+o.handshakeErr.Error(),
							"serve HTTPS at this URL (is it plain HTTP?)")
					}
					if o.certErr != nil {
						return failed("a certificate that verifies for "+o.url.Hostname(), key+": "+o.certErr.Error(),
							"serve a certificate from a public CA (e.g. Let's Encrypt); for a local receiver pass its CA with -ca=FILE")
					}
					good = append(good, key)
				}
				return passed("certificate verified for " + strings.Join(good, ", "))
			},
		},
		{
			ID:          "https/tls-version",
			Sends:       "a TLS handshake to every https URL, offering TLS 1.0 to 1.3",
			Requirement: "The receiver must negotiate TLS 1.2 or later.",
			check: func(_ context.Context, s *Suite, _ Case) Result {
				origins := s.httpsOrigins()
				if len(origins) == 0 {
					return skipped("no https URL: plain HTTP has no TLS version")
				}
				var got []string
				for _, o := range origins {
					key := originKey(o.url)
					if o.handshakeErr != nil {
						return failed("TLS 1.2 or later", "TLS handshake with "+key+" failed: "+o.handshakeErr.Error(),
							"serve HTTPS at this URL, with TLS 1.2 or 1.3 enabled")
					}
					if o.version < tls.VersionTLS12 {
						return failed("TLS 1.2 or later", key+" negotiated "+tls.VersionName(o.version),
							"enable TLS 1.2 and 1.3 on the receiver (and disable 1.0 and 1.1)")
					}
					got = append(got, key+" negotiated "+tls.VersionName(o.version))
				}
				return passed(strings.Join(got, ", "))
			},
		},
	}...)
}

// modeHTTPSCases returns a case https/<mode>-https for each mode that the
// document declares must go over HTTPS (x-ufhook-modes: https), such as
// Userfront's live: runs in that mode check that every URL is https://.
func modeHTTPSCases() []Case {
	set, ok := openapi.Modes()
	if !ok {
		return nil
	}
	var cs []Case
	for _, m := range set.Modes {
		if !m.HTTPS {
			continue
		}
		name := m.Name
		cs = append(cs, Case{
			ID:          "https/" + name + "-https",
			Sends:       "nothing: it reads the scheme of the target and route URLs (" + name + " mode only)",
			Requirement: strings.ToUpper(name[:1]) + name[1:] + " webhooks must be sent over HTTPS: the provider fails a " + name + " webhook configured with a plain http:// URL.",
			check: func(_ context.Context, s *Suite, _ Case) Result {
				if string(s.cfg.Mode) != name {
					return skipped(string(s.cfg.Mode) + " mode: " + string(s.cfg.Mode) + " webhooks may use plain HTTP")
				}
				var plain []string
				for _, raw := range s.urls() {
					if u, _ := url.Parse(raw); u.Scheme == "http" {
						plain = append(plain, raw)
					}
				}
				if len(plain) > 0 {
					return failed("https:// URLs only", "plain HTTP: "+strings.Join(plain, ", "),
						"the provider fails a "+name+" webhook configured with a plain http:// URL: serve the receiver over HTTPS"+plainHTTPHint(set))
				}
				return passed("every URL uses https")
			},
		})
	}
	return cs
}

// plainHTTPHint names, after "serve the receiver over HTTPS", the modes that
// may use plain HTTP, for a receiver that serves one of those.
func plainHTTPHint(set openapi.ModeSet) string {
	var hint string
	for _, m := range set.Modes {
		if !m.HTTPS {
			hint += ", or check a " + m.Name + "-mode receiver in " + m.Name + " mode (-mode=" + m.Name + ")"
		}
	}
	return hint
}

// httpsOrigins returns the https origins, in a stable order.
func (s *Suite) httpsOrigins() []*origin {
	var out []*origin
	seen := map[string]bool{}
	for _, raw := range s.urls() {
		u, _ := url.Parse(raw)
		key := originKey(u)
		if u.Scheme == "https" && !seen[key] {
			seen[key] = true
			out = append(out, s.origins[key])
		}
	}
	return out
}
