#!/usr/bin/env bash
# Pacing against a fake that advertises 2,000,000 tokens a minute in its x-ratelimit-*
# headers and enforces it over sliding windows of 10 s (limit × 10/60 in any 10 s) and of
# 60 s, with 50 ms latency: 20,000 embed jobs of 30-80 words, `llmq run` with its defaults
# (and with --batch-size 64). Prints one JSON line per run: the 429 share and the
# efficiency (the tokens of every successful request but the last at the limit's rate,
# over the span from the first successful request to the last; see
# FakeOpenAIStats.pacingEfficiency).
# Usage: scripts/bench-pacing.sh [JOBS]   (default 20000)
BENCH_COUNTS=20000 source "$(dirname "$0")/bench-common.sh" "$@"
n=${counts[0]}
corpus="$(corpus "$n" --words 30-80)"
for window in 10 60; do
    for flags in "" "--batch-size 64"; do
        db="$data/pacing-$n.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
        $llmq enqueue --db "$db" "$corpus" >/dev/null
        $bench fake-run --label "llmq run ${flags:-(defaults)}, 2M TPM over ${window} s windows, 50 ms" \
            --latency-ms 50 --tpm 2000000 --rate-window "$window" -- $llmq run --db "$db" --quiet $flags
    done
done
