package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/mock"
)

// maxShards bounds N in --shard I/N.
const maxShards = 10_000

// shardHelp is the part of emit's help about --shard.
const shardHelp = `Many machines: --shard I/N makes this process shard I of N of the run
(I from 0 to N-1, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX, so
--shard $(JOB_COMPLETION_INDEX)/N in a Job's args). Give every shard the
same flags but --shard (and --results): shard I makes the run's deliveries
whose index i has i % N == I, each with its seed (--seed+i) and event, and,
with --rate, due when it is due in the whole run, so each shard sends 1/N
of the rate and the N shards together make the run once. --rate and
--count are the whole run's; --concurrency and --max-in-flight are each
shard's. --shard needs --seed (the same on every shard) unless --body is
given. 'ufhook report merge' merges the shards' --results files.`

// parseShard reads --shard I/N. It refuses, as usage errors that say what
// to write, anything but 0 ≤ I < N ≤ maxShards.
func parseShard(s string) (mock.Shard, error) {
	const how = "write I/N, the shard's index from 0 and the number of shards, such as --shard 0/4 (in a Kubernetes Indexed Job, --shard $(JOB_COMPLETION_INDEX)/4)"
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, ierr := strconv.Atoi(is)
	n, nerr := strconv.Atoi(ns)
	switch {
	case !ok || ierr != nil || nerr != nil:
		return mock.Shard{}, usageError("--shard %q: %s", s, how)
	case n < 1 || n > maxShards:
		return mock.Shard{}, usageError("--shard %s: the number of shards must be 1 to %d: %s", s, maxShards, how)
	case i < 0 || i >= n:
		return mock.Shard{}, usageError("--shard %s: shard indices count from 0, so the %d shards are 0/%d to %d/%d: %s", s, n, n, n-1, n, how)
	}
	return mock.Shard{Index: i, Count: n}, nil
}

// shard reads --shard, or returns the zero Shard (the whole run) without
// it. A shard needs --seed, the same on every shard, unless --body sends a
// fixed body: a random seed would make each shard's payloads another
// run's.
func (f emitFlags) shard(cmd *cobra.Command) (mock.Shard, error) {
	fl := cmd.Flags()
	if !fl.Changed("shard") {
		return mock.Shard{}, nil
	}
	sh, err := parseShard(f.shardSpec)
	if err != nil {
		return sh, err
	}
	if f.body == "" && !fl.Changed("seed") {
		return sh, usageError("--shard %s without --seed: give the same --seed to every shard (such as --seed 1), so that together they send the payloads of one run", f.shardSpec)
	}
	return sh, nil
}

// shardNote returns ", shard I/N (D of T deliveries)" for the header of a
// shard's run, "" for a run in one piece.
func shardNote(sh mock.Shard, total int) string {
	if sh.Count == 0 {
		return ""
	}
	return fmt.Sprintf(", shard %d/%d (%d of %s)", sh.Index, sh.Count, sh.Share(total), countOf(total, "delivery"))
}
