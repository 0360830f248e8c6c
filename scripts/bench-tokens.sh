#!/usr/bin/env bash
# Token counting throughput: llmq's Swift tokenizer (release build) vs tiktoken, on the
# committed dev corpus (Tests/TokenizerTests/Data), single-threaded, best of N runs each;
# tiktoken reads the rank files llmq ships (Sources/CRankFiles/data).
#
# Usage: scripts/bench-tokens.sh [REPETITIONS]   (tiktoken importable: pip install tiktoken)
set -euo pipefail
cd "$(dirname "$0")/.."
repetitions="${1:-5}"
corpus=Tests/TokenizerTests/Data/dev-corpus.jsonl

swift build -c release --product bench >&2
echo "== llmq (Swift, release) =="
"$(swift build -c release --show-bin-path)/bench" tokens --corpus "$corpus" --repetitions "$repetitions"
echo "== tiktoken =="
python3 scripts/bench-tokens-tiktoken.py Sources/CRankFiles/data "$corpus" "$repetitions"
