-- llmq schema, version 8: `batch_jobs` looked up by what an entry sends, so packing a
-- batch asks per input whether another batch in flight sends it (one index probe)
-- instead of loading the hash of every input in flight.
CREATE INDEX batch_jobs_input_hash ON batch_jobs (input_hash);
