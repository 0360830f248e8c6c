#!/usr/bin/env bash
# `llmq enqueue --files` over a folder of small text files (release build): files/s and
# peak RSS of the first run, then of a re-run over the unchanged folder (which reads no
# file: size and modification time decide), from measure.py.
#
# Usage: scripts/bench-files.sh [FILES]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
work="$(mktemp -d)"
python3 - "$work/docs" "$count" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
random.seed(11)
words = "queue lease vector chunk token batch sqlite heading fence paragraph sentence".split()
for i in range(count):
    folder = os.path.join(root, f"d{i // 1000:03d}")
    os.makedirs(folder, exist_ok=True)
    text = " ".join(random.choice(words) for _ in range(random.randint(40, 160)))
    with open(os.path.join(folder, f"note-{i:06d}.md"), "w") as f:
        f.write(f"# Note {i}\n\n{text}.\n")
PY
swift build -c release --product llmq >&2
llmq="$(swift build -c release --show-bin-path)/llmq"
python3 scripts/measure.py "enqueue --files, $count files, first run" -- "$llmq" enqueue --db "$work/q.sqlite" --files "$work/docs" --chunk-tokens 512
python3 scripts/measure.py "enqueue --files, $count files, unchanged re-run" -- "$llmq" enqueue --db "$work/q.sqlite" --files "$work/docs" --chunk-tokens 512
rm -rf "$work"
