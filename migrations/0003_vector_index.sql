-- llmq schema, version 3: stored vectors are found by input through `vector_index`,
-- filled in sorted batches from `vector_index_pending`, instead of an index on
-- `embeddings.input_hash`. Every random insert into a large index costs a page write,
-- so at a million vectors that index alone added half again to a run's disk writes; a
-- sorted merge writes each index page once per batch.
DROP INDEX embeddings_input_hash;

-- (input hash, a job whose embedding was made from it). An entry whose job's vector
-- has since been replaced (a changed request) no longer matches `embeddings.input_hash`
-- and is ignored.
CREATE TABLE vector_index (
    input_hash BLOB    NOT NULL,
    job_id     INTEGER NOT NULL,
    PRIMARY KEY (input_hash, job_id)
) WITHOUT ROWID;

-- Vectors stored since the last merge, appended in write order (cheap); merged into
-- `vector_index` in hash order every few ten thousand vectors and when a run ends.
CREATE TABLE vector_index_pending (
    input_hash BLOB    NOT NULL,
    job_id     INTEGER NOT NULL
);

INSERT OR IGNORE INTO vector_index (input_hash, job_id)
    SELECT input_hash, job_id FROM embeddings ORDER BY input_hash;
