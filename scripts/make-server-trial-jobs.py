#!/usr/bin/env python3
"""Writes the embed jobs of scripts/try-real-servers.sh: deterministic texts of varied length.

Usage: make-server-trial-jobs.py LINES OUT
60% of the inputs have 1-40 words, 30% 40-200, 7% 200-450 and 3% 450-2,500 (over
all-MiniLM-L6-v2's 256 and BERT's 512 word pieces); every 97th has leading and trailing
spaces (infinity strips them); some words are not ASCII. Line i is
{"id": "j<i>", "type": "embed", "input": ...}.
"""
import json
import random
import sys

WORDS = ("the queue stores every job in sqlite and a worker sends batches of inputs to an embeddings "
         "server which answers with vectors of floats that are written back so a later search can find "
         "similar passages rate limits outages retries backoff lease tokenizer model dimension cosine "
         "Zürich naïve café 東京 Москва données sécurité résumé über straße").split()


def main() -> None:
    lines, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(13)
    with open(out, "w", encoding="utf-8") as file:
        for i in range(lines):
            r = rng.random()
            if r < 0.60:
                count = rng.randint(1, 40)
            elif r < 0.90:
                count = rng.randint(40, 200)
            elif r < 0.97:
                count = rng.randint(200, 450)
            else:
                count = rng.randint(450, 2500)
            text = " ".join(rng.choice(WORDS) for _ in range(count))
            if i % 97 == 0:
                text = "  " + text + "  "
            file.write(json.dumps({"id": f"j{i:05d}", "type": "embed", "input": text}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
