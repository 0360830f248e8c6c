#!/usr/bin/env bash
# Pacing against Azure OpenAI as the fake serves it (`bench fake-run --azure`): only the
# x-ratelimit-remaining-requests / -tokens headers, no limit and no reset, requests counted
# over 10 s windows (--rpm × 10/60 in any 10 s), tokens over the minute. 2,000 embed jobs of
# 30-80 words, `llmq run --provider azure --embedding-model emb` (llmq is told no limit), in
# the two settings of BENCHMARKS.md: the fake at --rpm 600 --tpm 300000 with --batch-size 4
# (requests bind) and at --rpm 6000 --tpm 100000 with --batch-size 16 (tokens bind). Prints
# one JSON line per run: server_429s, share_429 and the efficiency of the binding limit
# (FakeOpenAIStats.pacingEfficiency / requestPacingEfficiency).
# Usage: scripts/bench-azure-pacing.sh [JOBS]   (default 2000)
# BEFORE=path/to/llmq also runs that binary first in each setting, for a before/after table.
BENCH_COUNTS=2000 source "$(dirname "$0")/bench-common.sh" "$@"
n=${counts[0]}
corpus="$(corpus "$n" --words 30-80)"
binaries=(${BEFORE:+"$BEFORE"} "$llmq")
for setting in "600 300000 4" "6000 100000 16"; do
    read -r rpm tpm batch <<< "$setting"
    for binary in "${binaries[@]}"; do
        db="$data/azure-pacing-$n.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
        $binary enqueue --db "$db" --embedding-model emb "$corpus" >/dev/null
        $bench fake-run --azure --label "$binary, Azure --rpm $rpm --tpm $tpm, --batch-size $batch" --rpm "$rpm" --tpm "$tpm" \
            -- "$binary" run --db "$db" --quiet --provider azure --batch-size "$batch"
    done
done
