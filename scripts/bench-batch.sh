#!/usr/bin/env bash
# Batch API mode against the in-process fake OpenAI server (release builds), N embed jobs
# (1536-dim vectors, answered as base64):
#  1. submit: `llmq run --batch-api` packs the pending jobs into input files (50,000 inputs
#     per batch), uploads them and creates the batches, then exits 75;
#  2. collect: the next `llmq run --batch-api` downloads each completed batch's output file
#     (about 410 MB per 50,000 vectors), parses it line by line and stores the vectors;
#  3. the same jobs through a synchronous `llmq run` (the write path collection is compared
#     with), in the same script run on the same corpus.
# Each line: wall time, CPU time and peak RSS of the llmq process alone (the fake, which
# makes the output files when a batch is first polled, runs in the bench process), and
# what the server saw. Then both databases are checked to hold the same N vectors.
# Usage: scripts/bench-batch.sh [N ...]   (default 100000); SUBMIT_ONLY=1 stops after step 1.
BENCH_COUNTS="100000" source "$(dirname "$0")/bench-common.sh" "$@"
for n in "${counts[@]}"; do
    corpus="$(corpus "$n")"
    db="$data/batch-$n.sqlite"
    rm -rf "$db" "$db-wal" "$db-shm" "$db-batch"
    $llmq enqueue --db "$db" "$corpus" >/dev/null
    if [ -n "${SUBMIT_ONLY:-}" ]; then
        $bench fake-run --label "batch submit n=$n" -- $llmq run --db "$db" --batch-api --quiet
        continue
    fi
    $bench fake-run --label "batch submit n=$n" --label "batch collect n=$n" -- \
        $llmq run --db "$db" --batch-api --quiet --then $llmq run --db "$db" --batch-api --quiet
    sync="$data/batch-sync-$n.sqlite"
    rm -f "$sync" "$sync-wal" "$sync-shm"
    $llmq enqueue --db "$sync" "$corpus" >/dev/null
    $bench fake-run --label "synchronous run n=$n" -- $llmq run --db "$sync" --quiet --batch-size 512 --concurrency 8
    python3 - "$db" "$sync" "$n" <<'PY'
import sqlite3, sys
batch, sync, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = sqlite3.connect(batch)
con.execute("ATTACH ? AS s", (sync,))
rows = con.execute("SELECT count(*) FROM embeddings").fetchone()[0]
same = con.execute("""SELECT count(*) FROM jobs j JOIN embeddings e ON e.job_id = j.id
                      JOIN s.jobs sj ON sj.custom_id = j.custom_id JOIN s.embeddings se ON se.job_id = sj.id
                      WHERE e.chunk = se.chunk AND e.vector = se.vector""").fetchone()[0]
print(f"check: {rows} vectors stored by the batch run, {same} bit-identical to the synchronous run's (of {n})")
sys.exit(0 if rows == n and same == n else 1)
PY
done
