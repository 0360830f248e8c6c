#!/usr/bin/env bash
# Proves `make install` gives a standalone binary: installs into a temporary PREFIX, then
# checks that `ldd` shows no library from the Swift toolchain (/opt/swift or wherever
# `swift` lives) and that the installed binary counts tokens exactly and runs the demo
# with the toolchain's library folders out of reach.
# Not part of `make test`: it needs a release build (see the README for how long the
# first one takes).
#
# Usage: scripts/check-standalone.sh
set -euo pipefail
cd "$(dirname "$0")/.."

toolchain="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")"
prefix="$(mktemp -d "${TMPDIR:-/tmp}/llmq-install.XXXXXX")"
trap 'rm -rf "$prefix"' EXIT

make install PREFIX="$prefix"
binary="$prefix/bin/llmq"

echo "== ldd $binary"
ldd "$binary" | tee "$prefix/ldd.txt"
if grep -q "$toolchain" "$prefix/ldd.txt" || grep -q "not found" "$prefix/ldd.txt"; then
    echo "check-standalone: FAIL: the installed binary needs libraries from $toolchain (or missing ones)" >&2
    exit 1
fi
if readelf -d "$binary" | grep -E "RUNPATH|RPATH" | grep -q "$toolchain"; then
    echo "check-standalone: FAIL: the installed binary's RUNPATH points into $toolchain" >&2
    readelf -d "$binary" | grep -E "RUNPATH|RPATH" >&2
    exit 1
fi

# Run it from an empty folder with a minimal environment (no toolchain on PATH, no
# LD_LIBRARY_PATH, no tokenizer override) and, where we may (root, mount namespaces),
# with an empty folder mounted over the toolchain, as on a machine without Swift.
work="$prefix/work"
mkdir -p "$work"
cp jobs/example.jsonl jobs/demo.jsonl "$work/"
cd "$work"
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    echo "== running with $toolchain hidden (an empty tmpfs over it)"
    run() { unshare -m sh -c 'mount -t tmpfs none "$1" && shift && exec env -i PATH=/usr/bin:/bin HOME="$PWD" "$@"' sh "$toolchain" "$@"; }
else
    echo "== running with a minimal environment ($toolchain stays visible: not root or no mount namespaces)"
    run() { env -i PATH=/usr/bin:/bin HOME="$work" "$@"; }
fi
run "$binary" --version
run "$binary" tokens --json example.jsonl | tee tokens.json
grep -q '"exact":true' tokens.json || { echo "check-standalone: FAIL: counts are not exact" >&2; exit 1; }
run "$binary" demo --quiet --jobs demo.jsonl > demo.txt
grep -q "some replies" demo.txt || { echo "check-standalone: FAIL: the demo did not finish" >&2; cat demo.txt >&2; exit 1; }
echo "check-standalone: OK: $(du -h "$binary" | cut -f1) binary, no library from $toolchain, exact counts, demo ran"
