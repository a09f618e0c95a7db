package contract

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ufhook/ufhook/openapi"
)

// Routes maps event names to their own URLs. It is a flag.Value (and a
// pflag.Value) for a repeatable -route EVENT=URL flag, and converts to
// Config.Routes as is.
type Routes map[string]string

// Set adds one EVENT=URL. It errors with ErrRoute when the value is not
// EVENT=URL, the event is not in the catalog, the URL is not an absolute
// http or https URL, or the event already has a route.
func (r *Routes) Set(value string) error {
	event, u, ok := strings.Cut(value, "=")
	if !ok || event == "" || u == "" {
		return fmt.Errorf("%w %q: write EVENT=URL, e.g. user.created=https://example.com/hooks/user-created", ErrRoute, value)
	}
	if _, err := openapi.Lookup(event); err != nil {
		return fmt.Errorf("%w %q: %w", ErrRoute, value, err)
	}
	if err := checkURL(u); err != nil {
		return fmt.Errorf("%w %q: %w", ErrRoute, value, err)
	}
	if *r == nil {
		*r = Routes{}
	}
	if prev, dup := (*r)[event]; dup {
		return fmt.Errorf("%w %q: %s already goes to %s: give one route per event", ErrRoute, value, event, prev)
	}
	(*r)[event] = u
	return nil
}

// String lists the routes as EVENT=URL, comma-separated, sorted by event.
func (r *Routes) String() string {
	if r == nil {
		return ""
	}
	parts := make([]string, 0, len(*r))
	for _, event := range slices.Sorted(maps.Keys(*r)) {
		parts = append(parts, event+"="+(*r)[event])
	}
	return strings.Join(parts, ",")
}

// Type names the flag's value for pflag's help output.
func (r *Routes) Type() string { return "EVENT=URL" }
