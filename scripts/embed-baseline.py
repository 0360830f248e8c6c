#!/usr/bin/env python3
"""The plain Python loop that `llmq run` is measured against: asyncio + the official
`openai` SDK, embedding the inputs of a JSONL corpus in batches with N requests in
flight, and writing float32 blobs into sqlite3.

Usage: embed-baseline.py JOBS.jsonl DB.sqlite [--batch-size 512] [--concurrency 8]
Reads OPENAI_BASE_URL and OPENAI_API_KEY like the SDK does.
"""
import argparse
import array
import asyncio
import json
import sqlite3

from openai import AsyncOpenAI


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("jobs")
    parser.add_argument("db")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--model", default="text-embedding-3-small")
    args = parser.parse_args()

    db = sqlite3.connect(args.db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS embeddings (custom_id TEXT PRIMARY KEY, model TEXT, dimensions INTEGER, vector BLOB)")
    client = AsyncOpenAI()
    semaphore = asyncio.Semaphore(args.concurrency)

    async def embed(batch):
        try:
            response = await client.embeddings.create(model=args.model, input=[text for _, text in batch])
            rows = []
            for item in response.data:
                custom_id = batch[item.index][0]
                rows.append((custom_id, response.model, len(item.embedding), array.array("f", item.embedding).tobytes()))
            with db:
                db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)
        finally:
            semaphore.release()

    tasks = set()
    batch = []
    with open(args.jobs, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            job = json.loads(line)
            batch.append((job["id"], job["input"]))
            if len(batch) == args.batch_size:
                await semaphore.acquire()
                task = asyncio.create_task(embed(batch))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                batch = []
    if batch:
        await semaphore.acquire()
        tasks.add(asyncio.create_task(embed(batch)))
    await asyncio.gather(*tasks)
    await client.close()
    db.close()


if __name__ == "__main__":
    asyncio.run(main())
