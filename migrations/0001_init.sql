-- llmq schema, version 1.
-- Public (users query these): jobs.id, custom_id, kind, status, attempts, last_error;
-- embeddings(job_id, model, dimensions, vector); generations(job_id, model, content,
-- finish_reason, input_tokens, output_tokens). Everything else is llmq's own.

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    custom_id        TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL CHECK (kind IN ('embed', 'generate')),
    status           TEXT    NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    model            TEXT    NOT NULL,
    dimensions       INTEGER,              -- embed: requested or native vector size
    request          TEXT    NOT NULL,     -- canonical request JSON, fixed at enqueue
    request_hash     BLOB    NOT NULL,     -- SHA-256 of request
    input_tokens     INTEGER,              -- token count of the request's input, when known
    tokens_exact     INTEGER NOT NULL DEFAULT 0, -- 1: input_tokens is exact, 0: an upper bound
    metadata         TEXT,                 -- the job line's "metadata" object, echoed by export
    source_file      TEXT,
    source_line      INTEGER,
    ingest_id        INTEGER,              -- which enqueue call last wrote the row
    available_at     REAL    NOT NULL DEFAULT 0,  -- unix seconds; backoff lives here
    lease_owner      TEXT,                 -- "host:pid:uuid" of the worker holding it
    lease_expires_at REAL,
    created_at       REAL    NOT NULL,
    updated_at       REAL    NOT NULL,
    finished_at      REAL
);

-- Claiming: runnable pending jobs of a kind, oldest first.
CREATE INDEX jobs_pending ON jobs (kind, available_at, id) WHERE status = 'pending';
-- Lease expiry: the few running jobs.
CREATE INDEX jobs_running ON jobs (lease_expires_at) WHERE status = 'running';
-- Retry/status of failed jobs.
CREATE INDEX jobs_failed ON jobs (id) WHERE status = 'failed';

CREATE TABLE embeddings (
    job_id       INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    model        TEXT    NOT NULL,
    dimensions   INTEGER NOT NULL,
    vector       BLOB    NOT NULL,   -- dimensions little-endian float32 values
    input_hash   BLOB    NOT NULL,   -- = jobs.request_hash: (model, dimensions, input)
    input_tokens INTEGER,
    reused       INTEGER NOT NULL DEFAULT 0,  -- 1: copied from an earlier identical input
    created_at   REAL    NOT NULL
);
CREATE INDEX embeddings_input_hash ON embeddings (input_hash);

CREATE TABLE generations (
    job_id        INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    model         TEXT    NOT NULL,
    content       TEXT,
    refusal       TEXT,
    finish_reason TEXT,
    input_tokens  INTEGER,
    output_tokens INTEGER,
    created_at    REAL    NOT NULL
);

-- One row per enqueue call, so ingest_id is unique and the history is visible.
CREATE TABLE ingests (
    id         INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    sources    TEXT
);
