//go:build race

package fake

// payloadsPerShape is how many payloads of each event, in each shape,
// TestPayloadsValidate checks under the race detector: the first 200 seeds,
// which the run without it checks too, among its 10,000 (norace_test.go;
// `make test` runs both). The race detector slows validation about
// sevenfold: 2,000 seeds here took 85 s of a 3.5-minute `make test` on a
// 2-core machine, and finding a race needs the parallel subtests, not more
// seeds.
const payloadsPerShape = 200
