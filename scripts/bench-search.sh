#!/usr/bin/env bash
# `llmq search` benchmark (release build): for each N, a database of N random unit vectors
# of 1536 dims written straight into SQLite (scripts/make-vector-db.py); the time to build
# its scan file from scratch; 20 queries, k=10, with `llmq search --like` (a whole process
# each), sqlite-vec 0.1.9's vec_distance_cosine over the same table (sqlite3 CLI, PyPI
# wheel) and numpy (vectors in memory); then the time to append 10,000 new vectors.
# Needs about 13 GB of disk and memory per million vectors; the databases are deleted.
# Usage: scripts/bench-search.sh [N ...]   (default: 100000 1000000)
# KEEP_DB=1 reuses bench-data/search-N.sqlite when it holds exactly N vectors (made by an
# earlier run or by hand with the same two commands) and keeps it (the 10,000 appended
# vectors are deleted again, so the next run can reuse it too).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product llmq >/dev/null
python3 -c "import sqlite_vec, numpy" 2>/dev/null || pip install -q "sqlite-vec==0.1.9" numpy
command -v sqlite3 >/dev/null || apt-get install -y -q sqlite3 >/dev/null
data=bench-data
mkdir -p "$data"
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(100000 1000000)
llmq=$PWD/.build/release/llmq
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM"
cc -O3 -march=native -pthread -o "$data/membw" scripts/membw.c
"$data/membw" 2048
ms() { python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) * 1000:.0f}')" "$@"; }
for n in "${counts[@]}"; do
    db="$data/search-$n.sqlite"
    if [ "${KEEP_DB:-}" = 1 ] && [ -f "$db" ] && [ "$(sqlite3 "$db" "SELECT count(*) FROM embeddings" 2>/dev/null)" = "$n" ]; then
        echo "reusing $db ($n vectors)"
        rm -f "$db-search"
    else
        rm -f "$db" "$db-wal" "$db-shm" "$db-search"
        : > "$data/empty.jsonl"
        $llmq enqueue --db "$db" "$data/empty.jsonl" >/dev/null 2>&1
        python3 scripts/make-vector-db.py "$db" "$n"
    fi
    sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    cat "$db" > /dev/null  # warm page cache
    t0=$(date +%s.%N); $llmq search --db "$db" --like doc-0 -k 10 >/dev/null; t1=$(date +%s.%N)
    $llmq search --db "$db" --like doc-0 -k 10 >/dev/null; t2=$(date +%s.%N)
    echo "scan file built from scratch: $(ms "$t0" "$t1") ms for the first search (the next one: $(ms "$t1" "$t2") ms); $(du -h "$db-search" | cut -f1)"
    python3 scripts/bench-search.py "$db" "$llmq"
    python3 scripts/make-vector-db.py "$db" 10000 --start "$n" >/dev/null
    t0=$(date +%s.%N); $llmq search --db "$db" --like doc-0 -k 10 >/dev/null; t1=$(date +%s.%N)
    $llmq search --db "$db" --like doc-0 -k 10 >/dev/null; t2=$(date +%s.%N)
    echo "10,000 vectors appended: $(ms "$t0" "$t1") ms for the first search after them (the next one: $(ms "$t1" "$t2") ms)"
    if [ "${KEEP_DB:-}" = 1 ]; then
        sqlite3 "$db" "PRAGMA foreign_keys = ON; DELETE FROM jobs WHERE id > (SELECT min(id) - 1 + $n FROM jobs); PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
        rm -f "$db-search"
    else
        rm -f "$db" "$db-wal" "$db-shm" "$db-search"
    fi
done
