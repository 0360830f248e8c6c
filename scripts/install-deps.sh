#!/usr/bin/env bash
# Installs what building llmq needs on a Debian machine that already has the Swift
# toolchain: Debian's libsqlite3-dev (headers for the CSQLite system library target).
# Idempotent and quiet when everything is there.
set -euo pipefail

need=()
[ -f /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)

if ! command -v swift >/dev/null 2>&1; then
    echo "llmq: the Swift toolchain (swift 6.1 or later) is not on PATH; install it first (https://www.swift.org/install/)" >&2
    exit 1
fi

[ ${#need[@]} -eq 0 ] && exit 0

echo "llmq: installing ${need[*]} ..." >&2
if [ "$(id -u)" -eq 0 ]; then
    apt=(apt-get)
elif command -v sudo >/dev/null 2>&1; then
    apt=(sudo apt-get)
else
    echo "llmq: missing ${need[*]}; run as root: apt-get install -y ${need[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "llmq: missing ${need[*]} and no apt-get here; install the SQLite 3 development headers with your package manager" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! { "${apt[@]}" update -qq && "${apt[@]}" install -y -qq "${need[@]}"; } >&2; then
    echo "llmq: could not install ${need[*]}; run: apt-get update && apt-get install -y ${need[*]}" >&2
    exit 1
fi
