#!/usr/bin/env bash
# Regenerates default.pgo, the CPU profile that `go build` and `go run .`
# apply to the litho binary (profile-guided optimisation: Go inlines and
# lays out the hot paths the profile shows, here mostly GoMLX's pure-Go
# kernels). It changes no floating-point result on amd64, so artifacts
# keep their bytes. Rerun it after a GoMLX upgrade or a change to the
# model. The profile blends the benchmarks of the stages that take a
# default run's time: training and validation (most of it), ingest and
# bin, clustering. Takes under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

profile() { # package, benchmark pattern, benchtime
	go test "$1" -run '^$' -bench "$2" -benchtime "$3" -o "$tmp/bench.test" -cpuprofile "$tmp/$(basename "$1").prof" >/dev/null
}
profile ./stages/train 'BenchmarkEpoch$|BenchmarkValidation$' 4x
profile ./stages/lily 'BenchmarkIngestBin$' 2x
profile ./stages/cluster 'BenchmarkGMMk18$|BenchmarkKMeansk18x10$' 1x
go tool pprof -proto "$tmp"/*.prof >"$tmp/default.pgo"
mv "$tmp/default.pgo" default.pgo
echo "pgo.sh: wrote default.pgo ($(wc -c <default.pgo) bytes)" >&2
