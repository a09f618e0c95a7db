package receiver

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/ufhook/ufhook/openapi"
)

// maxLoggedWarnings is how many warnings a log record spells out.
const maxLoggedWarnings = 3

// warningsKey is the context key of a delivery's warnings.
type warningsKey struct{}

// Warnings returns the warnings of the delivery whose callback got ctx:
// the payload's differences from the spec that the handler tolerated, as in
// Delivery.Warnings, so that a callback can decide what to do with a
// payload that breaks the spec. It returns nil when there are none, or when
// ctx is not a callback's.
func Warnings(ctx context.Context) []openapi.Problem {
	w, _ := ctx.Value(warningsKey{}).([]openapi.Problem)
	return slices.Clone(w)
}

// summarize writes warnings on one line for the log: the first limit of
// them, as "path: rule: message", separated by "; ", and how many more
// there are. It returns "" for none.
func summarize(warnings []openapi.Problem, limit int) string {
	if len(warnings) == 0 {
		return ""
	}
	n := min(len(warnings), max(limit, 1))
	parts := make([]string, n, n+1)
	for i, p := range warnings[:n] {
		parts[i] = p.String()
	}
	if more := len(warnings) - n; more > 0 {
		parts = append(parts, "and "+strconv.Itoa(more)+" more")
	}
	return strings.Join(parts, "; ")
}
