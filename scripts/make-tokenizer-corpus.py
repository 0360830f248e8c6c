#!/usr/bin/env python3
"""Regenerates the tokenizer test corpus and tiktoken's expected counts.

Writes, under Tests/TokenizerTests/Data/:
  generated-corpus.jsonl            documents made here from a fixed seed (hard cases:
                                    contractions, digit runs, whitespace runs, CJK, emoji
                                    ZWJ sequences, combining marks, case mixes, code)
  dev-corpus.jsonl                  the curated dev corpus (copied from --dev-corpus when
                                    given, else kept as committed)
  <corpus>.<encoding>.counts        tiktoken's encode_ordinary count per line
  generated-corpus.<encoding>.tokens  tiktoken's token ids per line (space-separated)

Each corpus line is one JSON string literal. tiktoken (pip install tiktoken==0.14.0) is
pointed at the rank files llmq ships (Sources/CRankFiles/data), checked by SHA-256, so
nothing is downloaded:

  python3 scripts/make-tokenizer-corpus.py [--dev-corpus PATH]
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import sys

import tiktoken
from tiktoken.load import load_tiktoken_bpe

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RANK_DIR = os.path.join(ROOT, "Sources", "CRankFiles", "data")
OUT_DIR = os.path.join(ROOT, "Tests", "TokenizerTests", "Data")

# The patterns and hashes as tiktoken 0.14.0 defines them (tiktoken_ext/openai_public.py).
ENCODINGS = {
    "cl100k_base": (
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    ),
    "o200k_base": (
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        "|".join([
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]),
    ),
}

SEED = 20261201
GENERATED_DOCUMENTS = 300

WORDS = ["the", "The", "THE", "don", "I", "you", "HTTPServer", "iPhone", "naïve", "café", "Straße",
         "ÀÉÎÕÜ", "ǅungla", "ǈ", "ÆSIR", "ﬁnance", "İstanbul", "ΑΒΓ", "αβγ", "Ωmega", "кошка",
         "ПРИВЕТ", "hello", "world", "x", "camelCase", "snake_case", "kebab-case", "URL", "JSONL"]
CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'LL", "'D", "'ſ", "’s", "'x"]
SPACES = [" ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n", "\u3000", "\u00a0", "\u2028", "\u2029", "\u202f",
          "\u205f", "\u2000", "\u200a", "\u0085", "\u000b", "\u000c", "\u200b", "\u180e", "\u001c", "\u001f"]
PUNCTUATION = [".", ",", "!!", "?!", "...", "—", "–", "«", "»", "“", "”", "()", "{}", "[]", "<|endoftext|>",
               "<|fim_prefix|>", "/", "//", "\\", "@", "#", "$$", "%", "^", "&&", "*", "+=", "->", "=>", "::"]
SCRIPTS = ["日本語のテキスト", "中文字符", "한국어 문장", "ภาษาไทย", "العربية", "עברית", "हिन्दी", "தமிழ்",
           "ქართული", "Ελληνικά", "ᚠᚢᚦᚨᚱᚲ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟙𝟚𝟛", "①②③", "Ⅻ", "٣٤٥", "०१२"]
EMOJI = ["👨‍👩‍👧‍👦", "👍🏽", "🏳️‍🌈", "🇩🇪🇯🇵", "❤️", "🧑‍💻", "🙂", "👩🏿‍🔬", "#️⃣", "🫠"]
COMBINING = ["e\u0301", "a\u0308\u0304", "n\u0303", "\u0301", "o\u0338", "Z\u0335\u0321\u0322", "\u20dd", "\u093f"]
CODE = ["for (int i = 0; i < n; ++i) {\n    sum += a[i];\n}", "def f(x):\n\treturn x**2  # square\n",
        "SELECT * FROM jobs WHERE status = 'pending';", "{\"id\": \"doc-42\", \"type\": \"embed\"}",
        "if err != nil {\n\t\treturn err\n\t}", "    \n    indented\n        more\n"]


def digits(rng):
    return "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 9)))


def generated_document(rng):
    """One document: a random mix of the hard pieces, 1 to 120 of them."""
    parts = []
    for _ in range(rng.randint(1, 120)):
        kind = rng.randrange(9)
        if kind == 0:
            parts.append(rng.choice(WORDS) + rng.choice(CONTRACTIONS + [""]))
        elif kind == 1:
            parts.append(digits(rng))
        elif kind == 2:
            parts.append("".join(rng.choice(SPACES) for _ in range(rng.randint(1, 4))))
        elif kind == 3:
            parts.append(rng.choice(PUNCTUATION))
        elif kind == 4:
            parts.append(rng.choice(SCRIPTS))
        elif kind == 5:
            parts.append(rng.choice(EMOJI))
        elif kind == 6:
            parts.append(rng.choice(COMBINING))
        elif kind == 7:
            parts.append(rng.choice(CODE))
        else:
            parts.append(rng.choice(WORDS))
        if rng.random() < 0.6:
            parts.append(" ")
    return "".join(parts)


def load_encoding(name):
    sha256, pattern = ENCODINGS[name]
    path = os.path.join(RANK_DIR, name + ".tiktoken")
    with open(path, "rb") as handle:
        actual = hashlib.sha256(handle.read()).hexdigest()
    if actual != sha256:
        sys.exit(f"{path}: SHA-256 {actual}, expected {sha256}")
    ranks = load_tiktoken_bpe(path, expected_hash=sha256)
    return tiktoken.Encoding(name=name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})


def read_corpus(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-corpus", help="copy the curated dev corpus from this file first")
    args = parser.parse_args()
    os.makedirs(OUT_DIR, exist_ok=True)
    dev_path = os.path.join(OUT_DIR, "dev-corpus.jsonl")
    if args.dev_corpus:
        shutil.copyfile(args.dev_corpus, dev_path)
    rng = random.Random(SEED)
    generated = [generated_document(rng) for _ in range(GENERATED_DOCUMENTS)]
    write_lines(os.path.join(OUT_DIR, "generated-corpus.jsonl"), [json.dumps(d, ensure_ascii=False) for d in generated])
    corpora = {"dev-corpus": read_corpus(dev_path), "generated-corpus": generated}
    for name in ENCODINGS:
        encoding = load_encoding(name)
        for corpus, documents in corpora.items():
            tokens = [encoding.encode_ordinary(d) for d in documents]
            write_lines(os.path.join(OUT_DIR, f"{corpus}.{name}.counts"), [str(len(t)) for t in tokens])
            if corpus == "generated-corpus":
                write_lines(os.path.join(OUT_DIR, f"{corpus}.{name}.tokens"), [" ".join(map(str, t)) for t in tokens])
        print(f"{name}: " + ", ".join(f"{c} {len(d)} documents" for c, d in corpora.items()))


if __name__ == "__main__":
    main()
