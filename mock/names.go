package mock

import (
	"strings"

	"github.com/brianvoe/gofakeit/v7/data"
)

// person is a name from gofakeit's lists with its lowercase ASCII slug, which
// emails and usernames are built from.
type person struct{ name, slug string }

// Word lists, built once from gofakeit's data so that generation itself
// allocates nothing. Only names made of plain ASCII letters are kept, so that
// every email and username matches the name it came from, and names need no
// JSON escaping.
var (
	firstNames = slugged(data.Person["first"])
	lastNames  = slugged(data.Person["last"])
)

func slugged(names []string) []person {
	out := make([]person, 0, len(names))
	for _, n := range names {
		slug := strings.ToLower(n)
		ok := slug != ""
		for i := 0; i < len(n); i++ {
			if c := n[i] | 0x20; c < 'a' || c > 'z' {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, person{name: n, slug: slug})
		}
	}
	return out
}

// Fixed lists. Domains use the reserved example names (RFC 2606), so no fake
// address can belong to anyone.
var (
	emailDomains = []string{
		"example.com", "example.org", "example.net", "mail.example",
		"acme.example", "globex.example", "initech.example", "hooli.example",
	}
	roleNames   = []string{"admin", "member", "viewer", "editor", "owner", "support"}
	permissions = []string{"users:read", "users:write", "billing:read", "billing:manage", "settings:write", "tenants:read"}
	tenantTypes = []string{"basic", "basic", "basic", "multiuser", "multiuser", "enterprise"}
	tenantKinds = []string{"Inc", "Labs", "Group", "LLC", "Studio", "Workspace", "Co", "Project"}
	loginPaths  = []string{"/dashboard", "/app", "/", "/home", "/welcome"}
	logoutPaths = []string{"/login", "/", "/goodbye", "/signin"}
	ssoNames    = []string{"google", "github", "microsoft", "apple", "linkedin", "azure", "okta"}
	planTiers   = []string{"free", "starter", "pro", "enterprise"}
	themes      = []string{"dark", "light", "system"}
	locales     = []string{"en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP", "pt-BR"}
	referrers   = []string{"google", "twitter", "producthunt", "newsletter", "friend", "hackernews"}
	regions     = []string{"us", "eu", "ap"}
	features    = []string{"sso", "audit-log", "scim", "custom-domain", "webhooks"}
	// futureKeys name the unknown fields of the WithUnknownFields shape. None
	// is a property of any schema; a test checks that.
	futureKeys = []string{"webhookId", "signupMethod", "riskScore", "metadata", "labels", "verifiedAt", "source", "flags"}
)

// factor is an authentication factor; both strings are constants.
type factor struct{ channel, strategy string }

var (
	factorEmailPassword = factor{"email", "password"}
	factorEmailLink     = factor{"email", "link"}
	factorEmailCode     = factor{"email", "verificationCode"}
	factorSMSCode       = factor{"sms", "verificationCode"}
	factorTOTP          = factor{"authenticator", "totp"}
	emailFactors        = []factor{factorEmailPassword, factorEmailPassword, factorEmailLink, factorEmailCode}
	secondFactors       = []factor{factorTOTP, factorTOTP, factorSMSCode, factorEmailCode}
)
