#!/usr/bin/env bash
# Load-tests the inference server on loopback (see bench/README.md); --help lists the options. The report goes
# to stdout and bench/target/load-test.md.
exec "$(dirname "${BASH_SOURCE[0]}")/harness.sh" ai.dgnet.bench.LoadTest "$@"
