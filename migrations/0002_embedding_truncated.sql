-- llmq schema, version 2: an embedding made from an input cut to the model's token
-- limit (`llmq run --truncate`) says so.
ALTER TABLE embeddings ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
