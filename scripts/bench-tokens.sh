#!/usr/bin/env bash
# Token counting throughput: llmq's Swift tokenizer (release build) vs tiktoken, on the
# shared dev corpus, single-threaded, best of N runs each.
#
# Usage: scripts/bench-tokens.sh [DATA_DIR] [REPETITIONS]
#   DATA_DIR defaults to ../shared/tokenizers (relative to the package root);
#   tiktoken must be importable (pip install tiktoken).
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir="${1:-../shared/tokenizers}"
repetitions="${2:-5}"

swift build -c release --product bench >&2
echo "== llmq (Swift, release) =="
"$(swift build -c release --show-bin-path)/bench" tokens --data-dir "$data_dir" --repetitions "$repetitions"
echo "== tiktoken =="
python3 scripts/bench-tokens-tiktoken.py "$data_dir" "$repetitions"
