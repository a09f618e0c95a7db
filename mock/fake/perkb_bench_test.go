package fake

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// perKBDocuments are the documents of BenchmarkPerKB: Userfront's, the
// baseline, and the provider test set of openapi/testdata/providers.
var perKBDocuments = []struct{ name, file string }{
	{"userfront", ""},
	{"forge", "forge.yaml"},
	{"billing", "billing.yaml"},
	{"identity", "identity.yaml"},
	{"stress", "stress.yaml"},
}

// BenchmarkPerKB measures the cost of generation per kilobyte of payload,
// for each document: fake.Payload (pooled Faker, a new seed each time, the
// realistic shape, JSON encoding included) over every webhook of the
// document in turn, with its plans already compiled. It reports ns/KB,
// cpu-ns/KB (the process's CPU time, steadier on a shared machine) and
// B/payload. Target (issue 13, docs/benchmarks.md): a provider's ns/KB
// within 3× of Userfront's, measured in the same run (-count interleaves
// the documents). Payloads are not validated in the timed loop; before it,
// each webhook's first payload is, and the webhooks whose payloads the
// schema refuses, or that fail to generate, are logged (and the latter
// left out).
func BenchmarkPerKB(b *testing.B) {
	b.Cleanup(func() { require.NoError(b, openapi.Use(openapi.Spec())) })
	for _, doc := range perKBDocuments {
		b.Run(doc.name, func(b *testing.B) {
			if doc.file == "" {
				require.NoError(b, openapi.Use(openapi.Spec()))
			} else {
				require.NoError(b, openapi.UseFile(filepath.Join("..", "..", "openapi", "testdata", "providers", doc.file)))
			}
			evs := warmPlans(b)
			if len(evs) == 0 {
				b.Skip("no webhook of the document generates")
			}
			var (
				size  int64
				count int64
				seed  uint64
				cpu   = cpuTime(b)
			)
			for b.Loop() {
				ev := evs[seed%uint64(len(evs))]
				seed++
				body, err := Payload(ev, Options{Seed: seed})
				if err != nil {
					b.Fatal(err)
				}
				size += int64(len(body))
				count++
			}
			kb := float64(size) / 1024
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/kb, "ns/KB")
			// The CPU time of the process (garbage collection included)
			// depends less than the wall time on the other loads of a
			// shared machine.
			b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/kb, "cpu-ns/KB")
			b.ReportMetric(float64(size)/float64(count), "B/payload")
		})
	}
}

// cpuTime returns the CPU time that the process has used so far, user and
// system.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	require.NoError(tb, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// warmPlans compiles the plan of every webhook of the document in use by
// generating one payload of each, and returns the webhooks that generate.
// It logs those that fail to generate and those whose payload the schema
// refuses.
func warmPlans(b *testing.B) []openapi.Event {
	b.Helper()
	all, err := openapi.Events()
	require.NoError(b, err)
	var (
		evs                 []openapi.Event
		invalid, generating []string
	)
	for _, ev := range all {
		body, err := Payload(ev, Options{Seed: 1})
		if err != nil {
			generating = append(generating, ev.Name+" ("+clip(err.Error())+")")
			continue
		}
		evs = append(evs, ev)
		if err := openapi.Validate(ev, body); err != nil {
			var verr *openapi.ValidationError
			if errors.As(err, &verr) && len(verr.Problems) > 0 {
				err = errors.New(verr.Problems[0].String())
			}
			invalid = append(invalid, ev.Name+" ("+clip(err.Error())+")")
		}
	}
	b.Logf("%d webhooks measured of %d; payload refused by the schema: %s; left out, no payload: %s",
		len(evs), len(all), listOrNone(invalid), listOrNone(generating))
	return evs
}

// listOrNone joins items, or says none.
func listOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, "; ")
}

// clip shortens a reason to its first 80 bytes.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
