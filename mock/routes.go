package mock

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ufhook/ufhook/openapi"
)

// Routes maps event names to their own URLs, as Userfront configures one URL
// per event (userCreatedWebhookUrl, ...). It is the one parser of the
// repeatable --route EVENT=URL flag: a flag.Value and a pflag.Value, which
// converts to Config.Routes (and contract.Config.Routes) as is.
type Routes map[string]string

// Set adds one EVENT=URL. It errors with ErrBadRoute when the value is not
// EVENT=URL or the event already has a route, and when the URL fails
// ParseTarget, also wrapping ErrBadTarget. Whether the event is in the
// catalog is for Check to say (NewEmitter and the suite call it), since a
// flag is parsed before --spec installs the document that names it. Plain HTTP is allowed here: the
// sender decides about it, knowing the mode.
func (r *Routes) Set(value string) error {
	event, u, ok := strings.Cut(value, "=")
	if !ok || event == "" || u == "" {
		return fmt.Errorf("%w %q: write EVENT=URL, e.g. user.created=https://localhost:8443/hooks/user-created", ErrBadRoute, value)
	}
	if prev, dup := (*r)[event]; dup {
		return fmt.Errorf("%w for %s: it already goes to %s: give one route per event", ErrBadRoute, event, prev)
	}
	// The event is checked by Check, once the document is known: a flag
	// is parsed before --spec installs the document that names it.
	if _, err := ParseTarget(u); err != nil {
		return fmt.Errorf("%w for %s: %w", ErrBadRoute, event, err)
	}
	if *r == nil {
		*r = Routes{}
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

// Type names the flag's value in pflag's help output.
func (r *Routes) Type() string { return "EVENT=URL" }

// Check checks every route, in the order of the events' names, as Set does:
// it errors with ErrBadRoute, wrapping openapi.ErrUnknownEvent for an event
// that is not in the catalog and ErrBadTarget for a bad URL. It is for
// routes built in Go rather than parsed by Set.
func (r Routes) Check() error {
	for _, event := range slices.Sorted(maps.Keys(r)) {
		if err := checkRoute(event, r[event]); err != nil {
			return fmt.Errorf("%w for %s: %w", ErrBadRoute, event, err)
		}
	}
	return nil
}

// checkRoute checks that event is in the catalog and that u is a URL that
// ParseTarget accepts.
func checkRoute(event, u string) error {
	if _, err := openapi.Lookup(event); err != nil {
		return err
	}
	_, err := ParseTarget(u)
	return err
}
