package openapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// AuthScheme names a way of authenticating a webhook delivery that ufhook
// can send and check.
type AuthScheme string

// The schemes ufhook sends. A document's security scheme of another kind
// (oauth2, openIdConnect, mutualTLS, an apiKey in a cookie, http digest) is
// refused on load with a message that names it.
const (
	// AuthNone sends no credentials: the webhook declares no security.
	AuthNone AuthScheme = "none"
	// AuthBearer sends "Authorization: Bearer <key>" (http, scheme bearer).
	AuthBearer AuthScheme = "bearer"
	// AuthBasic sends "Authorization: Basic base64(user:password)" (http,
	// scheme basic); the key is "user:password".
	AuthBasic AuthScheme = "basic"
	// AuthAPIKey sends the key itself in a header or a query parameter
	// (apiKey, in header or query).
	AuthAPIKey AuthScheme = "apiKey"
)

// Auth is how the deliveries of a webhook authenticate, read from its
// security requirement (or the document's top-level one, which OpenAPI 3.1
// applies to webhooks too), or set by LoadOptions.Auth.
type Auth struct {
	// Scheme is the kind of credentials.
	Scheme AuthScheme `json:"scheme"`
	// In is "header" or "query" for AuthAPIKey, and empty otherwise.
	In string `json:"in,omitempty"`
	// Name is the header or query parameter of an AuthAPIKey, e.g.
	// "X-Api-Key"; empty otherwise.
	Name string `json:"name,omitempty"`
	// SchemeName is the key of the scheme in components.securitySchemes;
	// empty for AuthNone and for an Auth given by LoadOptions.
	SchemeName string `json:"securityScheme,omitempty"`
}

// String describes what a delivery carries, e.g. "Authorization: Bearer
// <key>", "X-Api-Key: <key>", "?api_key=<key>" or "no credentials".
func (a Auth) String() string {
	switch a.Scheme {
	case AuthBearer:
		return "Authorization: Bearer <key>"
	case AuthBasic:
		return "Authorization: Basic <user:password in base64>"
	case AuthAPIKey:
		if a.In == "query" {
			return "?" + a.Name + "=<key>"
		}
		return a.Name + ": <key>"
	default:
		return "no credentials"
	}
}

// ErrBadAuth means an --auth value (ParseAuth) is not one ufhook knows.
var ErrBadAuth = errors.New("bad auth")

// ParseAuth reads the text of an --auth flag: "none", "bearer", "basic",
// "header:NAME" or "query:NAME" (an API key in that header or query
// parameter).
func ParseAuth(s string) (Auth, error) {
	switch s {
	case "none":
		return Auth{Scheme: AuthNone}, nil
	case "bearer":
		return Auth{Scheme: AuthBearer}, nil
	case "basic":
		return Auth{Scheme: AuthBasic}, nil
	}
	in, name, ok := strings.Cut(s, ":")
	if ok && (in == "header" || in == "query") && name != "" && !strings.ContainsAny(name, " \t\r\n:") {
		return Auth{Scheme: AuthAPIKey, In: in, Name: name}, nil
	}
	return Auth{}, fmt.Errorf("%w %q: use none, bearer, basic, header:NAME or query:NAME (an API key in that header or query parameter)", ErrBadAuth, s)
}

// authOf reads the auth of an operation: its own security requirement when
// it has one (an empty one is none), else the document's top-level one.
// Of the alternatives of a requirement, the first that ufhook can send is
// taken; an alternative that needs several schemes at once cannot be sent.
func authOf(doc *openapi3.T, op *openapi3.Operation) (auth Auth, where string, err error) {
	reqs, where := doc.Security, "/security"
	if op.Security != nil {
		reqs, where = *op.Security, "security"
	}
	if len(reqs) == 0 {
		return Auth{Scheme: AuthNone}, where, nil
	}
	var refused []string
	for _, req := range reqs {
		if len(req) == 0 {
			return Auth{Scheme: AuthNone}, where, nil
		}
		names := make([]string, 0, len(req))
		for name := range req {
			names = append(names, name)
		}
		slices.Sort(names)
		if len(names) > 1 {
			refused = append(refused, strings.Join(names, " and ")+" together (ufhook sends one scheme)")
			continue
		}
		a, why := schemeAuth(doc, names[0])
		if why == "" {
			return a, where, nil
		}
		refused = append(refused, why)
	}
	return Auth{}, where, fmt.Errorf("no security requirement that ufhook can send: %s; ufhook sends http bearer, http basic, or an apiKey in a header or the query: choose one with --auth (bearer, basic, header:NAME, query:NAME or none)", strings.Join(refused, "; "))
}

// schemeAuth turns the security scheme named name into an Auth, or says
// why ufhook cannot send it.
func schemeAuth(doc *openapi3.T, name string) (Auth, string) {
	var ref *openapi3.SecuritySchemeRef
	if doc.Components != nil {
		ref = doc.Components.SecuritySchemes[name]
	}
	if ref == nil || ref.Value == nil {
		return Auth{}, fmt.Sprintf("security scheme %q is not in components.securitySchemes", name)
	}
	s := ref.Value
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		return Auth{Scheme: AuthBearer, SchemeName: name}, ""
	case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
		return Auth{Scheme: AuthBasic, SchemeName: name}, ""
	case s.Type == "apiKey" && (s.In == "header" || s.In == "query") && s.Name != "":
		return Auth{Scheme: AuthAPIKey, In: s.In, Name: s.Name, SchemeName: name}, ""
	case s.Type == "http":
		return Auth{}, fmt.Sprintf("security scheme %q is http %s", name, s.Scheme)
	case s.Type == "apiKey":
		return Auth{}, fmt.Sprintf("security scheme %q is an apiKey in the %s", name, s.In)
	default:
		return Auth{}, fmt.Sprintf("security scheme %q is %s", name, s.Type)
	}
}
