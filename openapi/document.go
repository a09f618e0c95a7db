package openapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// UseFile reads the OpenAPI 3.1 document at path, YAML or JSON, and makes it
// the document of the whole process, as Use does. $refs inside the document
// and $refs to files beside it (a relative path, with or without a
// fragment) resolve; $refs to URLs are refused. It errors, wrapping
// ErrInvalidDocument and keeping the document in use, when the file cannot
// be read or the document breaks a rule of Use; the message names the file,
// the place in it (line and JSON pointer) and what to do.
func UseFile(path string) error {
	return UseFileWith(path, LoadOptions{})
}

// UseFileWith is UseFile with the choices of opts, for documents that leave
// a choice (several operations or content types for a webhook) or whose
// declared security is to be replaced.
func UseFileWith(path string, opts LoadOptions) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: %w; give the path of an OpenAPI 3.1 document in YAML or JSON", ErrInvalidDocument, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidDocument, path, err)
	}
	c, err := loadWith(data, path, abs, opts)
	return install(c, err)
}

// parseDocument parses data, YAML or JSON, into its node tree, for the
// checks that come before kin-openapi's, which give no line numbers.
func parseDocument(data []byte, source string) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("load %s: it does not parse as YAML or JSON (%s): fix the syntax at that line", source, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return &root, nil
}

// checkDocument refuses, with the place and what to do, what kin-openapi
// would refuse with a message that names neither, or accept: a document
// that is not OpenAPI 3.1, one without webhooks, and a $ref that does not
// resolve. An empty document passes, for kin-openapi to refuse.
func checkDocument(root *yaml.Node, source, path string) error {
	top := content(root)
	if top == nil {
		return nil
	}
	if top.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: the document is a %s, not an OpenAPI object: give an OpenAPI 3.1 document, which starts with openapi: 3.1.0", source, top.Line, kindName(top))
	}
	if v := child(top, "openapi"); v != nil && !strings.HasPrefix(v.Value, "3.1") {
		return fmt.Errorf("%s:%d: /openapi is %q: ufhook reads OpenAPI 3.1 documents, whose webhooks section OpenAPI %s lacks; convert the document to 3.1 (e.g. with openapi-format or by hand) and describe the webhooks under webhooks", source, v.Line, v.Value, v.Value)
	}
	hooks := child(top, "webhooks")
	if hooks == nil || hooks.Kind != yaml.MappingNode || len(hooks.Content) == 0 {
		line := top.Line
		if hooks != nil {
			line = hooks.Line
		}
		return fmt.Errorf("%s:%d: /webhooks: %s has no webhooks: ufhook serves the webhooks section of an OpenAPI 3.1 document; add one webhook per event under webhooks, each a post with an application/json request body", source, line, source)
	}
	refs := refChecker{files: map[string]*yaml.Node{}, done: map[string]bool{}}
	if path != "" {
		refs.files[path] = root
	}
	return refs.walk(top, nil, source, path, root)
}

// refChecker checks that every $ref of a document, and of the files it
// refers to, resolves.
type refChecker struct {
	files map[string]*yaml.Node // parsed files, by absolute path
	done  map[string]bool       // files already walked
}

// walk checks the $refs under n, at pointer tokens ptr of the file source
// (read from path, empty for data given to Use), whose tree is root.
func (r *refChecker) walk(n *yaml.Node, ptr []string, source, path string, root *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "$ref" && v.Kind == yaml.ScalarNode {
				if err := r.check(v, append(ptr, k.Value), source, path, root); err != nil {
					return err
				}
				continue
			}
			if err := r.walk(v, append(ptr, k.Value), source, path, root); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			if err := r.walk(v, append(ptr, strconv.Itoa(i)), source, path, root); err != nil {
				return err
			}
		}
	}
	return nil
}

// check resolves the $ref v, found at ptr of source.
func (r *refChecker) check(v *yaml.Node, ptr []string, source, path string, root *yaml.Node) error {
	at := fmt.Sprintf("%s:%d: %s", source, v.Line, pointer(ptr...))
	u, err := url.Parse(v.Value)
	if err != nil {
		return fmt.Errorf("%s: $ref %q is not a reference (%v): write #/components/schemas/NAME or FILE#/POINTER", at, v.Value, err)
	}
	if u.Scheme != "" || u.Host != "" {
		return fmt.Errorf("%s: $ref %q refers to a URL, and ufhook reads no network: save the document it names beside this one and refer to it by its file name", at, v.Value)
	}
	target, targetName := root, source
	if u.Path != "" {
		if path == "" {
			return fmt.Errorf("%s: $ref %q refers to another file, which resolves only when the document is read from a file: give the document as a file (--spec FILE, openapi.UseFile)", at, v.Value)
		}
		file := filepath.Join(filepath.Dir(path), filepath.FromSlash(u.Path))
		targetName = filepath.Join(filepath.Dir(source), filepath.FromSlash(u.Path))
		if target = r.files[file]; target == nil {
			data, err := os.ReadFile(file)
			if err != nil {
				var pe *fs.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				return fmt.Errorf("%s: $ref %q does not resolve: %v; put the file beside the document or fix the $ref", at, v.Value, err)
			}
			if target, err = parseDocument(data, targetName); err != nil {
				return fmt.Errorf("%s: $ref %q: %w", at, v.Value, err)
			}
			r.files[file] = target
		}
		if !r.done[file] {
			r.done[file] = true
			if top := content(target); top != nil {
				if err := r.walk(top, nil, targetName, file, target); err != nil {
					return err
				}
			}
		}
	}
	if u.Fragment == "" {
		return nil
	}
	if !strings.HasPrefix(u.Fragment, "/") {
		return fmt.Errorf("%s: $ref %q names an anchor, which ufhook does not resolve: refer to the schema by its JSON pointer, e.g. #/components/schemas/NAME", at, v.Value)
	}
	if nodeAt(content(target), u.Fragment) == nil {
		return fmt.Errorf("%s: $ref %q does not resolve: %s has nothing at %s; fix the $ref or add what it names", at, v.Value, targetName, u.Fragment)
	}
	return nil
}

// content returns the top node of a parsed document, or nil for an empty
// one.
func content(root *yaml.Node) *yaml.Node {
	if root == nil || root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil
	}
	return root.Content[0]
}

// child returns the value of key in the mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// nodeAt returns the node at the JSON pointer p (RFC 6901) under n, or nil.
func nodeAt(n *yaml.Node, p string) *yaml.Node {
	if p == "" {
		return n
	}
	for _, tok := range strings.Split(p, "/")[1:] {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch {
		case n == nil:
			return nil
		case n.Kind == yaml.MappingNode:
			n = child(n, tok)
		case n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
	}
	return n
}

// placeOf writes the place in source of the deepest node that exists along
// the pointer tokens, as "file:line: /pointer"; a document without even the
// first token is placed at its top.
func placeOf(root *yaml.Node, source string, tokens ...string) string {
	top := content(root)
	line := 0
	if top != nil {
		line = top.Line
	}
	found := 0
	for i := range tokens {
		n := nodeAt(top, pointer(tokens[:i+1]...))
		if n == nil {
			break
		}
		found, line = i+1, n.Line
	}
	return fmt.Sprintf("%s:%d: %s", source, line, pointer(tokens[:found]...))
}

// webhookOrder returns the keys of the webhooks section in document order,
// which kin-openapi's map does not keep. checkDocument has made sure there
// are some.
func webhookOrder(root *yaml.Node) []string {
	hooks := child(content(root), "webhooks")
	var names []string
	for i := 0; hooks != nil && i+1 < len(hooks.Content); i += 2 {
		names = append(names, hooks.Content[i].Value)
	}
	return names
}

// kindName names a YAML node's kind for a person.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	default:
		return "alias"
	}
}
