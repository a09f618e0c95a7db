package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/openapi"
)

// specEnv names the environment variable that gives --spec its default.
const specEnv = "UFHOOK_SPEC"

// withSpec gives the command that mk builds, one that reads the spec, the
// --spec flag: before the command runs, the document it names (or
// $UFHOOK_SPEC) replaces the embedded Userfront document for the whole
// process (openapi.UseFile). A document that cannot be used stops the
// command with exit 2 before anything is sent.
func withSpec(mk func() *cobra.Command) func() *cobra.Command {
	return func() *cobra.Command {
		cmd := mk()
		var path string
		cmd.Flags().StringVar(&path, "spec", "", "an OpenAPI 3.1 document with webhooks, YAML or JSON, to use instead of Userfront's (default $"+specEnv+"); its modes come from its x-ufhook-modes, if any")
		prev := cmd.PreRunE
		cmd.PreRunE = func(c *cobra.Command, args []string) error {
			if err := useSpec(c.Flags().Changed("spec"), path); err != nil {
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
// $UFHOOK_SPEC; with neither, the embedded document stays.
func useSpec(given bool, path string) error {
	from := "--spec " + path
	if !given {
		path = os.Getenv(specEnv)
		from = specEnv + "=" + path
	}
	if path == "" {
		if given {
			return usageError("--spec is empty: give the path of an OpenAPI 3.1 document, or leave --spec out for Userfront's")
		}
		return nil
	}
	if err := openapi.UseFile(path); err != nil {
		return asUsage(fmt.Errorf("%s: %w", from, err))
	}
	return nil
}
