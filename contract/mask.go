package contract

import (
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/openapi"
)

// mask returns text, a Result's Got or Reason, with the run's signing
// secret masked, and the run's token
// (as sent: whole, in base64 for basic, escaped in a query), and every near
// miss of it that the auth cases send for event: a receiver that echoes the
// request headers in its reply must not make the report print them, and a
// near miss (the rotated token, the token with one character changed)
// gives the token away as surely as the token itself.
func (s *Suite) mask(text string, event openapi.Event) string {
	if s.cfg.Secret != "" {
		// The signing secret, and the other one that signature/wrong-secret
		// signs with, are never sent; mask them all the same.
		text = bearer.MaskIn(text, s.cfg.Secret)
		text = bearer.MaskIn(text, otherSecret(s.cfg.Secret))
	}
	if s.cfg.Token == "" {
		return text
	}
	text = bearer.MaskIn(text, s.cfg.Token)
	text = bearer.MaskIn(text, base64.StdEncoding.EncodeToString([]byte(s.cfg.Token)))
	if q := url.QueryEscape(s.cfg.Token); q != s.cfg.Token {
		text = bearer.MaskIn(text, q)
	}
	for _, n := range schemeNegatives(event) {
		c, skip := n.header(s.cfg.Token)
		if skip != "" {
			continue
		}
		h := c.value
		if _, tok, ok := strings.Cut(h, " "); ok && !c.query && strings.EqualFold(c.name, "Authorization") {
			h = tok
		}
		if len(h) >= MinTokenLength {
			text = bearer.MaskIn(text, h)
		}
	}
	return text
}
