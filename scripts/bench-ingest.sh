#!/usr/bin/env bash
# Ingest benchmark: N embed lines of about 300 bytes into a fresh database, by
# `llmq enqueue` (release build) and by the plain Python loader, in the same run.
# Usage: scripts/bench-ingest.sh [LINES ...]   (default: 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product llmq >/dev/null
data=bench-data
mkdir -p "$data"
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000000)
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for n in "${counts[@]}"; do
    corpus="$data/corpus-$n.jsonl"
    [ -f "$corpus" ] || python3 scripts/make-corpus.py "$n" "$corpus"
    bytes=$(stat -c %s "$corpus")
    for tool in llmq python; do
        db="$data/ingest-$tool-$n.sqlite"
        rm -f "$db" "$db-wal" "$db-shm"
        if [ "$tool" = llmq ]; then
            result=$(python3 scripts/measure.py "llmq enqueue" -- .build/release/llmq enqueue --db "$db" "$corpus" 2>/dev/null)
        else
            result=$(python3 scripts/measure.py "python json+executemany" -- python3 scripts/ingest-baseline.py "$corpus" "$db" 2>/dev/null)
        fi
        rows=$(sqlite3 "$db" "SELECT count(*) FROM jobs")
        python3 - "$result" "$n" "$bytes" "$rows" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); n = int(sys.argv[2]); size = int(sys.argv[3]); rows = int(sys.argv[4])
print(f"{r['label']:<26} lines={n:>9} rows={rows:>9} wall={r['wall_s']:>7.2f}s "
      f"rate={n / r['wall_s']:>10,.0f} lines/s  {size / r['wall_s'] / 1e6:6.1f} MB/s  cpu={r['cpu_s']:.2f}s  peak_rss={r['peak_rss_mb']:.1f} MB")
PY
    done
done
