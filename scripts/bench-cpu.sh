#!/usr/bin/env bash
# CPU per embedding: `llmq run FILE` with its defaults (enqueue included, fresh database)
# against the Python asyncio + openai SDK loop (scripts/embed-baseline.py, 512 inputs per
# request, 8 in flight, float32 blobs into sqlite3), both against the in-process fake
# server with no latency and no limits, on the same corpus of 30-80-word inputs, back to
# back. One JSON line per run: wall, CPU seconds (user + system) and peak RSS of the
# measured process alone.
# Usage: scripts/bench-cpu.sh [N ...]   (default: 20000 100000)
BENCH_NEEDS_OPENAI=1 BENCH_COUNTS="20000 100000" source "$(dirname "$0")/bench-common.sh" "$@"
for n in "${counts[@]}"; do
    corpus="$(corpus "$n" --words 30-80)"
    db="$data/cpu-llmq-$n.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
    $bench fake-run --label "llmq run FILE (defaults) n=$n" -- $llmq run --db "$db" --quiet "$corpus"
    pydb="$data/cpu-python-$n.sqlite"; rm -f "$pydb" "$pydb-wal" "$pydb-shm"
    $bench fake-run --label "python openai-sdk n=$n" -- python3 scripts/embed-baseline.py "$corpus" "$pydb"
done
