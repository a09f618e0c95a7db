package bearer

import "strings"

// shown is how many leading characters of a token Mask shows.
const shown = 4

// MaskIn returns text, such as the start of a reply that echoes the request
// headers, with every copy of token in it replaced by Mask(token), and with a
// copy cut off at the end of text (a prefix of token longer than the four
// characters Mask shows, alone or followed by "…") replaced as Mask would
// show it, so that printing the result never shows the token. An empty
// token leaves text as it is.
func MaskIn(text, token string) string {
	if token == "" {
		return text
	}
	text = strings.ReplaceAll(text, token, Mask(token))
	body := strings.TrimSuffix(text, "…")
	keep := shown
	if len(token) < 12 {
		keep = 0 // Mask shows nothing of a short token
	}
	// A tail no longer than what Mask shows is left alone: it is too short
	// to tell from ordinary text.
	for n := len(token) - 1; n > shown; n-- {
		if strings.HasSuffix(body, token[:n]) {
			return body[:len(body)-n] + token[:keep] + "…"
		}
	}
	return text
}
