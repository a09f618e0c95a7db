package contract

// Receivers with the defects that real code has and that only the variety
// shapes of package fake bring out whatever the seed: non-ASCII names,
// several tenants, an empty role list, a username with dashes, a large body,
// deep nesting. Each joins the faulty receivers of the self-test, and
// TestVarietyVerdictsIgnoreTheSeed runs the events cases against each with
// 20 seeds: the verdict, and the cases meant for the defect, never change.

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
)

// userRecord is what the variety defects read of a payload: a user
// record's username and the roles of its tenants. Only these are decoded,
// to keep the 20-seed test fast.
type userRecord struct {
	Record struct {
		Username      any `json:"username"`
		Authorization map[string]struct {
			Roles *[]json.RawMessage `json:"roles"`
		} `json:"authorization"`
	} `json:"record"`
}

// userOf decodes what the variety defects read of a payload; the zero
// value for a body that is not a user's record webhook.
func userOf(body []byte) userRecord {
	var u userRecord
	_ = json.Unmarshal(body, &u)
	return u
}

// nesting returns how deeply a JSON body nests objects and arrays.
func nesting(body []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range body {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// varietyDefect is a receiver defect that a variety shape always catches.
type varietyDefect struct {
	name string
	// hit says whether the defect refuses a body sent with the right token.
	hit    func(body []byte) bool
	status int
	// variant is the events variant that catches the defect in every run,
	// for every event that has a case of it.
	variant string
	// exact is set when hit catches nothing but that variant, so that the
	// diagnosis of a variant-failed is sure.
	exact bool
	says  string
	// reused is set when the defect refuses the accepted webhook of
	// auth/reused-connection, which is then skipped.
	reused bool
}

const (
	bodyLimit = 16 << 10 // the body limit of the "16 KiB body limit" receiver
	maxDepth  = 32       // the nesting limit of the "nesting limit of 32" receiver
)

var varietyDefects = []varietyDefect{
	{
		name: "500 on non-ASCII text (a Latin-1 database column)",
		// The keys of a payload are ASCII, so a non-ASCII byte is in a
		// string value.
		hit:    func(b []byte) bool { return slices.ContainsFunc(b, func(c byte) bool { return c >= utf8.RuneSelf }) },
		status: http.StatusInternalServerError, variant: "unicode", exact: true,
		says: "every payload with non-ASCII text got 500, every other payload passed",
	},
	{
		name:   "500 on a user in several tenants",
		hit:    func(b []byte) bool { return len(userOf(b).Record.Authorization) > 1 },
		status: http.StatusInternalServerError, variant: "crowded",
	},
	{
		name: "500 on an empty role list",
		hit: func(b []byte) bool {
			for _, a := range userOf(b).Record.Authorization {
				if a.Roles != nil && len(*a.Roles) == 0 {
					return true
				}
			}
			return false
		},
		status: http.StatusInternalServerError, variant: "empty",
	},
	{
		name: "422 on a username with dashes",
		hit: func(b []byte) bool {
			u, _ := userOf(b).Record.Username.(string)
			return strings.Contains(u, "-")
		},
		status: http.StatusUnprocessableEntity, variant: "full", reused: true,
	},
	{
		name:   "a 16 KiB body limit",
		hit:    func(b []byte) bool { return len(b) > bodyLimit },
		status: http.StatusRequestEntityTooLarge, variant: "large", exact: true,
		says: "every payload with about 48 KiB of data was refused with 413, every other payload passed",
	},
	{
		name:   "a JSON nesting limit of 32",
		hit:    func(b []byte) bool { return nesting(b) > maxDepth },
		status: http.StatusBadRequest, variant: "deep", exact: true,
		says: "every payload with data nested 64 levels deep was refused with 400, every other payload passed",
	},
}

// wrap returns the defect as a wrapper of a receiver: a body that it hits,
// sent with the right token, gets its status.
func (d varietyDefect) wrap(next http.Handler) http.Handler {
	return before(func(w http.ResponseWriter, r *http.Request) bool {
		if authorized(r) && d.hit(peek(r)) {
			http.Error(w, d.name, d.status)
			return false
		}
		return true
	})(next)
}

// bodyAt is the body that c sends in a run with seed.
func bodyAt(t *testing.T, seed uint64, c Case) []byte {
	t.Helper()
	b, err := payloadFor(seed, gen.ModeLive, c.ID, c.Event, *c.payload)
	require.NoError(t, err, c.ID)
	return b
}

// varietyFaulty returns the variety defects as faulty receivers of the
// self-test.
func varietyFaulty() []faulty {
	var out []faulty
	for _, d := range varietyDefects {
		fails := func(t *testing.T, c Case) bool {
			return c.delivers && c.ID != "delivery/no-redirect" && c.ID != "delivery/timeout" && d.hit(bodyAt(t, faultySeed, c))
		}
		f := faulty{
			name:   d.name,
			defect: d.wrap,
			fails:  fails,
			meant:  "events/user.created/" + d.variant,
			got:    strconv.Itoa(d.status),
		}
		if d.reused {
			f.skips = notReused
		}
		if d.exact {
			f.diagnoses, f.says = []string{"variant-failed"}, d.says
		} else {
			f.anyDiagnosis = true
		}
		out = append(out, f)
	}
	return out
}

// TestVarietyVerdictsIgnoreTheSeed runs the events cases with 20 seeds
// against a receiver with each variety defect, and asserts the same verdict
// every time: the run fails, every case of the defect's variant that
// catches it with one seed catches it with every seed, and each failed case
// is one whose payload the defect refuses. The receivers are a minimal one
// (the token, then 204) with the defect, and each seed's payloads are made
// once for all six, to keep the 20 × 6 runs fast.
func TestVarietyVerdictsIgnoreTheSeed(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	var events []Case
	for _, c := range Cases() {
		if c.variant != "" {
			events = append(events, c)
		}
	}
	targets := make([]string, len(varietyDefects))
	meant := make([][]string, len(varietyDefects))
	for i, d := range varietyDefects {
		targets[i] = serveTLS(t, d.wrap(minimalReceiver(selfToken)), ca).URL + "/webhook"
		meant[i] = ids(events, func(c Case) bool { return c.variant == d.variant && d.hit(bodyAt(t, 1, c)) })
		require.NotEmpty(t, meant[i], d.name)
	}
	for seed := uint64(1); seed <= 20; seed++ {
		bodies := make([][]byte, len(events))
		for j, c := range events {
			bodies[j] = bodyAt(t, seed, c)
		}
		for i, d := range varietyDefects {
			s, err := New(t.Context(), Config{Target: targets[i], Token: selfToken, RootCAs: ca.Pool(), Seed: seed})
			require.NoError(t, err)
			var failed, want []string
			for j, c := range events {
				if s.Check(t.Context(), c).Outcome == Fail {
					failed = append(failed, c.ID)
				}
				if d.hit(bodies[j]) {
					want = append(want, c.ID)
				}
			}
			s.Close()
			slices.Sort(failed)
			slices.Sort(want)
			assert.Equal(t, want, failed, "%s, seed %d: the failed cases are those whose payload the defect refuses", d.name, seed)
			for _, id := range meant[i] {
				assert.Contains(t, failed, id, "%s, seed %d: the case meant for the defect fails whatever the seed", d.name, seed)
			}
		}
	}
}
