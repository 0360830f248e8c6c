#!/usr/bin/env bash
# Worker benchmarks against the in-process fake OpenAI server (release builds):
#  1. throughput: N embed jobs, no latency: `llmq run` vs the Python asyncio + openai SDK
#     loop (scripts/embed-baseline.py), same batch size and concurrency, same run;
#  2. pacing: a fake with a TPM limit and 50 ms latency: tokens/min achieved and 429 share.
# Usage: scripts/bench-run.sh [N ...]   (default: 10000 100000)
BENCH_NEEDS_OPENAI=1 BENCH_COUNTS="10000 100000" source "$(dirname "$0")/bench-common.sh" "$@"
for n in "${counts[@]}"; do
    corpus="$(corpus "$n")"
    db="$data/run-llmq-$n.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
    $llmq enqueue --db "$db" "$corpus" >/dev/null
    $bench fake-run --label "llmq run n=$n" -- $llmq run --db "$db" --quiet --batch-size 512 --concurrency 8
    pydb="$data/run-python-$n.sqlite"; rm -f "$pydb" "$pydb-wal" "$pydb-shm"
    $bench fake-run --label "python openai-sdk n=$n" -- python3 scripts/embed-baseline.py "$corpus" "$pydb" --batch-size 512 --concurrency 8
done

# Pacing: 40,000 jobs of ~75 tokens (the fake counts UTF-8 bytes / 4) under a 1,000,000 TPM
# limit take about three minutes at the limit.
n=${PACING_JOBS:-40000}
corpus="$(corpus "$n")"
db="$data/pacing-$n.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
$llmq enqueue --db "$db" "$corpus" >/dev/null
$bench fake-run --label "llmq run, TPM 1000000, 50 ms latency" --latency-ms 50 --tpm 1000000 -- \
    $llmq run --db "$db" --quiet --json --batch-size 64 --concurrency 8
