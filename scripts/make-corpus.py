#!/usr/bin/env python3
"""Writes a deterministic JSONL corpus of embed jobs, about 300 bytes a line.

Usage: make-corpus.py LINES OUT [--changed N --seed S] [--words MIN-MAX]
Line i is {"id": "doc-<i>", "type": "embed", "input": <~260 chars of text>}; with
--words MIN-MAX, the input is MIN to MAX words instead (uniformly); with
--changed N, N evenly spread documents get different text (for re-enqueue tests).
"""
import argparse
import json
import random

WORDS = ("the queue worker claims pending jobs and writes vectors back into sqlite while "
         "rate limits decide how fast requests may go embeddings batch many inputs per call "
         "a lease expires when the process dies and another run picks the job up again "
         "tokens per minute requests per minute backoff jitter retry after header").split()

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lines", type=int)
    parser.add_argument("out")
    parser.add_argument("--changed", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--words", help="MIN-MAX words per input (default: about 250 characters)")
    args = parser.parse_args()
    word_range = tuple(int(n) for n in args.words.split("-")) if args.words else None
    rng = random.Random(args.seed)
    step = args.lines // args.changed if args.changed else 0
    with open(args.out, "w", encoding="utf-8") as out:
        for i in range(args.lines):
            words = []
            length = 0
            if word_range:
                words = [WORDS[rng.randrange(len(WORDS))] for _ in range(rng.randint(*word_range))]
            while not word_range and length < 250:
                word = WORDS[rng.randrange(len(WORDS))]
                words.append(word)
                length += len(word) + 1
            text = " ".join(words) + f" #{i}"
            if step and i % step == 0:
                text += " (revised)"
            out.write(json.dumps({"id": f"doc-{i:07d}", "type": "embed", "input": text}) + "\n")

if __name__ == "__main__":
    main()
