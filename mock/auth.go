package mock

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strings"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// How the emitter authenticates: each event as its security requirement
// says (openapi.Event.Auth), with Config.Token as the key.

// checkToken checks token against the schemes of the events sent (sent,
// or every event when sent is empty): an empty token errors with
// ErrMissingToken when one of them needs credentials, and a token without
// ":" with ErrBadConfig when one of them uses http basic.
func checkToken(token string, evs []openapi.Event, sent map[string]bool) error {
	var needs, basic []openapi.Event
	for _, ev := range evs {
		if len(sent) > 0 && !sent[ev.Name] {
			continue
		}
		if ev.Auth.Scheme != openapi.AuthNone {
			needs = append(needs, ev)
		}
		if ev.Auth.Scheme == openapi.AuthBasic {
			basic = append(basic, ev)
		}
	}
	if token == "" && len(needs) > 0 {
		return fmt.Errorf("%w: %s; give the key the receiver expects", ErrMissingToken, carries(evs, needs))
	}
	if len(basic) > 0 && !strings.Contains(token, ":") {
		return fmt.Errorf("%w: %s uses http basic, whose key is user:password, and the key has no \":\": give it as user:password (e.g. --token alice:s3cret)", ErrBadConfig, names(basic))
	}
	return nil
}

// carries says what the events of needs, those of evs sent that need
// credentials, carry: "every webhook carries Authorization: Bearer <webhook
// API key>" when they all carry the same, else each event's.
func carries(evs, needs []openapi.Event) string {
	same := true
	for _, ev := range needs {
		same = same && ev.Auth == needs[0].Auth
	}
	if same && len(needs) == len(evs) {
		return "every webhook carries " + credentialOf(needs[0].Auth)
	}
	parts := make([]string, len(needs))
	for i, ev := range needs {
		parts[i] = ev.Name + " carries " + credentialOf(ev.Auth)
	}
	return strings.Join(parts, ", ")
}

// names joins the names of evs.
func names(evs []openapi.Event) string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Name
	}
	return strings.Join(out, ", ")
}

// credentialOf says what a delivery with auth carries, with the key named
// as the webhook API key; the zero Auth is Userfront's bearer.
func credentialOf(auth openapi.Auth) string {
	if auth.Scheme == "" {
		auth.Scheme = openapi.AuthBearer
	}
	return strings.ReplaceAll(auth.String(), "<key>", "<webhook API key>")
}

// tokenForms returns the forms of token that a receiver may echo back and
// that output must mask: the token, the base64 that basic sends, and the
// query escape of an apiKey in the query.
func tokenForms(token string) []string {
	if token == "" {
		return nil
	}
	forms := []string{token, base64.StdEncoding.EncodeToString([]byte(token))}
	if q := url.QueryEscape(token); q != token {
		forms = append(forms, q)
	}
	return forms
}

// newRoute works out how the deliveries of ev to target go out: ev's method
// and media type, the ufhook User-Agent (ua, shared), the credentials of
// ev.Auth made from token, and ev's header parameters.
func newRoute(ev openapi.Event, target, token string, ua []string) (*route, error) {
	rt := &route{url: target, shown: target, method: ev.Method, header: http.Header{}}
	if rt.method == "" {
		rt.method = http.MethodPost
	}
	ct := ev.ContentType
	if ct == "" {
		ct = "application/json"
	}
	rt.header["Content-Type"] = []string{ct}
	rt.header["User-Agent"] = ua
	own := map[string]bool{"Content-Type": true, "User-Agent": true, "Authorization": true}
	switch ev.Auth.Scheme {
	case openapi.AuthNone:
	case openapi.AuthBasic:
		rt.header["Authorization"] = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(token))}
	case openapi.AuthAPIKey:
		if ev.Auth.In == "query" {
			u, err := url.Parse(target)
			if err != nil {
				return nil, fmt.Errorf("%w: %q: %v", ErrBadTarget, target, err)
			}
			q := u.Query()
			q.Set(ev.Auth.Name, token)
			u.RawQuery = q.Encode()
			rt.url = u.String()
			q.Set(ev.Auth.Name, bearer.Mask(token))
			u.RawQuery = q.Encode()
			rt.shown, _ = url.QueryUnescape(u.String())
			break
		}
		name := http.CanonicalHeaderKey(ev.Auth.Name)
		rt.header[name] = []string{token}
		own[name] = true
	default: // bearer, and an Event made by hand, as Userfront's
		rt.header["Authorization"] = []string{bearer.Header(token)}
	}
	for _, h := range ev.Headers() {
		name := http.CanonicalHeaderKey(h.Name)
		// OpenAPI ignores header parameters named Content-Type or
		// Authorization: the request body and the security scheme say.
		if own[name] {
			continue
		}
		own[name] = true
		if h.Value != "" && fake.ValidHeaderValue(h.Value) {
			rt.header[name] = []string{h.Value}
			continue
		}
		rt.vary = append(rt.vary, h)
		rt.keys = append(rt.keys, name)
	}
	return rt, nil
}

// values draws the values of the route's varying header parameters for a
// delivery of body: the same body gets the same values, and the retries of
// a delivery share them.
func (rt *route) values(body []byte) []string {
	if len(rt.vary) == 0 {
		return nil
	}
	h := fnv.New64a()
	_, _ = h.Write(body)
	seed := h.Sum64()
	out := make([]string, len(rt.vary))
	for i, p := range rt.vary {
		out[i] = fake.HeaderValue(p, seed+uint64(i))
	}
	return out
}
