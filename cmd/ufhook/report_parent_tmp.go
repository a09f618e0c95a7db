package main

import "github.com/spf13/cobra"

// This file stands in for cmd/ufhook/report.go, which another branch adds
// with the `report` command and its other subcommands: drop this file when
// merging, and add newReportMergeCmd() to that parent's subcommands.

func init() { commands = append(commands, newReportCmd) }

// newReportCmd returns `ufhook report`, the parent of report merge.
func newReportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with the result files of load runs (emit --results)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newReportMergeCmd())
	return cmd
}
