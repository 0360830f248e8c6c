#!/usr/bin/env python3
"""Writes a mixed Markdown / plain text / source code corpus for the chunking benchmark.

One JSON string per line (a document each, 2-200 KB), about TARGET_MB MB of UTF-8 in all,
deterministic (seeded): Markdown and code come from this repository's own *.md and *.swift
files, plain text from the tokenizer dev corpus, reshuffled by paragraph so documents differ.

Usage: scripts/make-chunk-corpus.py OUT.jsonl [TARGET_MB] [DATA_DIR]
"""
import glob
import json
import os
import random
import sys

out = sys.argv[1]
target = int(float(sys.argv[2] if len(sys.argv) > 2 else 50) * 1_000_000)
data_dir = sys.argv[3] if len(sys.argv) > 3 else "Tests/TokenizerTests/Data"
root = os.path.join(os.path.dirname(__file__), "..")
random.seed(20261201)

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()

markdown = [read(p) for p in sorted(glob.glob(os.path.join(root, "**/*.md"), recursive=True)) if ".build" not in p]
code = [read(p) for p in sorted(glob.glob(os.path.join(root, "Sources/**/*.swift"), recursive=True))]
with open(os.path.join(data_dir, "dev-corpus.jsonl"), encoding="utf-8") as f:
    text = [json.loads(line) for line in f if line.strip()]

def paragraphs(sources):
    pieces = []
    for source in sources:
        pieces.extend(p for p in source.split("\n\n") if p.strip())
    return pieces

pools = {"markdown": paragraphs(markdown), "code": paragraphs(code), "text": paragraphs(text)}
written = 0
count = 0
with open(out, "w", encoding="utf-8") as f:
    while written < target:
        kind = ["markdown", "code", "text"][count % 3]
        size = random.randint(2_000, 200_000)
        parts = []
        length = 0
        while length < size:
            piece = random.choice(pools[kind])
            parts.append(piece)
            length += len(piece.encode("utf-8")) + 2
        document = "\n\n".join(parts)
        if kind == "markdown":
            document = f"# Document {count}\n\n" + document
        line = json.dumps(document, ensure_ascii=False)
        f.write(line + "\n")
        written += len(document.encode("utf-8"))
        count += 1
print(f"{out}: {count} documents, {written} UTF-8 bytes", file=sys.stderr)
