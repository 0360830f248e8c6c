-- llmq schema, version 9: a re-run of `enqueue --files DIR` reads the stored signatures of
-- one folder in one range scan of an index instead of two look-ups per file. `folder` is a
-- file job's folder relative to DIR, ending in `/` (empty at the top), `name` its file
-- name: folder || name = jobs.custom_id. The index holds the signature too, so the scan
-- reads nothing else; it also serves `--prune`'s look-up by root and replaces
-- `file_jobs_root` (an ingest maintains as many indexes as before). Existing rows are split
-- from their job's custom_id: the folder is the id up to its last `/` (rtrim drops the
-- trailing characters that are not `/`), the name the rest.
DELETE FROM file_jobs WHERE job_id NOT IN (SELECT id FROM jobs);
ALTER TABLE file_jobs ADD COLUMN folder TEXT NOT NULL DEFAULT '';
ALTER TABLE file_jobs ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE file_jobs SET folder = (SELECT rtrim(j.custom_id, replace(j.custom_id, '/', '')) FROM jobs j WHERE j.id = file_jobs.job_id);
UPDATE file_jobs SET name = (SELECT substr(j.custom_id, length(file_jobs.folder) + 1) FROM jobs j WHERE j.id = file_jobs.job_id);
DROP INDEX file_jobs_root;
CREATE INDEX file_jobs_folder ON file_jobs (root, folder, name, signature);

-- The scan trusts that a `file_jobs` row's job exists. `ON DELETE CASCADE` holds only while
-- foreign keys are on, which the sqlite3 shell leaves off: a job deleted there takes its
-- file job with it through this trigger, so the file is read again on the next run.
CREATE TRIGGER file_jobs_job_deleted AFTER DELETE ON jobs
BEGIN
    DELETE FROM file_jobs WHERE job_id = old.id;
END;
