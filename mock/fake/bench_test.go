package fake

import (
	"testing"

	"github.com/ufhook/ufhook/gen"
)

// BenchmarkFake measures one payload per event: generation plus JSON
// encoding, in a reused Faker (Realistic and Full shapes) and with the
// package-level Payload, which takes a pooled Faker and reseeds it. Target
// (docs/benchmarks.md): a realistic user.created in at most 5 µs and 8
// allocations.
func BenchmarkFake(b *testing.B) {
	for _, ev := range catalog(b) {
		for _, shape := range []Shape{Realistic, Full} {
			name := ev.Name
			if shape != Realistic {
				name += "/" + shape.String()
			}
			b.Run(name, func(b *testing.B) {
				f := New(1)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := f.Payload(ev, gen.ModeTest, shape); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(ev.Name+"/fresh", func(b *testing.B) {
			b.ReportAllocs()
			var seed uint64
			for b.Loop() {
				seed++
				if _, err := Payload(ev, Options{Seed: seed}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
