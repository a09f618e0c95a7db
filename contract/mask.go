package contract

import (
	"strings"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/openapi"
)

// mask returns text, a Result's Got or Reason, with the run's token masked,
// and every near miss of it that the auth cases send for event: a receiver
// that echoes the request headers in its reply must not make the report
// print them, and a near miss (the rotated token, the token with one
// character changed) gives the token away as surely as the token itself.
func (s *Suite) mask(text string, event openapi.Event) string {
	text = bearer.MaskIn(text, s.cfg.Token)
	for _, n := range negatives(event) {
		h, skip := n.header(s.cfg.Token)
		if skip != "" {
			continue
		}
		if _, tok, ok := strings.Cut(h, " "); ok {
			h = tok
		}
		if len(h) >= MinTokenLength {
			text = bearer.MaskIn(text, h)
		}
	}
	return text
}
