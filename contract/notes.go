package contract

import (
	"strings"

	"github.com/ufhook/ufhook/openapi"
)

// NoAuthNote is the line a run's summary carries when no webhook of the
// document declares security, so that the suite has no auth cases.
const NoAuthNote = "no auth cases: the document declares no security for these webhooks"

// Notes returns the lines that a run's summary prints before its counts,
// about what the document in use leaves out: NoAuthNote when no webhook
// declares security, or the webhooks that declare none (which no auth case
// checks) when only some do. Both ufhook check and go test ./contract
// print them.
func Notes() []string {
	evs, err := openapi.Events()
	if err != nil {
		return nil
	}
	var none []string
	for _, ev := range evs {
		if ev.Auth.Scheme == openapi.AuthNone {
			none = append(none, ev.Name)
		}
	}
	switch {
	case len(none) == 0:
		return nil
	case len(none) == len(evs):
		return []string{NoAuthNote}
	case len(none) == 1:
		return []string{"no auth cases for " + none[0] + ": the document declares no security for it"}
	}
	return []string{"no auth cases for " + strings.Join(none, ", ") + ": the document declares no security for them"}
}
