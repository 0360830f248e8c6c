import SQLite

/// A summary of the queue for `llmq status`.
public struct QueueStatus: Sendable, Equatable {
    /// Job counts by kind, then by status (every kind and status present, zeros included).
    public var counts: [String: [String: Int]]
    /// Tokens charged by the API for stored results (reused vectors not counted).
    public var embedTokens: Int
    public var generateInputTokens: Int
    public var generateOutputTokens: Int
    /// Vectors copied from an identical earlier input instead of being paid for again.
    public var reusedVectors: Int
    /// The pending job enqueued longest ago, if any.
    public var oldestPending: OldestPending?
    /// The most frequent errors among jobs whose last try failed, most frequent first.
    public var topErrors: [ErrorCount]

    /// The oldest pending job.
    public struct OldestPending: Sendable, Equatable {
        public var customID: String
        /// Unix seconds.
        public var enqueuedAt: Double
    }

    /// One error message and how many jobs carry it.
    public struct ErrorCount: Sendable, Equatable {
        public var message: String
        public var jobs: Int
    }

    /// The count for a kind and status.
    public func count(_ kind: JobKind, _ status: JobStatus) -> Int {
        counts[kind.rawValue]?[status.rawValue] ?? 0
    }

    /// All jobs with a status.
    public func total(_ status: JobStatus) -> Int {
        JobKind.allCases.reduce(0) { $0 + count($1, status) }
    }

    /// All jobs.
    public var total: Int { JobStatus.allCases.reduce(0) { $0 + total($1) } }
}

extension JobStore {
    /// Reads the queue's summary; `errorLimit` bounds `topErrors`.
    public func status(errorLimit: Int = 5) throws -> QueueStatus {
        var counts: [String: [String: Int]] = [:]
        for kind in JobKind.allCases {
            counts[kind.rawValue] = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0.rawValue, 0) })
        }
        for row in try db.rows("SELECT kind, status, count(*) FROM jobs GROUP BY kind, status") {
            guard case .text(let kind) = row[0], case .text(let status) = row[1], case .integer(let n) = row[2] else { continue }
            counts[kind, default: [:]][status] = Int(n)
        }
        let embedTokens = try db.scalarInt("SELECT coalesce(sum(input_tokens), 0) FROM embeddings WHERE reused = 0") ?? 0
        let reused = try db.scalarInt("SELECT count(*) FROM embeddings WHERE reused = 1") ?? 0
        let generation = try db.rows("SELECT coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0) FROM generations")
        var inputTokens = 0
        var outputTokens = 0
        if let row = generation.first, case .integer(let i) = row[0], case .integer(let o) = row[1] {
            inputTokens = Int(i)
            outputTokens = Int(o)
        }
        var oldest: QueueStatus.OldestPending?
        let oldestRows = try db.rows("""
            SELECT custom_id, created_at FROM jobs
            WHERE status = 'pending' ORDER BY created_at, id LIMIT 1
            """)
        if let row = oldestRows.first, case .text(let id) = row[0], case .double(let at) = row[1] {
            oldest = .init(customID: id, enqueuedAt: at)
        }
        var errors: [QueueStatus.ErrorCount] = []
        for row in try db.rows("""
            SELECT last_error, count(*) AS n FROM jobs WHERE last_error IS NOT NULL
            GROUP BY last_error ORDER BY n DESC, max(updated_at) DESC LIMIT ?1
            """, .integer(Int64(errorLimit))) {
            guard case .text(let message) = row[0], case .integer(let n) = row[1] else { continue }
            errors.append(.init(message: message, jobs: Int(n)))
        }
        return QueueStatus(counts: counts, embedTokens: embedTokens, generateInputTokens: inputTokens,
                           generateOutputTokens: outputTokens, reusedVectors: reused, oldestPending: oldest, topErrors: errors)
    }
}
