package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/openapi"
)

func init() { commands = append(commands, withSpec(newEventsCmd)) }

func newEventsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "events",
		Short: "List the webhook events of the spec",
		Long: `List the webhook events, read from the webhooks section of the embedded
OpenAPI document (or of the one --spec names): event name, model, action
and operationId. For a document whose webhooks carry no model and action
consts (another provider's), the columns are the event name, the method
and media type sent, the credentials sent, and the request schema. --json
gives all of it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			evs, err := openapi.Events()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(evs)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			if records(evs) {
				fmt.Fprintln(tw, "EVENT\tMODEL\tACTION\tOPERATION ID")
				for _, ev := range evs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ev.Name, ev.Model, ev.Action, ev.OperationID)
				}
			} else {
				fmt.Fprintln(tw, "EVENT\tSENT AS\tAUTH\tSCHEMA")
				for _, ev := range evs {
					fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\n", ev.Name, ev.Method, ev.ContentType, ev.Auth, ev.SchemaName)
				}
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if scheme, ok := openapi.Signing(); ok {
				fmt.Fprintf(out, "\nsigned (%s) %s\n", openapi.ExtSignature, scheme)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the catalog as JSON")
	return cmd
}

// records reports whether every event has a model and an action, as
// Userfront's record webhooks do.
func records(evs []openapi.Event) bool {
	for _, ev := range evs {
		if ev.Model == "" || ev.Action == "" {
			return false
		}
	}
	return len(evs) > 0
}
