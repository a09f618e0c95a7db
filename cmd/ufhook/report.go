package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/loadreport"
)

func init() { commands = append(commands, newReportCmd) }

// newReportCmd is `ufhook report`, the parent of the commands that work
// with result files.
func newReportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with the result files of emit --results",
		Long: `Work with the result files that 'ufhook emit --results FILE.json' writes: the
run's settings, summary, exact HDR histograms and latency per second.`,
		Example: `  ufhook emit --all --target https://127.0.0.1:8443/hooks --ca ca.pem --rate 200/s --duration 30s --results run.json
  ufhook report html run.json -o run.html
  ufhook report merge shard-*.json -o merged.json --report merged.html`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError("unknown command %q for %s (see '%s --help')", args[0], cmd.CommandPath(), cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	// The subcommands of report, one constructor a line: a new one (in
	// its own report_*.go file) is added to this list.
	for _, sub := range []func() *cobra.Command{
		newReportHTMLCmd,
		newReportMergeCmd,
	} {
		cmd.AddCommand(sub())
	}
	return cmd
}

// newReportHTMLCmd is `ufhook report html`.
func newReportHTMLCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "html RESULTS.json [-o FILE.html]",
		Short: "Render a result file as one self-contained HTML page",
		Long: `Render a result file of 'ufhook emit --results' as one HTML page, the same
page that 'ufhook emit --report FILE.html' writes: the latency over time (p50,
p99 and max per second) with the deliveries and failures per second, the
latency distribution (a percentile curve on a logarithmic axis, from the
exact HDR histogram), the latency table overall and per event, the status
codes, retries and failures by kind, and the run's settings. The page holds
its CSS and SVG charts inline, runs no script and fetches nothing, so it
opens offline and can be attached to a ticket as is.

It prints the page on stdout, or writes it to -o FILE atomically. It exits 2
for a result file that cannot be read or is not one, or an output that
cannot be written.`,
		Example: `  ufhook report html run.json -o run.html
  ufhook report html run.json > run.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("%s takes one result file, written by 'ufhook emit --results FILE.json' (got %d arguments)", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReportHTML(cmd, args[0], out)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the page to `FILE` instead of stdout (- for stdout)")
	return cmd
}

func runReportHTML(cmd *cobra.Command, path, out string) error {
	if out == "-" {
		out = ""
	}
	if out != "" {
		if err := loadreport.CheckWritable(out); err != nil {
			return usageError("-o %s: %v", out, err)
		}
	}
	res, err := readResults(path)
	if err != nil {
		return err
	}
	if out == "" {
		if err := loadreport.WriteHTML(cmd.OutOrStdout(), res); err != nil {
			return failure(err)
		}
		return nil
	}
	if err := res.WriteHTMLFile(out); err != nil {
		return usageError("-o %s: %v (give a path in an existing directory that you can write to)", out, err)
	}
	return nil
}

// readResults reads a result file, a usage error saying what to do when it
// cannot be read or is not a result file.
func readResults(path string) (*loadreport.Results, error) {
	res, err := loadreport.Read(path)
	switch {
	case errors.Is(err, loadreport.ErrBadResults):
		return nil, usageError("%v (give a result file written by 'ufhook emit --results FILE.json')", err)
	case errors.Is(err, os.ErrNotExist):
		return nil, usageError("%s: no such result file (write one with 'ufhook emit ... --results FILE.json')", path)
	case err != nil:
		return nil, usageError("%v (give a readable result file, written by 'ufhook emit --results FILE.json')", err)
	}
	return res, nil
}
