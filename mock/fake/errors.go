package fake

import "errors"

// Errors returned by this package. Match them with errors.Is. Unknown events
// wrap openapi.ErrUnknownEvent.
var (
	// ErrUnknownModel means a model (e.g. for Lifecycle) has no event in the
	// catalog, or its events carry no record property (x-faker-update).
	ErrUnknownModel = errors.New("unknown model")
	// ErrUnknownMode means a mode is not one of those that the document
	// declares in x-ufhook-modes (for Userfront's, test and live).
	ErrUnknownMode = errors.New("unknown mode")
	// ErrUnknownShape means a Shape value or name is not one of the four
	// shapes.
	ErrUnknownShape = errors.New("unknown shape")
	// ErrBadHint means a schema's x-faker extensions (see the README) are
	// malformed or contradict the schema, so no plan can be compiled for
	// it. The message names the schema path and the extension.
	ErrBadHint = errors.New("bad x-faker hint")
	// ErrBadOverride means an override is not PATH=VALUE, or its path cannot
	// be set in the payload.
	ErrBadOverride = errors.New("bad override")
)
