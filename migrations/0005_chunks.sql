-- llmq schema, version 5: a long input is embedded in chunks, one `embeddings` row per
-- chunk. Public: `embeddings.chunk` (0-based; an unchunked job has one row, chunk 0),
-- `start` and `end` (the chunk's span in the job's input in Unicode code points,
-- 0-based, end exclusive: SQLite's substr(input, start + 1, end - start)) and `text`
-- (the chunk's text, exactly what was embedded). `(job_id, chunk)` is unique.
-- Existing vectors become chunk 0 spanning the whole input.
CREATE TABLE embeddings_v4 (
    job_id       INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    chunk        INTEGER NOT NULL DEFAULT 0,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    text         TEXT    NOT NULL,
    model        TEXT    NOT NULL,
    dimensions   INTEGER NOT NULL,
    vector       BLOB    NOT NULL,   -- dimensions little-endian float32 values
    input_hash   BLOB    NOT NULL,   -- SHA-256 of the embed request of this text: (model, dimensions, text)
    input_tokens INTEGER,
    reused       INTEGER NOT NULL DEFAULT 0,  -- 1: copied from an earlier identical text
    created_at   REAL    NOT NULL,
    truncated    INTEGER NOT NULL DEFAULT 0,  -- 1: the input was cut to the model's limit (run --truncate)
    job_hash     BLOB    NOT NULL,   -- jobs.request_hash of the request this row answers: a chunked job is
                                     -- done when each of its chunks has a row for its current request
    PRIMARY KEY (job_id, chunk)
);

INSERT INTO embeddings_v4 (job_id, chunk, start, end, text, model, dimensions, vector, input_hash,
                           input_tokens, reused, created_at, truncated, job_hash)
    SELECT e.job_id, 0, 0, length(coalesce(json_extract(j.request, '$.input'), '')),
           coalesce(json_extract(j.request, '$.input'), ''), e.model, e.dimensions, e.vector, e.input_hash,
           e.input_tokens, e.reused, e.created_at, e.truncated, e.input_hash
    FROM embeddings e JOIN jobs j ON j.id = e.job_id;

DROP TABLE embeddings;
ALTER TABLE embeddings_v4 RENAME TO embeddings;

-- `llmq search`'s change log (version 4) now follows each chunk: its triggers went with
-- the old table. The copied rows keep their job ids and vectors (chunk 0), so an existing
-- scan file still matches them.
CREATE TRIGGER search_embedding_replaced BEFORE INSERT ON embeddings
WHEN EXISTS (SELECT 1 FROM embeddings WHERE job_id = new.job_id AND chunk = new.chunk)
BEGIN
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (new.job_id, new.chunk, 1, random());
END;

CREATE TRIGGER search_embedding_added AFTER INSERT ON embeddings
BEGIN
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (new.job_id, new.chunk, 0, random());
END;

CREATE TRIGGER search_embedding_deleted AFTER DELETE ON embeddings
BEGIN
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (old.job_id, old.chunk, 1, random());
END;

CREATE TRIGGER search_embedding_updated AFTER UPDATE OF job_id, chunk, model, dimensions, vector ON embeddings
BEGIN
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (old.job_id, old.chunk, 1, random());
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (new.job_id, new.chunk, 0, random());
END;

-- The vector index finds a stored vector by its text's hash per chunk:
-- (input hash, job, chunk).
CREATE TABLE vector_index_v4 (
    input_hash BLOB    NOT NULL,
    job_id     INTEGER NOT NULL,
    chunk      INTEGER NOT NULL,
    PRIMARY KEY (input_hash, job_id, chunk)
) WITHOUT ROWID;
INSERT INTO vector_index_v4 (input_hash, job_id, chunk) SELECT input_hash, job_id, 0 FROM vector_index ORDER BY input_hash, job_id;
DROP TABLE vector_index;
ALTER TABLE vector_index_v4 RENAME TO vector_index;

ALTER TABLE vector_index_pending ADD COLUMN chunk INTEGER NOT NULL DEFAULT 0;

-- Jobs made from files (`enqueue --files DIR`): the folder they came from (its real path),
-- a signature of the file and the request's settings (size, modification time, model,
-- dimensions, chunk limits), so a re-run skips an unchanged file without reading it, and
-- the last ingest that saw the file, so `--prune` can delete the jobs of vanished files.
CREATE TABLE file_jobs (
    job_id    INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    root      TEXT    NOT NULL,
    signature BLOB    NOT NULL,
    ingest_id INTEGER NOT NULL
);
CREATE INDEX file_jobs_root ON file_jobs (root, ingest_id);
