#!/usr/bin/env bash
# Unpacks the edge bundle into an empty folder and runs it the way a machine without a JDK would: no JAVA_HOME,
# a PATH with no java on it, a fresh HOME. Usage: edge/smoke-test.sh [edge/target/dgnet-edge-*.tar.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
tarball="${1:-$(ls edge/target/dgnet-edge-*.tar.gz | head -n 1)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
bundle="$(echo "$work"/dgnet-edge-*)"
mkdir -p "$work/home" "$work/bin"
# Only the tools the launcher uses, so that no java can be found on the PATH.
for tool in bash dirname grep; do ln -s "$(command -v "$tool")" "$work/bin/$tool"; done
run() {
  echo "+ dgnet $*"
  env -i HOME="$work/home" PATH="$work/bin" "$bundle/dgnet" "$@"
}
run device
run demo --arch resnet20 --size 32 --batch 2 --runs 2
echo "edge bundle: $(du -sh "$tarball" | cut -f1) packed, $(du -sh "$bundle" | cut -f1) unpacked: smoke test passed"
