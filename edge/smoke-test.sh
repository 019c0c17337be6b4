#!/usr/bin/env bash
# Unpacks the edge bundle into an empty folder and runs it the way a machine without a JDK would: no JAVA_HOME,
# a PATH with no java on it, a fresh HOME. Usage: edge/smoke-test.sh [edge/target/dgnet-edge-*.tar.gz]
set -euo pipefail
tarball="${1:-}"
# A tarball named relative to the caller's folder, before the cd below.
if [ -n "$tarball" ]; then tarball="$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")"; fi
cd "$(dirname "$0")/.."
tarball="${tarball:-$(ls edge/target/dgnet-edge-*.tar.gz | head -n 1)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
bundle="$(echo "$work"/dgnet-edge-*)"
mkdir -p "$work/home" "$work/bin"
# Only the tools the launcher uses, so that no java can be found on the PATH.
for tool in bash dirname grep readlink; do ln -s "$(command -v "$tool")" "$work/bin/$tool"; done
run() {
  echo "+ dgnet $*"
  env -i HOME="$work/home" PATH="$work/bin" "$bundle/dgnet" "$@"
}
image=tests/src/test/resources/images/rgb_97x61.png
run device
# Through a symlink on the PATH, started from another folder (as from ~/bin).
ln -s "$bundle/dgnet" "$work/bin/dgnet"
echo "+ dgnet --version (a symlink on the PATH)"
(cd "$work/home" && env -i HOME="$work/home" PATH="$work/bin" dgnet --version)
run demo --arch resnet20 --size 32 --batch 2 --runs 2
run predict resnet20 "$image" --top 3
run graph resnet20 "$image" --out "$work/graph.png"

# The server, asked for its readiness over bash's own /dev/tcp (the machine may have no HTTP client) until it has
# warmed its model up (400 until then). The launcher execs the JVM for serve, so the background job is the server
# itself and kill stops it gracefully.
port=18765
echo "+ dgnet serve resnet20 --port $port"
env -i HOME="$work/home" PATH="$work/bin" "$bundle/dgnet" serve resnet20 --port "$port" &
server=$!
status=""
for _ in $(seq 1 120); do
  if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
    printf 'GET /v2/health/ready HTTP/1.0\r\n\r\n' >&3
    read -r status <&3 || true
    exec 3<&-
    case "$status" in "HTTP/1.1 200"*) break ;; esac
  fi
  sleep 1
done
kill "$server"
wait "$server" || true
case "$status" in
  "HTTP/1.1 200"*) echo "serve: ready" ;;
  *) echo "serve: not ready: '${status}'" >&2; exit 1 ;;
esac
echo "edge bundle: $(du -sh "$tarball" | cut -f1) packed, $(du -sh "$bundle" | cut -f1) unpacked: smoke test passed"
