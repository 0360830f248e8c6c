#!/usr/bin/env python3
"""`llmq search --like` against sqlite-vec 0.1.9 (vec_distance_cosine over the same table)
and numpy (vectors in memory) on one database: Q queries, k=10, ms per query.
Usage: bench-search.py DB LLMQ [--queries 20] [--k 10] [--skip-sqlite-vec] [--skip-numpy]"""
import argparse, os, random, resource, sqlite3, subprocess, time
import numpy as np
import sqlite_vec

p = argparse.ArgumentParser()
p.add_argument("db"); p.add_argument("llmq")
p.add_argument("--queries", type=int, default=20); p.add_argument("--k", type=int, default=10)
p.add_argument("--skip-llmq", action="store_true"); p.add_argument("--skip-sqlite-vec", action="store_true"); p.add_argument("--skip-numpy", action="store_true")
a = p.parse_args()
db = sqlite3.connect(a.db)
n = db.execute("SELECT count(*) FROM jobs").fetchone()[0]
ids = [f"doc-{i}" for i in random.Random(42).sample(range(n), a.queries)]
size = os.path.getsize(a.db)
vector_bytes = n * 1536 * 4

def timed(label, commands):
    """Runs each command as its own process; wall ms per query and CPU s per query."""
    outs, walls = [], []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for command in commands:
        start = time.perf_counter()
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        walls.append(time.perf_counter() - start)
        outs.append(out)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / len(commands)
    walls.sort()
    mean = sum(walls) / len(walls)
    print(f"{label:44s} mean {mean*1e3:9.1f} ms  median {walls[len(walls)//2]*1e3:9.1f} ms  "
          f"cpu {cpu*1e3:9.1f} ms/query  {vector_bytes/mean/1e9:6.2f} GB/s of vectors")
    return outs, mean

print(f"database {a.db}: {n} vectors of 1536 dims ({vector_bytes/1e9:.2f} GB of vectors, file {size/1e9:.2f} GB)")
ours_ids, ours_mean = [[] for _ in ids], None
if not a.skip_llmq:
    # Warm-up: builds or brings the scan file up to date, and warms the page cache.
    subprocess.run([a.llmq, "search", "--db", a.db, "--like", ids[0], "-k", str(a.k)], check=True, capture_output=True)
    ours, ours_mean = timed("llmq search --like (whole process)",
                            [[a.llmq, "search", "--db", a.db, "--like", i, "-k", str(a.k), "--json"] for i in ids])
    ours_ids = [[l.split('"custom_id":"')[1].split('"')[0] for l in o.splitlines()] for o in ours]

if not a.skip_sqlite_vec:
    ext = sqlite_vec.loadable_path()
    sql = ("SELECT j.custom_id FROM embeddings e JOIN jobs j ON j.id = e.job_id "
           "WHERE e.model = 'text-embedding-3-small' AND e.dimensions = 1536 AND j.custom_id <> '{id}' "
           "ORDER BY vec_distance_cosine(e.vector, (SELECT vector FROM embeddings WHERE job_id = "
           "(SELECT id FROM jobs WHERE custom_id = '{id}'))), j.custom_id LIMIT {k}")
    cmd = lambda i: ["sqlite3", a.db, "-cmd", f".load {ext}", sql.format(id=i, k=a.k)]
    subprocess.run(cmd(ids[0]), check=True, capture_output=True)
    theirs, theirs_mean = timed("sqlite-vec 0.1.9 vec_distance_cosine (process)", [cmd(i) for i in ids])
    if ours_mean:
        same = sum(o == t.split() for o, t in zip(ours_ids, theirs))
        print(f"  same top-{a.k} as llmq: {same}/{len(ids)} queries; llmq is {theirs_mean/ours_mean:.1f}x faster")

if not a.skip_numpy:
    start = time.perf_counter()
    m = np.empty((n, 1536), dtype=np.float32)
    names = []
    for row, (name, blob) in enumerate(db.execute("SELECT j.custom_id, e.vector FROM embeddings e JOIN jobs j ON j.id = e.job_id")):
        m[row] = np.frombuffer(blob, dtype="<f4")
        names.append(name)
    index = {name: i for i, name in enumerate(names)}
    print(f"numpy: loaded {len(names)} vectors in {time.perf_counter()-start:.1f} s (not counted below)")
    walls = []
    for i in ids:
        q = m[index[i]]
        start = time.perf_counter()
        s = m @ q
        s[index[i]] = -2
        top = np.argpartition(-s, a.k)[:a.k]
        top = top[np.argsort(-s[top], kind="stable")]
        walls.append(time.perf_counter() - start)
    mean = sum(walls) / len(walls)
    print(f"{'numpy m @ q + argpartition (in memory)':44s} mean {mean*1e3:9.1f} ms  "
          f"{vector_bytes/mean/1e9:6.2f} GB/s of vectors" + (f"; llmq process / numpy = {ours_mean/mean:.2f}" if ours_mean else ""))
