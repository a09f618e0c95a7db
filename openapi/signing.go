package openapi

// Most providers sign their webhooks, and say so only in prose. A document
// declares how with the top-level extension x-ufhook-signature, which load
// checks (checkSigning) and Signing serves. It applies to every webhook of
// the document, and is either a signature.Parse text:
//
//	x-ufhook-signature: standard-webhooks
//
// or a map of the preset (scheme) and the fields that differ from it:
//
//	x-ufhook-signature:
//	  scheme: timestamped
//	  header: Stripe-Signature
//
// The secret never goes in the document: it comes from --secret or
// $UFHOOK_SIGNING_SECRET.

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/ufhook/ufhook/signature"
)

// ExtSignature is the top-level vendor extension that declares how a
// document's webhooks are signed (see Signing).
const ExtSignature = "x-ufhook-signature"

// signings holds the declared scheme of each loaded document (nil: it
// declares none), keyed by the document, which the catalog keeps.
var signings sync.Map // *openapi3.T → *signature.Scheme

// Signing returns how the document in use says its webhooks are signed,
// from x-ufhook-signature, and false when it says nothing (or cannot be
// loaded).
func Signing() (signature.Scheme, bool) {
	c, err := loaded()
	if err != nil {
		return signature.Scheme{}, false
	}
	v, ok := signings.Load(c.doc)
	if !ok || v.(*signature.Scheme) == nil {
		return signature.Scheme{}, false
	}
	return *v.(*signature.Scheme), true
}

// checkSigning reads and checks the x-ufhook-signature of doc, whose node
// tree is root, and records it for Signing. Its errors give the place in
// source, the JSON pointer, and what to do.
func checkSigning(root *yaml.Node, doc *openapi3.T, source string) error {
	s, err := parseSigning(root, source)
	if err != nil {
		return err
	}
	signings.Store(doc, s)
	return nil
}

// parseSigning is checkSigning without the recording; nil, nil for a
// document without the extension.
func parseSigning(root *yaml.Node, source string) (*signature.Scheme, error) {
	n := child(content(root), ExtSignature)
	if n == nil {
		return nil, nil
	}
	at := func(n *yaml.Node, ptr string) string {
		return fmt.Sprintf("%s:%d: /%s%s", source, n.Line, ExtSignature, ptr)
	}
	fail := func(n *yaml.Node, ptr string, err error) (*signature.Scheme, error) {
		return nil, fmt.Errorf("%s: %w (the README's x-ufhook-signature shows both forms)", at(n, ptr), err)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		s, err := signature.Parse(n.Value)
		if err != nil {
			return fail(n, "", err)
		}
		return &s, nil
	case yaml.MappingNode:
	default:
		return nil, fmt.Errorf("%s: is a %s: give a scheme such as standard-webhooks, or a map {scheme: PRESET, header: NAME, ...}", at(n, ""), kindName(n))
	}
	var name *yaml.Node
	var fields []signature.Field
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s: is a %s: give a string", at(v, "/"+key), kindName(v))
		}
		switch key {
		case "scheme":
			name = v
		case "secret":
			return nil, fmt.Errorf("%s: a signing secret does not belong in the document, where anyone who reads it can forge webhooks: remove it, and give it with --secret or $UFHOOK_SIGNING_SECRET", at(n.Content[i], "/secret"))
		default:
			fields = append(fields, signature.Field{Key: key, Value: v.Value})
		}
	}
	if name == nil {
		return nil, fmt.Errorf("%s: no scheme: name a preset (%s) or custom, e.g. scheme: standard-webhooks",
			at(n, ""), strings.Join(signature.Presets(), ", "))
	}
	s, err := signature.Build(name.Value, fields)
	if err != nil {
		ptr := "/scheme"
		if !errors.Is(err, signature.ErrUnknownScheme) {
			ptr = ""
		}
		return fail(name, ptr, err)
	}
	return &s, nil
}
