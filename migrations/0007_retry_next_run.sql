-- llmq schema, version 7: a job that used up its attempts on transient errors (5xx,
-- timeouts, lost connections that followed its inputs while other requests succeeded)
-- is failed for this run only; the next `llmq run` puts it back to pending with fresh
-- attempts. Jobs failed for good (the API refused their input) keep 0 and wait for
-- `llmq retry --failed`.
ALTER TABLE jobs ADD COLUMN retry_next_run INTEGER NOT NULL DEFAULT 0;
