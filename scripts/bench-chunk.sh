#!/usr/bin/env bash
# Chunking throughput, side by side on the same corpus: llmq's Chunker (release build)
# against semchunk and LangChain's RecursiveCharacterTextSplitter.from_tiktoken_encoder,
# 512 tokens of cl100k_base, single-threaded. Peak RSS from measure.py. After the timed
# runs every chunk of each side is counted with tiktoken (llmq's through its spans file) and
# chunks over the limit are reported.
#
# Usage: scripts/bench-chunk.sh [TARGET_MB] [RANK_FILE_DIR]   (the dev corpus: Tests/TokenizerTests/Data)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-50}"
data_dir="${2:-Sources/CRankFiles/data}"
corpus="$(mktemp -d)/chunk-corpus.jsonl"
python3 scripts/make-chunk-corpus.py "$corpus" "$target" Tests/TokenizerTests/Data
swift build -c release --product bench >&2
spans="$(dirname "$corpus")/llmq-spans.tsv"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 scripts/measure.py llmq -- "$(swift build -c release --show-bin-path)/bench" chunk --corpus "$corpus" --repetitions 1 --spans "$spans"
python3 scripts/measure.py python -- python3 scripts/bench-chunk-python.py "$corpus" 512 "$data_dir" "$spans"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$(dirname "$corpus")"
