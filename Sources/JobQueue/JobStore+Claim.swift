import JSON
import SQLite

extension JobStore {
    static let claimColumns = "id, custom_id, kind, model, dimensions, request, request_hash, attempts, input_tokens, tokens_exact"

    /// Atomically claims up to `limit` runnable pending jobs of `kind` (oldest first) for
    /// `owner`, with a lease until `now + leaseSeconds`. Embed jobs are claimed for one
    /// (model, dimensions) at a time, the group of the oldest runnable one, so the claim
    /// can go out as one request. Returns the jobs in id order (empty when none is runnable).
    public func claim(kind: JobKind, limit: Int, owner: String, leaseSeconds: Double) throws -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        return try db.transaction {
            let now = self.now()
            var jobs: [ClaimedJob] = []
            if kind == .embed {
                let head = try db.cachedStatement("""
                    SELECT model, dimensions FROM jobs
                    WHERE status = 'pending' AND kind = 'embed' AND available_at <= ?1
                    ORDER BY available_at, id LIMIT 1
                    """)
                defer { head.reset() }
                try head.bind(now, at: 1)
                guard try head.step(), let model = head.string(at: 0) else { return [] }
                let dimensions = head.optionalInt(at: 1)
                head.reset()
                let claim = try db.cachedStatement("""
                    UPDATE jobs SET status = 'running', lease_owner = ?1, lease_expires_at = ?2, updated_at = ?3
                    WHERE id IN (SELECT id FROM jobs
                                 WHERE status = 'pending' AND kind = 'embed' AND available_at <= ?3
                                   AND model = ?4 AND dimensions IS ?5
                                 ORDER BY available_at, id LIMIT ?6)
                    RETURNING \(Self.claimColumns)
                    """)
                defer { claim.reset() }
                try claim.bind(owner, at: 1)
                try claim.bind(now + leaseSeconds, at: 2)
                try claim.bind(now, at: 3)
                try claim.bind(model, at: 4)
                try claim.bind(dimensions, at: 5)
                try claim.bind(limit, at: 6)
                while try claim.step() { jobs.append(try Self.readClaimed(claim)) }
            } else {
                let claim = try db.cachedStatement("""
                    UPDATE jobs SET status = 'running', lease_owner = ?1, lease_expires_at = ?2, updated_at = ?3
                    WHERE id IN (SELECT id FROM jobs
                                 WHERE status = 'pending' AND kind = ?4 AND available_at <= ?3
                                 ORDER BY available_at, id LIMIT ?5)
                    RETURNING \(Self.claimColumns)
                    """)
                defer { claim.reset() }
                try claim.bind(owner, at: 1)
                try claim.bind(now + leaseSeconds, at: 2)
                try claim.bind(now, at: 3)
                try claim.bind(kind.rawValue, at: 4)
                try claim.bind(limit, at: 5)
                while try claim.step() { jobs.append(try Self.readClaimed(claim)) }
            }
            return jobs.sorted { $0.id < $1.id }
        }
    }

    static func readClaimed(_ row: Statement) throws -> ClaimedJob {
        guard let customID = row.string(at: 1), let kindText = row.string(at: 2), let kind = JobKind(rawValue: kindText),
              let model = row.string(at: 3), !row.isNull(at: 5), let hash = row.blob(at: 6) else {
            throw JobQueueError(.corruptRow, "job \(row.int64(at: 0)) has a missing or malformed column")
        }
        let stored = row.withBlob(at: 5) { JobRequest.decodeStored(utf8: $0) }
        return ClaimedJob(
            id: row.int64(at: 0), customID: customID, kind: kind, model: model, dimensions: row.optionalInt(at: 4),
            request: stored.request, requestHash: hash, attempts: row.int(at: 7),
            inputTokens: row.optionalInt(at: 8), tokensExact: row.int(at: 9) != 0,
            chunking: stored.chunking)
    }

    /// Extends every lease `owner` holds to `now + leaseSeconds`; returns how many.
    @discardableResult
    public func renewLeases(owner: String, leaseSeconds: Double) throws -> Int {
        try db.run("UPDATE jobs SET lease_expires_at = ?2 WHERE status = 'running' AND lease_owner = ?1",
                   .text(owner), .double(now() + leaseSeconds))
        return db.changes
    }

    /// Returns expired leases (a killed worker's jobs) to pending; returns how many.
    @discardableResult
    public func reclaimExpiredLeases() throws -> Int {
        try db.run("""
            UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?1
            WHERE status = 'running' AND lease_expires_at < ?1
            """, .double(now()))
        return db.changes
    }

    /// The distinct owners of running jobs (to find leases of dead local processes).
    public func leaseOwners() throws -> [String] {
        try db.rows("SELECT DISTINCT lease_owner FROM jobs WHERE status = 'running' AND lease_owner IS NOT NULL").compactMap {
            if case .text(let owner) = $0[0] { return owner } else { return nil }
        }
    }

    /// Hands `owner`'s running jobs back to pending without counting an attempt (a stop,
    /// a rate limit, a dead owner). With `ids`, only those jobs. Returns how many.
    @discardableResult
    public func release(owner: String, ids: [Int64]? = nil, availableAt: Double? = nil) throws -> Int {
        if let ids {
            return try db.transaction { try releaseJobs(owner: owner, ids: ids, availableAt: availableAt) }
        }
        let available = availableAt ?? 0
        try db.run("""
            UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,
                            available_at = max(available_at, ?2), updated_at = ?3
            WHERE lease_owner = ?1 AND status = 'running'
            """, .text(owner), .double(available), .double(now()))
        return db.changes
    }

    /// Hands the jobs `ids` that `owner` holds back to pending, in the caller's transaction.
    func releaseJobs(owner: String, ids: [Int64], availableAt: Double? = nil) throws -> Int {
        let statement = try db.cachedStatement("""
            UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,
                            available_at = max(available_at, ?3), updated_at = ?4
            WHERE id = ?1 AND lease_owner = ?2 AND status = 'running'
            """)
        var released = 0
        for id in ids {
            try statement.bind(id, at: 1)
            try statement.bind(owner, at: 2)
            try statement.bind(availableAt ?? 0, at: 3)
            try statement.bind(now(), at: 4)
            try statement.run()
            statement.reset()
            released += db.changes
        }
        return released
    }
}
