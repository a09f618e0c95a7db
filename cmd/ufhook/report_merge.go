package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/loadreport"
)

// newReportMergeCmd returns `ufhook report merge`, which merges the result
// files of the shards of one run (emit --shard I/N --results) into the
// whole run's.
func newReportMergeCmd() *cobra.Command {
	var output, report string
	cmd := &cobra.Command{
		Use:   "merge SHARD.json... [-o merged.json]",
		Short: "Merge the result files of the shards of one run into the whole run's",
		Long: `Merge the result files that the shards of one run wrote (ufhook emit
--shard I/N --results FILE.json, on one machine or many) into the result of
the whole run, as if one machine had made it, and print its summary as emit
does. Histograms, overall and per event, are merged exactly (HdrHistogram),
so the merged p99 is the p99 of every delivery; counts, statuses, retries
and failures are summed; the latency-per-second series are merged by
wall-clock second (each shard's start time is in its file).

Give every shard's file once, in any order: files of different runs
(another --seed, --rate, --duration, --count, events, target or number of
shards), a missing or repeated shard, and files that are not shards are
refused, saying which. -o writes the merged result file, which reports
read as any other, and --report the merged run's HTML page (as emit
--report draws one run's). It exits 0 once merged (the shards' own exit codes
say whether every delivery succeeded), and 2 for bad files or flags.`,
		Example: `  ufhook report merge shard-0.json shard-1.json shard-2.json shard-3.json -o merged.json
  ufhook report merge results/shard-*.json -o merged.json --report merged.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("no result files: give every shard's file (emit --shard I/N --results FILE.json), such as shard-*.json")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReportMerge(cmd, args, output, report)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the merged result file to `FILE` (JSON)")
	cmd.Flags().StringVar(&report, "report", "", "write the merged run's picture to `FILE` (one self-contained HTML page)")
	return cmd
}

func runReportMerge(cmd *cobra.Command, paths []string, output, report string) error {
	for _, out := range []struct{ flag, path string }{{"-o", output}, {"--report", report}} {
		if out.path == "" {
			continue
		}
		if err := loadreport.CheckWritable(out.path); err != nil {
			return usageError("%s %s: %v", out.flag, out.path, err)
		}
	}
	parts := make([]*loadreport.Results, 0, len(paths))
	for _, path := range paths {
		res, err := loadreport.Read(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return usageError("%s does not exist: give the result files that emit --shard I/N --results wrote", path)
		case err != nil:
			return usageError("%v", err)
		}
		parts = append(parts, res)
	}
	merged, err := loadreport.Merge(parts...)
	if err != nil {
		return usageError("%v (files: %s)", err, strings.Join(paths, " "))
	}
	if output != "" {
		if err := merged.Write(output); err != nil {
			return failure(fmt.Errorf("the merged result file was not written: %w", err))
		}
	}
	if report != "" {
		if err := merged.WriteHTMLFile(report); err != nil {
			return failure(fmt.Errorf("the merged run's page was not written: %w", err))
		}
	}
	w := cmd.OutOrStdout()
	st := merged.Settings
	what := "a fixed body"
	if st.Seed != nil {
		what = fmt.Sprintf("seed %d", *st.Seed)
	}
	load := fmt.Sprintf("%s, concurrency %d per shard", countOf(int(merged.Summary.Sent+merged.Summary.Failed+merged.Summary.Skipped), "delivery"), st.Concurrency)
	if st.Model == "open" {
		load = fmt.Sprintf("rate %s for %s", st.Rate, loadreport.Duration(st.DurationMs))
	}
	into := ""
	if output != "" {
		into = " into " + output
	}
	fmt.Fprintf(w, "merged %d shards of the run (%s, %s, started %s)%s\n", st.Shards, what, load, st.Started.Format("2006-01-02T15:04:05Z07:00"), into)
	width := 0
	for _, name := range st.Events {
		width = max(width, len(name))
	}
	writeSummary(w, merged.Summary, width, st.MaxInFlight, true)
	return nil
}
