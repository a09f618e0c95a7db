//go:build race

package fake

// payloadsPerShape is how many payloads of each event, in each shape,
// TestPayloadsValidate checks under the race detector. The race detector
// slows validation about sevenfold (10,000 took 60 s on a 2-core machine),
// so it checks 2,000 (about 12 s); the full 10,000 run without it
// (norace_test.go), e.g. in `go test ./mock/fake`.
const payloadsPerShape = 2_000
