-- llmq schema, version 6: Batch API mode (`llmq run --batch-api`).
-- Public: batches(id, status, endpoint, model, input_file_id, output_file_id,
-- error_file_id, request_total, request_completed, request_failed, created_at,
-- expires_at). Everything else is llmq's own.

-- One row per batch llmq means to create, written (with its jobs' ownership) before any
-- API call, so a kill at any instant can be reconciled: packing -> packed -> uploaded ->
-- creating -> submitted -> collected, or abandoned (its jobs went back to pending).
CREATE TABLE batch_submissions (
    id               INTEGER PRIMARY KEY,
    state            TEXT    NOT NULL CHECK (state IN ('packing', 'packed', 'uploaded', 'creating', 'submitted',
                                                       'collected', 'abandoned')),
    kind             TEXT    NOT NULL CHECK (kind IN ('embed', 'generate')),
    endpoint         TEXT    NOT NULL,
    model            TEXT    NOT NULL,
    dimensions       INTEGER,
    lines            INTEGER NOT NULL DEFAULT 0,
    inputs           INTEGER NOT NULL DEFAULT 0,
    tokens           INTEGER NOT NULL DEFAULT 0,   -- prompt tokens, for the enqueued-token budget
    input_file_id    TEXT,
    batch_id         TEXT,
    collect_attempts INTEGER NOT NULL DEFAULT 0,   -- collections that met an unreadable output line
    created_at       REAL    NOT NULL,
    updated_at       REAL    NOT NULL
);

-- The API's batches, as last polled. A batch's jobs are `running`, owned by
-- `lease_owner = 'batch:<submission id>'` with no lease expiry.
CREATE TABLE batches (
    id                TEXT    PRIMARY KEY,
    submission_id     INTEGER NOT NULL UNIQUE REFERENCES batch_submissions (id),
    status            TEXT    NOT NULL,
    endpoint          TEXT    NOT NULL,
    model             TEXT    NOT NULL,
    input_file_id     TEXT    NOT NULL,
    output_file_id    TEXT,
    error_file_id     TEXT,
    request_total     INTEGER NOT NULL DEFAULT 0,
    request_completed INTEGER NOT NULL DEFAULT 0,
    request_failed    INTEGER NOT NULL DEFAULT 0,
    created_at        REAL    NOT NULL,
    expires_at        REAL,
    errors            TEXT,     -- the batch's errors.data (validation, token limit), as text
    polled_at         REAL,
    collected_at      REAL      -- its results are stored; NULL while llmq still has to collect it
);

-- Which input line (custom_id) and position in it each job of an open submission has;
-- a chunked job has one row per chunk sent, with the chunk's span (its text is the
-- input's substr over that span) and the chunk count, so its vector is stored as a
-- synchronous run stores it.
CREATE TABLE batch_jobs (
    job_id        INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    chunk         INTEGER NOT NULL DEFAULT 0,
    submission_id INTEGER NOT NULL REFERENCES batch_submissions (id),
    line          TEXT    NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    input_hash    BLOB    NOT NULL,   -- what the entry sends: the chunk's hash, else the job's request hash
    tokens        INTEGER,            -- its token count (or upper bound), to share the line's usage
    chunk_start   INTEGER,            -- chunked jobs only: the chunk's span and the job's chunk count
    chunk_end     INTEGER,
    chunk_count   INTEGER,
    PRIMARY KEY (job_id, chunk)
);
CREATE INDEX batch_jobs_submission ON batch_jobs (submission_id, line);

-- Embed jobs whose line got a 400: packed at most max_inputs per line next time, so the
-- offending input is isolated as a synchronous 400 is.
CREATE TABLE batch_split (
    job_id     INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    max_inputs INTEGER NOT NULL
);

-- `database_id` names this database in each batch's metadata; `token_limit:<model>` is
-- the enqueued-token budget learned from a `token_limit_exceeded`.
CREATE TABLE batch_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO batch_settings (key, value) VALUES ('database_id', lower(hex(randomblob(8))));
