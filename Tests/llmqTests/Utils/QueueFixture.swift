import Foundation
import SQLite
import TestSupport

/// Enqueues `lines` (JSONL) with the real binary into a database in `dir`; returns its path.
func enqueuedDatabase(_ lines: String, in dir: TemporaryDirectory) throws -> String {
    let db = dir.path("q.sqlite")
    let file = dir.path("jobs.jsonl")
    try Data(lines.utf8).write(to: URL(fileURLWithPath: file))
    let result = try runLLMQ(["enqueue", "--db", db, file])
    guard result.status == 0 else { throw FixtureError(message: "enqueue failed: \(result.stderr)") }
    return db
}

/// Marks the job `customID` succeeded with `vector` stored, writing the tables directly.
func storeVector(_ vector: [Float], for customID: String, db: String) throws {
    let connection = try Connection(path: db)
    var bytes: [UInt8] = []
    for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
    try connection.run("UPDATE jobs SET status = 'succeeded' WHERE custom_id = ?1", .text(customID))
    try connection.run("""
        INSERT INTO embeddings (job_id, chunk, start, end, text, model, dimensions, vector, input_hash, input_tokens, created_at, job_hash)
        SELECT id, 0, 0, length(json_extract(request, '$.input')), json_extract(request, '$.input'), model, ?2, ?3, request_hash, 4, 0,
               request_hash
        FROM jobs WHERE custom_id = ?1
        """, .text(customID), .integer(Int64(vector.count)), .blob(bytes))
}

/// Marks the job `customID` failed with `error`, writing the table directly.
func markFailed(_ customID: String, error: String, db: String) throws {
    let connection = try Connection(path: db)
    try connection.run("UPDATE jobs SET status = 'failed', attempts = 8, last_error = ?2 WHERE custom_id = ?1",
                       .text(customID), .text(error))
}

/// A fixture step that did not work.
struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
