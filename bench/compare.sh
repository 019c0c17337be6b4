#!/usr/bin/env bash
# Compares DG-Net's runtime with ONNX Runtime and PyTorch (see bench/README.md); arguments go to the harness,
# --help lists them. The report goes to stdout and bench/target/compare.md.
exec "$(dirname "${BASH_SOURCE[0]}")/harness.sh" ai.dgnet.bench.Compare "$@"
