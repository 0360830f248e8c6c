#!/usr/bin/env python3
"""Fills an llmq database with N succeeded embed jobs and random unit vectors, written
straight into `jobs` and `embeddings` as `llmq run` leaves them, one chunk (0) per job (the triggers of the
schema log each vector for the scan file). The schema must exist (`llmq enqueue`).
Usage: make-vector-db.py DB N [--dims 1536] [--start 0] [--seed 1]"""
import argparse, json, os, sqlite3, time
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("db"); p.add_argument("n", type=int)
p.add_argument("--dims", type=int, default=1536); p.add_argument("--start", type=int, default=0)
p.add_argument("--seed", type=int, default=1); p.add_argument("--model", default="text-embedding-3-small")
a = p.parse_args()
rng = np.random.default_rng(a.seed + a.start)
db = sqlite3.connect(a.db)
db.execute("PRAGMA journal_mode = WAL"); db.execute("PRAGMA synchronous = OFF")
started = time.time()
chunk = 5000
for base in range(a.start, a.start + a.n, chunk):
    count = min(chunk, a.start + a.n - base)
    v = rng.standard_normal((count, a.dims), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    jobs, vecs = [], []
    for i in range(count):
        cid = f"doc-{base + i}"
        req = json.dumps({"dimensions": a.dims, "input": f"document {base + i}", "kind": "embed", "model": a.model},
                         separators=(",", ":"), sort_keys=True)
        h = os.urandom(32)
        text = f"document {base + i}"
        jobs.append((cid, a.model, a.dims, req, h))
        vecs.append((cid, a.model, a.dims, v[i].astype("<f4").tobytes(), h, len(text), text))
    with db:
        db.executemany("""INSERT INTO jobs (custom_id, kind, status, model, dimensions, request, request_hash, created_at, updated_at)
                          VALUES (?, 'embed', 'succeeded', ?, ?, ?, ?, 0, 0)""", jobs)
        db.executemany("""INSERT INTO embeddings (job_id, chunk, start, end, text, model, dimensions, vector, input_hash,
                                                  created_at, job_hash)
                          SELECT id, 0, 0, ?6, ?7, ?2, ?3, ?4, ?5, 0, ?5 FROM jobs WHERE custom_id = ?1""", vecs)
print(f"{a.n} vectors written to {a.db} in {time.time() - started:.1f} s")
