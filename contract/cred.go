package contract

// Credentials: what a request carries to authenticate, as the security
// scheme of its webhook says (openapi.Event.Auth), and the auth cases of
// the schemes other than bearer (Userfront's, in auth.go).

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/openapi"
)

// cred is what a request carries to authenticate: one header, or one query
// parameter. The zero cred carries nothing.
type cred struct {
	// right stands for the right credentials of the request's event, as
	// its scheme says, which send works out.
	right bool
	// query puts the credential in the query parameter name, not in the
	// header name.
	query       bool
	name, value string
}

// authz returns the cred of an Authorization header with value v.
func authz(v string) cred { return cred{name: "Authorization", value: v} }

// rightCred is the cred that the right token makes for ev: its scheme's
// credentials, or none when ev declares no security.
func rightCred(ev openapi.Event, token string) cred {
	switch ev.Auth.Scheme {
	case openapi.AuthNone:
		return cred{}
	case openapi.AuthBasic:
		return authz("Basic " + base64.StdEncoding.EncodeToString([]byte(token)))
	case openapi.AuthAPIKey:
		return cred{query: ev.Auth.In == "query", name: ev.Auth.Name, value: token}
	}
	return authz(bearer.Header(token)) // bearer, and an Event made by hand
}

// apply sets c on a request to target, returning the target with a query
// credential added.
func (c cred) apply(h http.Header, target string) string {
	switch {
	case c.name == "":
	case c.query:
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + url.QueryEscape(c.name) + "=" + url.QueryEscape(c.value)
	default:
		h.Set(c.name, c.value)
	}
	return target
}

// kind names the way a scheme sends its credentials, which decides its auth
// cases: bearer, basic, apiKey in a header, apiKey in the query, none.
func kind(a openapi.Auth) string {
	switch a.Scheme {
	case openapi.AuthAPIKey:
		return "apiKey-" + a.In
	case "":
		return string(openapi.AuthBearer)
	}
	return string(a.Scheme)
}

// kinds lists, in the order of evs, the first event of each kind of scheme
// that evs use, AuthNone left out: each kind's auth cases run on it.
func kinds(evs []openapi.Event) []openapi.Event {
	var out []openapi.Event
	seen := map[string]bool{}
	for _, ev := range evs {
		k := kind(ev.Auth)
		if ev.Auth.Scheme == openapi.AuthNone || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, ev)
	}
	return out
}

// schemeNegatives returns the auth cases' requests for event, by its
// scheme: Userfront's bearer cases (negatives), or those of basic or an
// apiKey; none for an event without security.
func schemeNegatives(event openapi.Event) []negative {
	switch kind(event.Auth) {
	case "basic":
		return basicNegatives(event)
	case "apiKey-header":
		return headerKeyNegatives(event)
	case "apiKey-query":
		return queryKeyNegatives(event)
	case "none":
		return nil
	}
	return negatives(event)
}

// declared quotes the security scheme of event, for requirements.
func declared(event openapi.Event, what string) string {
	name := event.Auth.SchemeName
	if name == "" {
		return "the " + what + " scheme that " + event.Name + " uses"
	}
	return "the security scheme " + name + " that the document declares for " + event.Name + " (" + what + ")"
}

// userPass splits a basic token, "user:password".
func userPass(tok string) (string, string) {
	u, p, _ := strings.Cut(tok, ":")
	return u, p
}

func basicOf(user, pass string) cred {
	return authz("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
}

// basicNegatives are the auth cases of http basic (RFC 7617): the user and
// password are checked together, and only in a Basic header.
func basicNegatives(event openapi.Event) []negative {
	req := "A webhook with %s is rejected with 401 or 403: " + declared(event, "type http, scheme basic") +
		" authenticates with \"Authorization: Basic base64(user:password)\" (RFC 7617), and only the configured user with its password may be accepted."
	advice := "the receiver accepted %s: decode the Basic header (r.BasicAuth in Go), compare both the user and the password with the configured ones, in constant time (crypto/subtle), and answer 401 on any mismatch"
	return []negative{
		schemeNegative("auth/basic-missing", "no Authorization header", "no credentials", req, advice,
			func(string) (cred, string) { return cred{}, "" }),
		schemeNegative("auth/basic-wrong-password", "Authorization: Basic <the right user with a different password of the same length>", "a wrong password", req, advice,
			func(tok string) (cred, string) {
				u, p := userPass(tok)
				if p == "" {
					return cred{}, "the configured password is empty, so no other of its length exists"
				}
				return basicOf(u, rotate(p)), ""
			}),
		schemeNegative("auth/basic-other-user", "Authorization: Basic <another user with the right password>", "the right password for another user", req, advice,
			func(tok string) (cred, string) {
				u, p := userPass(tok)
				if u == "" {
					return basicOf("ufhook", p), ""
				}
				return basicOf(rotate(u), p), ""
			}),
		schemeNegative("auth/basic-as-bearer", "Authorization: Bearer <the password>", "the password in a Bearer header", req, advice,
			func(tok string) (cred, string) { _, p := userPass(tok); return authz("Bearer " + p), "" }),
		schemeNegative("auth/basic-malformed", "Authorization: Basic <user:password not base64-encoded>", "credentials that are not base64", req, advice,
			func(tok string) (cred, string) { return authz("Basic " + tok), "" }),
	}
}

// headerKeyNegatives are the auth cases of an apiKey in a header.
func headerKeyNegatives(event openapi.Event) []negative {
	name := event.Auth.Name
	req := "A webhook with %s is rejected with 401 or 403: " + declared(event, "type apiKey, in header, name "+name) +
		" authenticates with the key in the header " + name + ", and only the exact key in that header may be accepted."
	advice := "the receiver accepted %s: read the key from the " + name + " header only, compare it whole with the configured one, in constant time (crypto/subtle), and answer 401 on any mismatch"
	return []negative{
		schemeNegative("auth/api-key-missing", "no "+name+" header", "no "+name+" header", req, advice,
			func(string) (cred, string) { return cred{}, "" }),
		schemeNegative("auth/api-key-wrong", name+": <a different key of the same length>", "a wrong key", req, advice,
			func(tok string) (cred, string) { return cred{name: name, value: rotate(tok)}, "" }),
		schemeNegative("auth/api-key-as-bearer", "Authorization: Bearer <the key>, and no "+name+" header", "the right key as a Bearer token instead of in "+name, req, advice,
			func(tok string) (cred, string) { return authz(bearer.Header(tok)), "" }),
	}
}

// queryKeyNegatives are the auth cases of an apiKey in the query.
func queryKeyNegatives(event openapi.Event) []negative {
	name := event.Auth.Name
	req := "A webhook with %s is rejected with 401 or 403: " + declared(event, "type apiKey, in query, name "+name) +
		" authenticates with the key in the query parameter " + name + " of the webhook URL, and only the exact key in that parameter may be accepted."
	advice := "the receiver accepted %s: read the key from the query parameter " + name + " only, compare it whole with the configured one, in constant time (crypto/subtle), and answer 401 on any mismatch"
	return []negative{
		schemeNegative("auth/api-key-query-missing", "no "+name+" query parameter", "no "+name+" parameter", req, advice,
			func(string) (cred, string) { return cred{}, "" }),
		schemeNegative("auth/api-key-query-wrong", "?"+name+"=<a different key of the same length>", "a wrong key", req, advice,
			func(tok string) (cred, string) { return cred{query: true, name: name, value: rotate(tok)}, "" }),
		schemeNegative("auth/api-key-query-in-header", "the key in a header named "+name+" instead of the query", "the right key in a header instead of the query", req, advice,
			func(tok string) (cred, string) { return cred{name: name, value: tok}, "" }),
	}
}

// schemeNegative builds a negative whose requirement and advice are
// formats of what.
func schemeNegative(id, sends, what, requirement, advice string, c func(tok string) (cred, string)) negative {
	return negative{id: id, sends: sends, what: what, requirement: sprintf(requirement, what), advice1: sprintf(advice, what), header: c}
}

// sprintf replaces the one %s of format with s, leaving any other % alone.
func sprintf(format, s string) string { return strings.Replace(format, "%s", s, 1) }

// checkToken checks the run's token against the schemes of the document in
// use: none is needed when no webhook declares security; else it must be
// given (mock.ErrMissingToken), have MinTokenLength characters at least for
// bearer and an apiKey (ErrShortToken), and be "user:password" for basic
// (mock.ErrBadConfig).
func checkToken(token string) error {
	evs, err := openapi.Events()
	if err != nil {
		return err
	}
	var long, basic []string
	for _, ev := range evs {
		switch kind(ev.Auth) {
		case "none":
		case "basic":
			basic = append(basic, ev.Name)
		default:
			long = append(long, ev.Name)
		}
	}
	if len(long)+len(basic) == 0 {
		return nil
	}
	if token == "" {
		return fmt.Errorf("%w: give the key the receiver expects (-token, --token or UFHOOK_TOKEN)", mock.ErrMissingToken)
	}
	if n := utf8.RuneCountInString(token); len(long) > 0 && n < MinTokenLength {
		return fmt.Errorf("%w: the token has %d characters, fewer than %d: the near-miss cases cannot test it; configure the receiver with a longer key (Userfront's have 57 characters: uf_test_webhook_<tenantId>_<32 hex digits>)", ErrShortToken, n, MinTokenLength)
	}
	if u, p, ok := strings.Cut(token, ":"); len(basic) > 0 && (!ok || u == "" || p == "") {
		return fmt.Errorf("%w: %s uses http basic, whose key is user:password, and the token is not: give it as user:password (e.g. -token=alice:s3cret), the user and password the receiver expects", mock.ErrBadConfig, strings.Join(basic, ", "))
	}
	return nil
}
