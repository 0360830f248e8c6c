#!/usr/bin/env python3
"""Measure tiktoken the way `bench tokens` measures llmq's tokenizer.

Counts the dev corpus with encode_ordinary, single-threaded, for cl100k_base and
o200k_base; prints the best of N runs in tokens/s and MB/s (UTF-8 bytes of the
decoded documents). The rank files come from RANK_DIR through tiktoken's own cache
(TIKTOKEN_CACHE_DIR pointing at a temp dir of SHA-1-named links), so no network is used.

Usage: scripts/bench-tokens-tiktoken.py [RANK_DIR] [CORPUS] [REPETITIONS]   (pip install tiktoken)
"""
import hashlib
import json
import os
import sys
import tempfile
import time

data_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "Sources/CRankFiles/data")
corpus = sys.argv[2] if len(sys.argv) > 2 else "Tests/TokenizerTests/Data/dev-corpus.jsonl"
repetitions = int(sys.argv[3]) if len(sys.argv) > 3 else 5
names = ["cl100k_base", "o200k_base"]

cache = tempfile.mkdtemp(prefix="tiktoken-cache-")
for name in names:
    url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
    os.symlink(os.path.join(data_dir, f"{name}.tiktoken"),
               os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))
os.environ["TIKTOKEN_CACHE_DIR"] = cache

import tiktoken  # noqa: E402  (after TIKTOKEN_CACHE_DIR is set)

with open(corpus, encoding="utf-8") as f:
    documents = [json.loads(line) for line in f if line.strip()]
size = sum(len(d.encode("utf-8", "surrogatepass")) for d in documents)
print(f"tiktoken {tiktoken.__version__}; corpus: {len(documents)} documents, {size} UTF-8 bytes; "
      f"best of {repetitions} runs")
for name in names:
    start = time.perf_counter()
    encoding = tiktoken.get_encoding(name)
    load = time.perf_counter() - start
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        tokens = 0
        for document in documents:
            tokens += len(encoding.encode_ordinary(document))
        best = min(best, time.perf_counter() - start)
    print(f"{name}: {tokens} tokens in {best:.3f} s: {tokens / best / 1e6:.2f} M tokens/s, "
          f"{size / best / 1e6:.2f} MB/s (load: {load * 1000:.0f} ms)")
for entry in os.listdir(cache):
    os.unlink(os.path.join(cache, entry))
os.rmdir(cache)
