package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

func init() { commands = append(commands, withSpec(newExampleCmd)) }

// payloadFlags are the flags that choose payloads, shared by example and
// emit.
type payloadFlags struct {
	seed       uint64
	mode       string
	shape      string
	sets       []string
	noValidate bool
}

func (p *payloadFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Uint64Var(&p.seed, "seed", 0, "seed of the payloads: the same seed gives the same bytes (default: a random one)")
	f.StringVar(&p.mode, "mode", "", "mode of the payload, one of the document's modes: test or live for Userfront's (default: the document's, test for Userfront's)")
	f.StringVar(&p.shape, "shape", "realistic", "how records are filled: realistic, full, sparse, unknown-fields, nulls, unicode, crowded, empty, large, deep, huge or longest")
	f.StringArrayVar(&p.sets, "set", nil, "override a field as PATH=VALUE, e.g. record.email=a@b.co or record.data.plan=pro (repeatable; VALUE is JSON if it parses, else a string)")
	f.BoolVar(&p.noValidate, "no-validate", false, "send or print payloads even when an override breaks the spec")
}

// options checks the flags and returns the payload options; a seed not
// given is drawn at random.
func (p *payloadFlags) options(cmd *cobra.Command) (fake.Options, error) {
	mode, err := fake.ParseMode(p.mode)
	if err != nil {
		return fake.Options{}, usageError("--mode: %v", err)
	}
	shape, err := fake.ParseShape(p.shape)
	if err != nil {
		return fake.Options{}, usageError("--shape: %v", err)
	}
	seed := p.seed
	if !cmd.Flags().Changed("seed") {
		seed = rand.Uint64N(1_000_000) // short enough to type again
	}
	return fake.Options{Seed: seed, Mode: mode, Shape: shape}, nil
}

func newExampleCmd() *cobra.Command {
	var (
		p       payloadFlags
		compact bool
	)
	cmd := &cobra.Command{
		Use:   "example EVENT",
		Short: "Print one realistic fake payload of an event",
		Long: `Print one fake webhook payload of EVENT (see 'ufhook events'), as Userfront
would send it: {"action","model","mode","record"}, valid against the spec.

The same --seed always gives the same bytes. --shape picks how the record is
filled: realistic (varies as real records do), full (every field, non-null),
sparse (only required fields, null or empty wherever allowed),
unknown-fields (fields Userfront may add some day), nulls (full, with null
wherever the spec allows it), or one of the shapes that break real
receivers, each full but for one thing, whatever the seed: unicode (accented
Latin, CJK, emoji and right-to-left text in every free-text string), crowded
(three keys in every map, e.g. several tenants, three items in every array),
empty ([] wherever an array may be empty, {} for free-form data), large
(~48 KiB of data), deep (data nested 64 levels), huge (~900 KiB of data,
within a 1 MiB body limit) or longest (every string at its maxLength, where
the spec declares one). --set overrides fields;
an override that breaks the spec is refused unless --no-validate is given.`,
		Example: `  ufhook example user.created
  ufhook example user.updated --seed 42 --mode live --shape sparse
  ufhook example user.created --set record.email=a@b.co --set record.data.plan=pro`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := p.options(cmd)
			if err != nil {
				return err
			}
			body, err := examplePayload(args[0], opts, p.sets, !p.noValidate)
			if err != nil {
				return err
			}
			var out bytes.Buffer
			if compact {
				out.Write(body)
			} else if err := json.Indent(&out, body, "", "  "); err != nil {
				out.Write(body) // --no-validate let a body through that is not JSON
			}
			out.WriteByte('\n')
			_, err = cmd.OutOrStdout().Write(out.Bytes())
			return err
		},
	}
	p.register(cmd)
	cmd.Flags().BoolVar(&compact, "compact", false, "print the JSON on one line, as it is sent")
	return cmd
}

// examplePayload makes, overrides and checks one payload.
func examplePayload(event string, opts fake.Options, sets []string, validate bool) ([]byte, error) {
	ev, err := openapi.Lookup(event)
	if err != nil {
		return nil, usageError("%v (see 'ufhook events')", err)
	}
	body, err := fake.Payload(ev, opts)
	if err != nil {
		return nil, usageError("%v", err)
	}
	body, err = fake.Override(body, sets)
	if err != nil {
		return nil, usageError("--set: %v", err)
	}
	if validate {
		if err := openapi.Validate(ev, body); err != nil {
			if len(sets) > 0 {
				return nil, usageError("the overrides break the spec: %v (fix --set, or add --no-validate to print it anyway)", err)
			}
			return nil, failure(fmt.Errorf("the generated payload breaks its own schema: %v; this is a bug of ufhook's generator for this schema: please report it with the document and the seed (--no-validate prints the payload anyway)", err))
		}
	}
	return body, nil
}
