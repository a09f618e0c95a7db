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

// carried returns what a payload carries, its record or a messaging
// webhook's factor, decoded; nil for a body that is not such a payload.
func carried(body []byte) map[string]any {
	var env struct{ Record, Factor map[string]any }
	if json.Unmarshal(body, &env) != nil {
		return nil
	}
	if env.Record != nil {
		return env.Record
	}
	return env.Factor
}

// anyString reports whether a string at any depth of v satisfies f.
func anyString(v any, f func(string) bool) bool {
	switch v := v.(type) {
	case string:
		return f(v)
	case map[string]any:
		for _, e := range v {
			if anyString(e, f) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, func(e any) bool { return anyString(e, f) })
	}
	return false
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

// tenants returns the entries of a user record's authorization.
func tenants(rec map[string]any) map[string]any {
	auth, _ := rec["authorization"].(map[string]any)
	return auth
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
		hit: func(b []byte) bool {
			return anyString(carried(b), func(s string) bool {
				return strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
			})
		},
		status: http.StatusInternalServerError, variant: "unicode", exact: true,
		says: "every payload with non-ASCII text got 500, every other payload passed",
	},
	{
		name: "500 on a user in several tenants",
		hit: func(b []byte) bool {
			return len(tenants(carried(b))) > 1
		},
		status: http.StatusInternalServerError, variant: "crowded",
	},
	{
		name: "500 on an empty role list",
		hit: func(b []byte) bool {
			for _, a := range tenants(carried(b)) {
				if roles, ok := a.(map[string]any)["roles"].([]any); ok && len(roles) == 0 {
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
			u, _ := carried(b)["username"].(string)
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
		if body := peek(r); authorized(r) && json.Valid(body) && d.hit(body) {
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
// every time: the run fails, every case of the defect's variant fails, and
// each failed case is one whose payload the defect refuses. The receiver is
// a minimal one (the token, then 204), to keep the 2,400 requests fast.
func TestVarietyVerdictsIgnoreTheSeed(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	var events []Case
	for _, c := range Cases() {
		if c.variant != "" {
			events = append(events, c)
		}
	}
	for _, d := range varietyDefects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			srv := serveTLS(t, d.wrap(minimalReceiver(selfToken)), ca)
			// The cases of the defect's variant that catch it with one
			// seed must catch it with every seed.
			meant := ids(events, func(c Case) bool { return c.variant == d.variant && d.hit(bodyAt(t, 1, c)) })
			require.NotEmpty(t, meant)
			for seed := range uint64(20) {
				seed++
				s, err := New(t.Context(), Config{Target: srv.URL + "/webhook", Token: selfToken, RootCAs: ca.Pool(), Seed: seed})
				require.NoError(t, err)
				var failed, want []string
				for _, c := range events {
					if s.Check(t.Context(), c).Outcome == Fail {
						failed = append(failed, c.ID)
					}
					if d.hit(bodyAt(t, seed, c)) {
						want = append(want, c.ID)
					}
				}
				s.Close()
				slices.Sort(failed)
				slices.Sort(want)
				assert.Equal(t, want, failed, "seed %d: the failed cases are those whose payload the defect refuses", seed)
				for _, id := range meant {
					assert.Contains(t, failed, id, "seed %d: the case meant for the defect fails whatever the seed", seed)
				}
			}
		})
	}
}
