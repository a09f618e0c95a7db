package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/openapi"
)

// specEnv names the environment variable that gives --spec its default.
const specEnv = "UFHOOK_SPEC"

// specFlags are the flags of a command that reads the spec.
type specFlags struct {
	path         string
	operations   []string
	contentTypes []string
	auth         string
}

// withSpec gives the command that mk builds, one that reads the spec, the
// --spec flag and the choices a document may leave (--operation,
// --content-type, --auth): before the command runs, the document --spec
// names (or $UFHOOK_SPEC) replaces the embedded Userfront document for the
// whole process (openapi.UseFileWith), and what it leaves to ufhook is said
// on stderr. A document that cannot be used stops the command with exit 2
// before anything is sent.
func withSpec(mk func() *cobra.Command) func() *cobra.Command {
	return func() *cobra.Command {
		cmd := mk()
		var f specFlags
		fl := cmd.Flags()
		fl.StringVar(&f.path, "spec", "", "an OpenAPI 3.1 document with webhooks, YAML or JSON, to use instead of Userfront's (default $"+specEnv+")")
		fl.StringArrayVar(&f.operations, "operation", nil, "with --spec, for a webhook with several operations: the `METHOD` sent, for every webhook that has it, or EVENT=METHOD for one (default post)")
		fl.StringArrayVar(&f.contentTypes, "content-type", nil, "with --spec, for a request body with several media types: the JSON `TYPE` sent, or EVENT=TYPE for one (default application/json)")
		fl.StringVar(&f.auth, "auth", "", "with --spec, the `AUTH` of every webhook in place of the document's security: none, bearer, basic (--token user:password), header:NAME or query:NAME (an API key there). "+
			"Without it, each webhook's security requirement applies, or else the document's top-level one, which OpenAPI 3.1 applies to webhooks too")
		prev := cmd.PreRunE
		cmd.PreRunE = func(c *cobra.Command, args []string) error {
			if err := useSpec(c, f); err != nil {
				return err
			}
			if prev != nil {
				return prev(c, args)
			}
			return nil
		}
		return cmd
	}
}

// useSpec installs the document of --spec, given or not, or else of
// $UFHOOK_SPEC, with the choices of f; with neither, the embedded document
// stays, and the choices are refused.
func useSpec(c *cobra.Command, f specFlags) error {
	given := c.Flags().Changed("spec")
	path, from := f.path, "--spec "+f.path
	if !given {
		path = os.Getenv(specEnv)
		from = specEnv + "=" + path
	}
	if path == "" {
		if given {
			return usageError("--spec is empty: give the path of an OpenAPI 3.1 document, or leave --spec out for Userfront's")
		}
		for _, name := range []string{"operation", "content-type", "auth"} {
			if c.Flags().Changed(name) {
				return usageError("--%s needs --spec (or %s): Userfront's document leaves nothing to choose", name, specEnv)
			}
		}
		return nil
	}
	opts := openapi.LoadOptions{Operations: map[string]string{}, ContentTypes: map[string]string{}}
	for _, v := range f.operations {
		if err := openapi.ParseChoice(opts.Operations, v); err != nil {
			return usageError("--operation %s: %v", v, err)
		}
	}
	for _, v := range f.contentTypes {
		if err := openapi.ParseChoice(opts.ContentTypes, v); err != nil {
			return usageError("--content-type %s: %v", v, err)
		}
	}
	if f.auth != "" {
		auth, err := openapi.ParseAuth(f.auth)
		if err != nil {
			return usageError("--auth: %v", err)
		}
		opts.Auth = auth
	}
	if err := openapi.UseFileWith(path, opts); err != nil {
		return asUsage(fmt.Errorf("%s: %w", from, err))
	}
	errOut := c.ErrOrStderr()
	for _, w := range openapi.Warnings() {
		fmt.Fprintf(errOut, "ufhook: warning: %s: %s\n", path, w)
	}
	for _, ch := range openapi.Choices() {
		fmt.Fprintf(errOut, "ufhook: %s: %s\n", path, ch)
	}
	return nil
}
