-- llmq schema, version 4: `llmq search` scans a derived file of the vectors beside the
-- database (`DB-search`). These private tables let it tell, cheaply and exactly,
-- whether that file still matches `embeddings`, and keep the query vectors it paid for.

-- This database's identity, drawn once: a scan file made for another database (or for
-- a file made anew at the same path) carries another and is rebuilt.
CREATE TABLE search_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    database_id BLOB    NOT NULL
);
INSERT INTO search_state (id, database_id) VALUES (1, randomblob(16));

-- Every change to `embeddings`, in order: a vector added (removed = 0), or a vector
-- replaced or deleted (removed = 1; a replacement then adds a row of its own). A scan
-- file records the seq (and nonce) it covers: up to date when that is the last row here;
-- rows after it that only add vectors are appended to it; a removal rebuilds it.
-- `nonce` tells two databases apart whose logs reached the same seq (a restored copy).
CREATE TABLE search_changes (
    seq     INTEGER PRIMARY KEY,
    job_id  INTEGER NOT NULL,
    chunk   INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    nonce   INTEGER NOT NULL
);

-- INSERT OR REPLACE fires no delete trigger (recursive triggers are off), so the row it
-- replaces is logged before the insert.
CREATE TRIGGER search_embedding_replaced BEFORE INSERT ON embeddings
WHEN EXISTS (SELECT 1 FROM embeddings WHERE job_id = new.job_id)
BEGIN
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (new.job_id, 0, 1, random());
END;

CREATE TRIGGER search_embedding_added AFTER INSERT ON embeddings
BEGIN
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (new.job_id, 0, 0, random());
END;

CREATE TRIGGER search_embedding_deleted AFTER DELETE ON embeddings
BEGIN
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (old.job_id, 0, 1, random());
END;

CREATE TRIGGER search_embedding_updated AFTER UPDATE OF job_id, model, dimensions, vector ON embeddings
BEGIN
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (old.job_id, 0, 1, random());
    INSERT INTO search_changes (job_id, chunk, removed, nonce) VALUES (new.job_id, 0, 0, random());
END;

-- Query vectors `llmq search TEXT` paid for, by the key jobs' vectors are found by
-- (the hash of model, dimensions and text), so asking the same again is free.
CREATE TABLE search_queries (
    input_hash BLOB    PRIMARY KEY,
    model      TEXT    NOT NULL,
    dimensions INTEGER NOT NULL,
    vector     BLOB    NOT NULL,
    created_at REAL    NOT NULL
) WITHOUT ROWID;
