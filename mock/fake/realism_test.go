package fake_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// The realism of fake payloads, written down from what the hand-written
// generator guaranteed before the spec drove generation, and from what
// Userfront's records are known to hold today (the facts file's "Checked
// again against every public source"), so that the generator compiled from
// the spec keeps it: the shares of the variants that receivers trip over,
// and the rules that keep one record coherent and true to Userfront's.
// Shares are measured over realismSeeds payloads and must fall within the
// band; the bands are wide enough for any seed-independent generator with
// the same weights, and narrow enough to catch a variant that vanished or
// took over.
//
// The rules of today's records:
//   - uuid, authentication, isMfaRequired and isConfirmed are always sent,
//     in every shape, sparse included;
//   - image is any string the user wrote, never null: a URL, "" or a
//     relative path such as /avatar.png;
//   - authorization maps tenant ids to roles: the roles may be empty, there
//     may be several tenants, the user's own among them, and permissions
//     are only ever [] (no invented permission names);
//   - SSO sign-ups use Userfront's strategy names (azure, not microsoft);
//   - a username is the one the user chose (made from the name) or
//     Userfront's default, adjective-noun-xxxxx (fantastic-sun-69l94);
//   - tenant ids use the alphabet of the real ones, 4-9 b d g j m n p q r v
//     w x y z;
//   - a created user's createdAt is moments before the payload's time.

const realismSeeds = 4000

// share is an expected share of payloads, in percent, with a band.
type share struct {
	what     string
	min, max float64
}

var (
	timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	// tenantIDRE is the form of real tenant ids: 8 characters of the
	// alphabet that the 13 ids seen in the wild use.
	tenantIDRE = regexp.MustCompile(`^[456789bdgjmnpqrvwxyz]{8}$`)
	e164RE     = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	avatarRE   = regexp.MustCompile(`^https://res\.cloudinary\.com/component/image/upload/avatars/(avatar-plain|icon)-\d+\.png$`)
	// handleRE is the form of the usernames Userfront makes up.
	handleRE = regexp.MustCompile(`^[a-z]+-[a-z]+-[a-z0-9]{5}$`)
	// ssoStrategies are Userfront's names of its SSO providers.
	ssoStrategies = []string{"apple", "azure", "custom", "facebook", "github", "google", "linkedin", "okta", "twitter"}
	// alwaysSent are the user properties that today's records always
	// carry, in every shape.
	alwaysSent = []string{"uuid", "authentication", "isMfaRequired", "isConfirmed"}
	// roleNames are the roles that fake users hold.
	roleNames = []string{"admin", "member", "viewer", "editor", "owner", "support"}
)

func record(t *testing.T, event string, seed uint64) map[string]any {
	t.Helper()
	body, err := fake.Payload(openapi.MustLookup(event), fake.Options{Seed: seed})
	require.NoError(t, err)
	var env map[string]any
	require.NoError(t, json.Unmarshal(body, &env), "%s", body)
	rec, ok := env["record"].(map[string]any)
	require.True(t, ok, "%s", body)
	require.Equal(t, env["mode"], rec["mode"], "record.mode is the envelope's mode")
	return rec
}

func checkShares(t *testing.T, seen map[string]int, want []share) {
	t.Helper()
	for _, s := range want {
		got := 100 * float64(seen[s.what]) / realismSeeds
		assert.True(t, got >= s.min && got <= s.max, "%s: %.1f%% of realistic payloads, want %.0f%% to %.0f%%", s.what, got, s.min, s.max)
	}
}

func TestRealisticUsersKeepTheirShares(t *testing.T) {
	seen := map[string]int{}
	for seed := range uint64(realismSeeds) {
		u := record(t, "user.created", seed)
		count := func(what string, cond bool) {
			if cond {
				seen[what]++
			}
		}
		auth := u["authentication"].(map[string]any)
		first := auth["firstFactors"].([]any)
		second := auth["secondFactors"].([]any)
		strategy := first[0].(map[string]any)["strategy"].(string)
		sso := !slices.Contains([]string{"password", "link", "verificationCode"}, strategy)
		roles := u["authorization"].(map[string]any)
		username, _ := u["username"].(string)
		count("null phoneNumber", u["phoneNumber"] == nil)
		count("empty name", u["name"] == "")
		count("null username", u["username"] == nil)
		count("null email", u["email"] == nil)
		count("empty data", len(u["data"].(map[string]any)) == 0)
		count("locked", u["locked"] == true)
		count("unconfirmed email", u["isEmailConfirmed"] == false)
		count("confirmed phone", u["isPhoneNumberConfirmed"] == true)
		count("no roles", len(roles) == 0)
		count("second factor", len(second) > 0)
		count("two first factors", len(first) > 1)
		count("sms sign-up", first[0].(map[string]any)["channel"] == "sms")
		count("sso sign-up", sso)
		count("null preferredFirstFactor", u["preferredFirstFactor"] == nil)
		count("null image", u["image"] == nil)
		count("empty image", u["image"] == "")
		count("relative image", u["image"] == "/avatar.png")
		count("username made up by Userfront", handleRE.MatchString(username))
		count("mfa required", u["isMfaRequired"] == true)
		count("several tenants", len(roles) > 1)
		for _, r := range roles {
			_, verbose := r.(map[string]any)["permissions"]
			count("verbose authorization", verbose)
			count("a tenant without roles", len(r.(map[string]any)["roles"].([]any)) == 0)
		}
	}
	checkShares(t, seen, []share{
		{"null phoneNumber", 45, 62},
		{"empty name", 8, 16},
		{"null username", 11, 22},
		{"null email", 3, 10},
		{"empty data", 28, 42},
		{"locked", 4, 10},
		{"unconfirmed email", 19, 33},
		{"confirmed phone", 22, 36},
		{"no roles", 34, 48},
		{"second factor", 19, 32},
		{"two first factors", 15, 27},
		{"sms sign-up", 7, 14},
		{"sso sign-up", 15, 25},
		{"null preferredFirstFactor", 6, 15},
		{"null image", 0, 0},
		{"empty image", 2.5, 8},
		{"relative image", 2, 7},
		{"username made up by Userfront", 45, 64},
		{"mfa required", 10, 21},
		{"several tenants", 5, 13},
		{"verbose authorization", 3, 11},
		{"a tenant without roles", 4, 13},
	})
}

func TestRealisticUsersAreCoherent(t *testing.T) {
	for seed := range uint64(realismSeeds) {
		u := record(t, "user.created", seed)
		name, _ := u["name"].(string)
		email, _ := u["email"].(string)
		username, _ := u["username"].(string)
		auth := u["authentication"].(map[string]any)
		first := auth["firstFactors"].([]any)
		second := auth["secondFactors"].([]any)
		strategy := first[0].(map[string]any)["strategy"].(string)

		assert.Regexp(t, timestampRE, u["createdAt"])
		assert.Regexp(t, tenantIDRE, u["tenantId"])
		assert.Equal(t, u["userUuid"], u["uuid"], "uuid is userUuid")
		for _, k := range []string{"lastActiveAt", "lastMessagedAt", "tenant", "updatedAt"} {
			assert.NotContains(t, u, k, "webhooks drop %s", k)
		}
		if p, ok := u["phoneNumber"].(string); ok {
			assert.Regexp(t, e164RE, p)
		}
		for _, k := range alwaysSent {
			assert.Contains(t, u, k, "today's records always carry %s", k)
		}
		img, isString := u["image"].(string)
		assert.True(t, isString, "image is a string, never null: %v", u["image"])
		if img != "" && img != "/avatar.png" {
			assert.Regexp(t, avatarRE, img)
		}
		if !slices.Contains([]string{"password", "link", "verificationCode"}, strategy) {
			assert.Equal(t, true, u["isEmailConfirmed"], "an SSO sign-up is confirmed: %v", u)
			assert.Contains(t, ssoStrategies, strategy, "SSO strategies have Userfront's names")
		}
		if u["email"] == nil {
			assert.NotNil(t, u["phoneNumber"], "a user without email signed up by SMS")
			assert.Equal(t, false, u["isEmailConfirmed"], "a null email is not confirmed")
			assert.Nil(t, u["username"], "a user without email has no username")
		}
		if first[0].(map[string]any)["channel"] == "sms" {
			assert.NotNil(t, u["phoneNumber"], "an SMS sign-up has a phone number")
			assert.Equal(t, true, u["isPhoneNumberConfirmed"], "an SMS sign-up confirmed its number")
		}
		if u["phoneNumber"] == nil {
			assert.Equal(t, false, u["isPhoneNumberConfirmed"], "no number, nothing confirmed")
		}
		assert.Equal(t, u["isEmailConfirmed"] == true || u["isPhoneNumberConfirmed"] == true, u["isConfirmed"], "isConfirmed is either confirmation")
		if len(first) == 2 {
			assert.NotEqual(t, first[0], first[1], "two first factors differ")
		}
		if p := u["preferredFirstFactor"]; p != nil {
			assert.Contains(t, first, p, "the preferred first factor is one of the first factors")
		}
		if p := u["preferredSecondFactor"]; p != nil {
			assert.Contains(t, second, p, "the preferred second factor is one of the second factors")
		}
		if u["isMfaRequired"] == true {
			assert.NotEmpty(t, second, "MFA needs a second factor")
		}
		if name != "" {
			parts := strings.Fields(strings.ToLower(name))
			require.Len(t, parts, 2, name)
			if email != "" {
				local := email[:strings.IndexByte(email, '@')]
				assert.True(t, strings.Contains(local, parts[0]) || strings.Contains(local, parts[1]), "email %s matches name %s", email, name)
			}
			if username != "" && !handleRE.MatchString(username) {
				assert.True(t, strings.Contains(username, parts[0]) || strings.Contains(username, parts[1]), "username %s matches name %s, or is made up by Userfront", username, name)
			}
		}
		roles := u["authorization"].(map[string]any)
		assert.LessOrEqual(t, len(roles), 3)
		if len(roles) > 0 {
			assert.Contains(t, roles, u["tenantId"], "the user has roles in its own tenant")
		}
		for tenant, r := range roles {
			assert.Regexp(t, tenantIDRE, tenant, "authorization is keyed by tenant ids")
			entry := r.(map[string]any)
			for _, role := range entry["roles"].([]any) {
				assert.Contains(t, roleNames, role)
			}
			if id, ok := entry["tenantId"]; ok {
				assert.Equal(t, tenant, id, "a verbose entry names the tenant of its key")
			}
			if p, ok := entry["permissions"]; ok {
				assert.Equal(t, []any{}, p, "permissions were only ever seen empty")
			}
		}
	}
}

// TestUsersAlwaysCarryTodaysFields checks that every shape, sparse
// included, sends the properties that today's records always carry, in
// every user event.
func TestUsersAlwaysCarryTodaysFields(t *testing.T) {
	for _, ev := range []string{"user.created", "user.updated", "user.deleted"} {
		for _, shape := range []fake.Shape{fake.Realistic, fake.Full, fake.Sparse, fake.WithUnknownFields, fake.Nulls} {
			for seed := range uint64(50) {
				body, err := fake.Payload(openapi.MustLookup(ev), fake.Options{Seed: seed, Shape: shape})
				require.NoError(t, err)
				var env struct {
					Record map[string]any `json:"record"`
				}
				require.NoError(t, json.Unmarshal(body, &env))
				for _, k := range alwaysSent {
					assert.NotNil(t, env.Record[k], "%s %s seed %d: %s is always sent", ev, shape, seed, k)
				}
				assert.Equal(t, env.Record["userUuid"], env.Record["uuid"], "uuid is userUuid")
			}
		}
	}
}

// TestCreatedUsersAreRecent checks that a created user's createdAt is
// moments before the payload's time: Options.Now when set, else a fixed
// time, so that a seed alone fixes the bytes. Other events' users were
// created at any earlier time.
func TestCreatedUsersAreRecent(t *testing.T) {
	created := openapi.MustLookup("user.created")
	now := time.Date(2027, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	fixed := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	older := 0
	for seed := range uint64(500) {
		for _, tc := range []struct{ now, want time.Time }{{now, now}, {time.Time{}, fixed}} {
			body, err := fake.Payload(created, fake.Options{Seed: seed, Now: tc.now})
			require.NoError(t, err)
			at := createdAt(t, body)
			assert.False(t, at.After(tc.want), "createdAt %s is not after the payload's time %s", at, tc.want)
			assert.Less(t, tc.want.Sub(at), 3*time.Second, "createdAt %s is moments before the payload's time %s", at, tc.want)
		}
		first, err := fake.Payload(created, fake.Options{Seed: seed})
		require.NoError(t, err)
		again, err := fake.Payload(created, fake.Options{Seed: seed})
		require.NoError(t, err)
		assert.Equal(t, string(first), string(again), "without Now, a seed gives the same bytes")

		body, err := fake.Payload(openapi.MustLookup("user.updated"), fake.Options{Seed: seed, Now: now})
		require.NoError(t, err)
		if now.Sub(createdAt(t, body)) > 24*time.Hour {
			older++
		}
	}
	assert.Greater(t, older, 450, "an updated user was mostly created long before")
}

func createdAt(t *testing.T, body []byte) time.Time {
	t.Helper()
	var env struct {
		Record struct {
			CreatedAt string `json:"createdAt"`
		} `json:"record"`
	}
	require.NoError(t, json.Unmarshal(body, &env))
	at, err := time.Parse(time.RFC3339Nano, env.Record.CreatedAt)
	require.NoError(t, err, "%s", body)
	return at
}

func TestRealisticTenantsKeepTheirShares(t *testing.T) {
	seen := map[string]int{}
	for seed := range uint64(realismSeeds) {
		tn := record(t, "tenant.created", seed)
		count := func(what string, cond bool) {
			if cond {
				seen[what]++
			}
		}
		_, full := tn["uuid"]
		count("plain form", !full)
		count("null image", tn["image"] == nil)
		count("empty data", len(tn["data"].(map[string]any)) == 0)
		count("null loginRedirectPath", tn["loginRedirectPath"] == nil)
		count("alias", tn["aliasId"] != nil && full)
		if r, ok := tn["roles"].([]any); ok {
			count("extra role", len(r) > 3)
		}

		assert.Regexp(t, tenantIDRE, tn["tenantId"])
		assert.NotEmpty(t, tn["name"])
		assert.NotContains(t, tn, "testTenantId", "webhooks drop testTenantId")
		for _, k := range []string{"uuid", "aliasId", "type", "roles"} {
			_, has := tn[k]
			assert.Equal(t, full, has, "the plain form lacks uuid, aliasId, type and roles together (%s)", k)
		}
		if img, ok := tn["image"].(string); ok {
			assert.Regexp(t, avatarRE, img)
		}
		if alias, ok := tn["aliasId"].(string); ok {
			slug := strings.ToLower(strings.ReplaceAll(tn["name"].(string), " ", "-"))
			assert.Equal(t, slug, alias, "the alias is the name's slug")
		}
	}
	checkShares(t, seen, []share{
		{"plain form", 25, 36},
		{"null image", 11, 20},
		{"empty data", 44, 57},
		{"null loginRedirectPath", 6, 14},
		{"alias", 10, 19},
		{"extra role", 16, 26},
	})
}

func TestLifecycleKeepsTheRecordAndChangesIt(t *testing.T) {
	for _, model := range []string{"user", "tenant"} {
		unchanged := 0
		for seed := range uint64(200) {
			hooks, err := fake.Lifecycle(model, fake.Options{Seed: seed})
			require.NoError(t, err)
			require.Len(t, hooks, 3)
			recs := make([]map[string]any, 3)
			for i, h := range hooks {
				var env map[string]any
				require.NoError(t, json.Unmarshal(h.Body, &env))
				recs[i] = env["record"].(map[string]any)
			}
			id := "userId"
			if model == "tenant" {
				id = "tenantId"
			}
			assert.Equal(t, recs[0][id], recs[1][id], "an update keeps the id")
			if assert.ObjectsAreEqual(recs[0], recs[1]) {
				unchanged++
			}
			assert.Equal(t, recs[1], recs[2], "a delete carries the last state")
		}
		// The hand-written generator's tenant update left the record as it
		// was now and then (a new icon equal to the old one); the compiled
		// generator must not.
		assert.LessOrEqual(t, unchanged, 2, "%s: %d of 200 updates changed nothing", model, unchanged)
	}
}
