#!/usr/bin/env bash
# The scan of `llmq search` in release mode without a full release build: compiles the
# Search target's scan sources (and the SQLite wrapper) with `swiftc -O` into one
# harness (scripts/search-kernel-bench.swift), builds the scan file from a database made
# by scripts/make-vector-db.py and times 20 queries (open + map + scan, 1 and 2 workers);
# then sqlite-vec 0.1.9 and numpy on the same database (scripts/bench-search.py).
# Usage: scripts/bench-search-kernel.sh [N]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
data=bench-data; mkdir -p "$data/kernel"
S=Sources
for f in $S/SQLite/*.swift; do cp "$f" "$data/kernel/sq_$(basename "$f")"; done
cc -O2 -c $S/CSearchKernel/kernel.c -I $S/CSearchKernel/include -o "$data/kernel/kernel.o"
swiftc -O -module-name kb -I $S/CSQLite -I $S/CSearchKernel/include -lsqlite3 "$data"/kernel/sq_*.swift \
    $S/Search/{DotProduct,LaneChecksum,TopK,ScanFile,ScanFileLayout,ExactScan,Int8Codes,VectorKey,SearchError,ScanFileWriter}.swift \
    scripts/search-kernel-bench.swift "$data/kernel/kernel.o" -o "$data/kernel/kb"
cc -O3 -march=native -pthread -o "$data/membw" scripts/membw.c
db="$data/kernel-$n.sqlite"; rm -f "$db" "$db-wal" "$db-shm" "$db-search"
: > "$data/empty.jsonl"
swift build --product llmq >/dev/null && .build/debug/llmq enqueue --db "$db" "$data/empty.jsonl" >/dev/null
python3 scripts/make-vector-db.py "$db" "$n"
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null; cat "$db" > /dev/null
"$data/membw" 2048
"$data/kernel/kb" "$db" "$db-search" 20
python3 scripts/bench-search.py "$db" none --skip-llmq
rm -f "$db" "$db-wal" "$db-shm" "$db-search"
