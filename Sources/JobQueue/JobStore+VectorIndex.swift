import SQLite

/// Finding a stored vector by its input (model, dimensions, text: the request hash of an
/// unchunked job, a chunk's own hash otherwise), so a text is never paid for twice.
///
/// New vectors are appended to `vector_index_pending` and remembered in `recentVectors`;
/// every `vectorIndexMergeRows` vectors, and when a run starts and ends, the pending rows
/// are merged into `vector_index` in hash order, which writes each index page once per
/// merge instead of once per vector. Vectors that another process stored since its
/// last merge are found after that merge (at the latest when its run ends, or when the
/// next run starts after a kill).
extension JobStore {
    /// A stored vector for the same (model, dimensions, input) — the same request hash —
    /// from any job, so it can be copied instead of paid for again.
    public func storedVector(forRequestHash hash: [UInt8]) throws -> (model: String, dimensions: Int, vector: [UInt8])? {
        if let jobID = recentVectors[hash] {
            let recent = try db.cachedStatement(
                "SELECT model, dimensions, vector FROM embeddings WHERE job_id = ?1 AND chunk = ?3 AND input_hash = ?2")
            defer { recent.reset() }
            try recent.bind(jobID.job, at: 1)
            try recent.bind(hash, at: 2)
            try recent.bind(jobID.chunk, at: 3)
            if try recent.step(), let model = recent.string(at: 0), let vector = recent.blob(at: 2) {
                return (model, recent.int(at: 1), vector)
            }
        }
        let lookup = try db.cachedStatement("""
            SELECT e.model, e.dimensions, e.vector
            FROM vector_index v JOIN embeddings e ON e.job_id = v.job_id AND e.chunk = v.chunk AND e.input_hash = v.input_hash
            WHERE v.input_hash = ?1 LIMIT 1
            """)
        defer { lookup.reset() }
        try lookup.bind(hash, at: 1)
        guard try lookup.step(), let model = lookup.string(at: 0), let vector = lookup.blob(at: 2) else { return nil }
        return (model, lookup.int(at: 1), vector)
    }

    /// `storedVector(forRequestHash:)` for many hashes at once: the found ones by hash.
    public func storedVectors(forRequestHashes hashes: [[UInt8]]) throws -> [[UInt8]: (model: String, dimensions: Int, vector: [UInt8])] {
        try db.readTransaction {
            var found: [[UInt8]: (model: String, dimensions: Int, vector: [UInt8])] = [:]
            for hash in hashes where found[hash] == nil {
                if let stored = try storedVector(forRequestHash: hash) { found[hash] = stored }
            }
            return found
        }
    }

    /// Moves every pending index row (this process's and any other's) into
    /// `vector_index`, in its own transaction.
    public func mergeVectorIndex() throws {
        try db.transaction { try mergePendingVectorIndex() }
    }

    /// The merge, in the caller's transaction.
    func mergePendingVectorIndex() throws {
        try db.run("""
            INSERT OR IGNORE INTO vector_index (input_hash, job_id, chunk)
            SELECT input_hash, job_id, chunk FROM vector_index_pending ORDER BY input_hash, job_id, chunk
            """)
        try db.run("DELETE FROM vector_index_pending")
        recentVectors.removeAll(keepingCapacity: true)
    }
}
