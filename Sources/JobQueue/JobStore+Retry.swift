import SQLite

/// What `JobStore.retry` did.
public struct RetryResult: Sendable {
    /// Jobs put back to pending.
    public var requeued: Int
    /// Named ids no job has, in the order named.
    public var unknown: [String]
    /// Named jobs left as they are, with their status: running (a worker holds it) or,
    /// with `failedOnly`, not failed.
    public var skipped: [(customID: String, status: JobStatus)]

    public init(requeued: Int, unknown: [String] = [], skipped: [(customID: String, status: JobStatus)] = []) {
        self.requeued = requeued
        self.unknown = unknown
        self.skipped = skipped
    }
}

extension JobStore {
    /// Puts jobs back to pending, available at once, with their attempts reset, in one
    /// transaction. With `customIDs` nil or empty: every failed job. With ids: each named
    /// job that is not running (and, with `failedOnly`, is failed), whatever its status,
    /// so a succeeded job is sent again and its result replaced when the new one succeeds.
    /// An id named twice counts once. `last_error` is kept until the next try ends.
    /// - Returns: how many jobs were re-queued, which ids are unknown and which were skipped.
    /// - Throws: SQLite errors (nothing is changed then).
    public func retry(customIDs: [String]?, failedOnly: Bool) throws -> RetryResult {
        try db.transaction {
            let timestamp = now()
            guard let customIDs, !customIDs.isEmpty else {
                try db.run("""
                    UPDATE jobs SET status = 'pending', attempts = 0, retry_next_run = 0, available_at = 0, updated_at = ?1, finished_at = NULL,
                                    lease_owner = NULL, lease_expires_at = NULL
                    WHERE status = 'failed'
                    """, .double(timestamp))
                return RetryResult(requeued: db.changes)
            }
            let update = try db.cachedStatement("""
                UPDATE jobs SET status = 'pending', attempts = 0, retry_next_run = 0, available_at = 0, updated_at = ?2, finished_at = NULL,
                                lease_owner = NULL, lease_expires_at = NULL
                WHERE custom_id = ?1 AND status != 'running' AND (?3 = 0 OR status = 'failed')
                """)
            let lookup = try db.cachedStatement("SELECT status FROM jobs WHERE custom_id = ?1")
            var result = RetryResult(requeued: 0)
            var seen = Set<String>()
            for id in customIDs where seen.insert(id).inserted {
                try update.bind(id, at: 1)
                try update.bind(timestamp, at: 2)
                try update.bind(failedOnly ? 1 : 0, at: 3)
                try update.run()
                update.reset()
                if db.changes == 1 {
                    result.requeued += 1
                    continue
                }
                try lookup.bind(id, at: 1)
                let status = try lookup.step() ? lookup.string(at: 0).flatMap(JobStatus.init(rawValue:)) : nil
                lookup.reset()
                if let status { result.skipped.append((id, status)) } else { result.unknown.append(id) }
            }
            return result
        }
    }
}
