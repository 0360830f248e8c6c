#!/usr/bin/env bash
# The JSON readers and writer before and after a change, in one run on the same data:
# `bench json` (job lines, embeddings answers, error bodies; thread CPU, best of 5), `llmq
# enqueue` of 1,000,000 lines (scripts/bench-ingest.sh's corpus) and `llmq run FILE` with its
# defaults on 20,000 jobs (scripts/bench-cpu.sh's corpus and fake), each side twice, alternating.
# The fake server of both `llmq run` sides is the BEFORE folder's bench binary, so only llmq
# differs. BEFORE is a folder holding release `llmq` and `bench` binaries built before the change
# (e.g. `swift build -c release && cp .build/release/{llmq,bench} /tmp/llmq-before/`).
# Usage: scripts/bench-json.sh BEFORE [JOBS]   (default JOBS: 20000)
before=${1:?usage: scripts/bench-json.sh BEFORE [JOBS]}
jobs=${2:-20000}
BENCH_COUNTS="$jobs" source "$(dirname "$0")/bench-common.sh"
ingest="$(corpus 1000000)"
run_corpus="$(corpus "$jobs" --words 30-80)"
for side in before after; do
    if [ "$side" = before ]; then b="$before/bench"; else b="$bench"; fi
    echo "== bench json, $side"
    "$b" json --corpus "$ingest"
done
for round in 1 2; do
    for side in before after; do
        if [ "$side" = before ]; then l="$before/llmq"; else l="$llmq"; fi
        db="$data/json-ingest-$side.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
        python3 scripts/measure.py "llmq enqueue 1M ($side, round $round)" -- "$l" enqueue --db "$db" "$ingest" 2>/dev/null
        db="$data/json-run-$side.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
        "$before/bench" fake-run --label "llmq run FILE n=$jobs ($side, round $round)" -- "$l" run --db "$db" --quiet "$run_corpus"
    done
done
machine_line
