#!/usr/bin/env bash
# Worker benchmarks against the in-process fake OpenAI server (release builds):
#  1. throughput: N embed jobs, no latency: `llmq run` vs the Python asyncio + openai SDK
#     loop (scripts/embed-baseline.py), same batch size and concurrency, same run;
#  2. pacing: a fake with a TPM limit and 50 ms latency: tokens/min achieved and 429 share.
# Usage: scripts/bench-run.sh [N ...]   (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product llmq >/dev/null
swift build -c release --product bench >/dev/null
python3 -c "import openai" 2>/dev/null || pip install -q openai
data=bench-data
mkdir -p "$data"
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(10000 100000)
bench=.build/release/bench
llmq=.build/release/llmq
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for n in "${counts[@]}"; do
    corpus="$data/corpus-$n.jsonl"
    [ -f "$corpus" ] || python3 scripts/make-corpus.py "$n" "$corpus"
    db="$data/run-llmq-$n.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
    $llmq enqueue --db "$db" "$corpus" >/dev/null
    $bench fake-run --label "llmq run n=$n" -- $llmq run --db "$db" --quiet --batch-size 512 --concurrency 8
    pydb="$data/run-python-$n.sqlite"; rm -f "$pydb" "$pydb-wal" "$pydb-shm"
    $bench fake-run --label "python openai-sdk n=$n" -- python3 scripts/embed-baseline.py "$corpus" "$pydb" --batch-size 512 --concurrency 8
done

# Pacing: 40,000 jobs of ~75 tokens (the fake counts UTF-8 bytes / 4) under a 1,000,000 TPM
# limit take about three minutes at the limit.
n=${PACING_JOBS:-40000}
corpus="$data/corpus-$n.jsonl"
[ -f "$corpus" ] || python3 scripts/make-corpus.py "$n" "$corpus"
db="$data/pacing-$n.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
$llmq enqueue --db "$db" "$corpus" >/dev/null
$bench fake-run --label "llmq run, TPM 1000000, 50 ms latency" --latency-ms 50 --tpm 1000000 -- \
    $llmq run --db "$db" --quiet --json --batch-size 64 --concurrency 8
