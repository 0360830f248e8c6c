#!/usr/bin/env python3
"""The chunking benchmark's Python side: semchunk and LangChain's
RecursiveCharacterTextSplitter.from_tiktoken_encoder over the same corpus, at the same
limit, with cl100k_base from local rank files (no network). Single-threaded. After the
timed run, every chunk is counted with tiktoken and chunks over the limit are reported.

With LLMQ_SPANS (the file `bench chunk --spans` wrote), llmq's chunks are counted with
tiktoken too: an independent check of its token limit.

Usage: scripts/bench-chunk-python.py CORPUS.jsonl [MAX_TOKENS] [DATA_DIR] [LLMQ_SPANS]
  (pip install semchunk tiktoken langchain-text-splitters)
"""
import hashlib
import json
import os
import sys
import tempfile
import time

corpus = sys.argv[1]
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 512
data_dir = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else "Sources/CRankFiles/data")
cache = tempfile.mkdtemp(prefix="tiktoken-cache-")
url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
os.symlink(os.path.join(data_dir, "cl100k_base.tiktoken"), os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))
os.environ["TIKTOKEN_CACHE_DIR"] = cache

import semchunk  # noqa: E402
import tiktoken  # noqa: E402
from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: E402

encoding = tiktoken.get_encoding("cl100k_base")
with open(corpus, encoding="utf-8") as f:
    documents = [json.loads(line) for line in f if line.strip()]
size = sum(len(d.encode("utf-8")) for d in documents)
print(f"corpus: {len(documents)} documents, {size} UTF-8 bytes; {limit} tokens per chunk; "
      f"tiktoken {tiktoken.__version__}, semchunk {getattr(semchunk, '__version__', '?')}")

def measure(name, split):
    start, cpu = time.perf_counter(), time.process_time()
    chunks = [chunk for document in documents for chunk in split(document)]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    over = sum(1 for chunk in chunks if len(encoding.encode_ordinary(chunk)) > limit)
    largest = max(len(encoding.encode_ordinary(chunk)) for chunk in chunks)
    print(f"{name}: {len(chunks)} chunks (largest {largest} tokens, {over} over {limit}) in {wall:.2f} s wall, "
          f"{cpu:.2f} s CPU: {size / wall / 1e6:.2f} MB/s, {len(chunks) / wall:.0f} chunks/s (CPU: {size / cpu / 1e6:.2f} MB/s)")

if len(sys.argv) > 4:
    encoded = [d.encode("utf-8") for d in documents]
    counted = over = differ = 0
    largest = 0
    with open(sys.argv[4]) as f:
        for line in f:
            doc, start, end, claimed = map(int, line.split("\t"))
            tokens = len(encoding.encode_ordinary(encoded[doc][start:end].decode("utf-8")))
            counted += 1
            largest = max(largest, tokens)
            over += tokens > limit
            differ += tokens != claimed
    print(f"llmq chunks counted with tiktoken: {counted} chunks, largest {largest} tokens, {over} over {limit}, "
          f"{differ} whose count differs from llmq's")

chunker = semchunk.chunkerify(lambda text: len(encoding.encode_ordinary(text)), limit)
measure("semchunk", chunker)
# disallowed_special=(): special-token text counts as plain text (encode_ordinary), as for
# the other two; by default tiktoken raises on it (the corpus has "<|endofprompt|>").
splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(encoding_name="cl100k_base", chunk_size=limit, chunk_overlap=0,
                                                                disallowed_special=())
measure("langchain RecursiveCharacterTextSplitter.from_tiktoken_encoder", splitter.split_text)
for entry in os.listdir(cache):
    os.unlink(os.path.join(cache, entry))
os.rmdir(cache)
