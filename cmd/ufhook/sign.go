package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

// secretEnv names the environment variable that gives --secret its
// default, which keeps the signing secret out of shell history.
const secretEnv = "UFHOOK_SIGNING_SECRET"

// signFlags are the flags of a command that signs or verifies webhooks.
type signFlags struct {
	sign    string
	secrets []string
}

// register adds --sign and --secret to cmd; verb says what the command does
// with a signature ("sign the deliveries with", "verify the deliveries
// with"); rotation allows several --secret values.
func (f *signFlags) register(cmd *cobra.Command, verb string, rotation bool) {
	fl := cmd.Flags()
	fl.StringVar(&f.sign, "sign", "", verb+" `SCHEME`: "+strings.Join(signature.Presets(), ", ")+
		", or a preset or custom followed by key=value fields, e.g. 'hmac-sha256 header=X-Signature'; none for no signature (default: the document's x-ufhook-signature, if any)")
	help := "the signing `SECRET` (default $" + secretEnv + "); a Standard Webhooks secret is whsec_ followed by base64. It is never printed whole"
	if rotation {
		help += "; repeat it to accept the signatures of several secrets while a key is rotated"
	}
	fl.StringArrayVar(&f.secrets, "secret", nil, help)
}

// signing is the scheme and secrets a command resolved from its flags, the
// environment and the document.
type signing struct {
	scheme  signature.Scheme
	secrets []string
	// from says where the scheme came from: --sign or the document.
	from string
}

// describe says, for a header line, how the webhooks are signed, with the
// secret masked.
func (s *signing) describe() string {
	if s == nil {
		return ""
	}
	return fmt.Sprintf("signed %s (secret %s)", s.scheme.Name, s.secret())
}

// secret returns the first secret masked (bearer.Mask).
func (s *signing) secret() string { return bearer.Mask(s.secrets[0]) }

// resolve returns the signing of the command, or nil when its webhooks are
// not signed: --sign, else the document's x-ufhook-signature; the secrets
// of --secret, else $UFHOOK_SIGNING_SECRET. A scheme without a secret, or
// --secret without a scheme, is a usage error, as is a bad secret (shown
// masked). With rotation false only one secret is allowed.
func (f *signFlags) resolve(c *cobra.Command, rotation bool) (*signing, error) {
	given := c.Flags().Changed("secret")
	secrets := f.secrets
	if !given {
		if env := os.Getenv(secretEnv); env != "" {
			secrets = []string{env}
		}
	}
	var s *signing
	switch {
	case strings.EqualFold(strings.TrimSpace(f.sign), "none"):
	case f.sign != "":
		scheme, err := signature.Parse(f.sign)
		if err != nil {
			return nil, usageError("--sign %q: %v", f.sign, err)
		}
		s = &signing{scheme: scheme, from: "--sign " + scheme.Name}
	case c.Flags().Changed("sign"):
		return nil, usageError("--sign is empty: give a scheme (%s), or none", strings.Join(signature.Presets(), ", "))
	default:
		if scheme, ok := openapi.Signing(); ok {
			s = &signing{scheme: scheme, from: "the document's " + openapi.ExtSignature + ": " + scheme.Name}
		}
	}
	if s == nil {
		if given {
			return nil, usageError("--secret without a signature scheme: add --sign (%s), or declare %s in the document", strings.Join(signature.Presets(), ", "), openapi.ExtSignature)
		}
		return nil, nil
	}
	if len(secrets) == 0 {
		return nil, usageError("the webhooks are signed (%s) but no secret was given: pass --secret or set %s to the receiver's signing secret, or --sign none for unsigned webhooks", s.from, secretEnv)
	}
	if len(secrets) > 1 && !rotation {
		return nil, usageError("--secret is given %d times: this command signs with one secret; give only the one to sign with", len(secrets))
	}
	for _, sec := range secrets {
		if _, err := signature.NewSigner(s.scheme, sec); err != nil {
			if errors.Is(err, signature.ErrBadSecret) && !given {
				return nil, usageError("$%s: %v", secretEnv, err)
			}
			return nil, usageError("--secret: %v", err)
		}
	}
	s.secrets = secrets
	return s, nil
}

// signer returns the signer of s, nil when s is nil.
func (s *signing) signer() (*signature.Signer, error) {
	if s == nil {
		return nil, nil
	}
	signer, err := signature.NewSigner(s.scheme, s.secrets[0])
	if err != nil {
		return nil, asUsage(err)
	}
	return signer, nil
}
