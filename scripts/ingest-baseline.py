#!/usr/bin/env python3
"""The plain Python loader that `llmq enqueue` is measured against.

Usage: ingest-baseline.py JOBS.jsonl DB.sqlite
Reads the file line by line with `json`, checks the fields an embed job needs, builds
the same canonical request JSON and SHA-256 that llmq stores, and loads the rows with
`sqlite3.executemany` into the same schema (migrations/0001_init.sql), WAL mode,
synchronous=NORMAL, 20,000 rows per transaction: the same work, done the plain way.
"""
import hashlib
import json
import os
import sqlite3
import sys
import time

def main() -> int:
    path, db_path = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "migrations", "0001_init.sql"), encoding="utf-8") as f:
        schema = f.read()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    sql = ("INSERT INTO jobs (custom_id, kind, model, dimensions, request, request_hash, source_file, "
           "source_line, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (custom_id) DO NOTHING")
    rows = []
    rejected = 0
    now = time.time()
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                job = json.loads(raw)
                custom_id, text = job["id"], job["input"]
                if job.get("type") != "embed" or not isinstance(custom_id, str) or not custom_id \
                        or not isinstance(text, str) or not text:
                    raise ValueError("bad job")
            except (ValueError, KeyError, TypeError) as error:
                rejected += 1
                print(f"{path}:{number}: {error}", file=sys.stderr)
                continue
            model = job.get("model", "text-embedding-3-small")
            dims = job.get("dimensions", 1536)
            request = json.dumps({"dimensions": dims, "input": text, "kind": "embed", "model": model},
                                 sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            rows.append((custom_id, "embed", model, dims, request, hashlib.sha256(request.encode()).digest(),
                         path, number, now, now))
            if len(rows) >= 20000:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(sql, rows)
                db.execute("COMMIT")
                rows.clear()
    if rows:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(sql, rows)
        db.execute("COMMIT")
    print(f"rejected {rejected}", file=sys.stderr)
    return 0

if __name__ == "__main__":
    sys.exit(main())
