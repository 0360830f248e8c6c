/// One hit of a search, best first.
public struct SearchHit: Sendable, Equatable {
    /// 1 for the best hit.
    public var rank: Int
    /// Cosine similarity to the query.
    public var score: Float
    /// The hit's job id, chunk, span and text.
    public var text: HitText
}

/// What a search asks for besides the query vector.
public struct SearchOptions: Sendable {
    /// How many hits (≥ 1).
    public var k: Int
    /// Hits scoring below this are left out.
    public var minScore: Float
    /// Only vectors of jobs whose `custom_id` starts with this (filtered before ranking).
    public var idPrefix: String?
    /// A vector left out (the `--like` query's own).
    public var excluding: VectorKey?

    /// The best `k` of everything, unless told otherwise.
    public init(k: Int, minScore: Float = -.infinity, idPrefix: String? = nil, excluding: VectorKey? = nil) {
        self.k = k
        self.minScore = minScore
        self.idPrefix = idPrefix
        self.excluding = excluding
    }
}

/// Exact similarity search over a database's stored vectors through its scan file.
public struct VectorSearch {
    /// The scan file and database.
    public let store: ScanFileStore

    /// Searches through `store`.
    public init(store: ScanFileStore) { self.store = store }

    /// The kinds of vectors stored and how many of each.
    public func kinds() throws -> [VectorKind: Int] { try store.upToDate().kinds }

    /// The best `options.k` stored vectors of `kind` for `query` by cosine similarity,
    /// exact, best first; ties broken by `custom_id` (bytewise), then chunk.
    /// - Throws: `SearchError` for a database or scan-file failure.
    public func search(_ query: [Float], kind: VectorKind, options: SearchOptions) async throws -> [SearchHit] {
        precondition(options.k >= 1)
        guard query.count == kind.dimensions else {
            throw SearchError(.badRequest, "the query vector has \(query.count) values, not the \(kind.dimensions) of \(kind)")
        }
        let unit = DotProduct.normalized(query)
        let allowed = try options.idPrefix.map { try store.rows.jobIDs(withCustomIDPrefix: $0) }
        if let allowed, allowed.isEmpty { return [] }
        let excluded = options.excluding
        let allow: (@Sendable (VectorKey) -> Bool)? = allowed == nil && excluded == nil ? nil : { @Sendable key in
            key != excluded && (allowed?.contains(key.jobID) ?? true)
        }
        for attempt in 0..<3 {
            let file = try store.upToDate()
            let candidates: [Candidate]
            do {
                candidates = try await ExactScan.run(file: file, kind: kind, query: unit, k: options.k,
                                                     minScore: options.minScore, allow: allow)
            } catch let problem as ScanFileProblem {
                store.note("scan file \(store.path) was \(problem): rebuilt")
                try store.rebuild()
                continue
            }
            let texts = try store.rows.texts(of: candidates.map(\.key))
            // A vector deleted since the file was checked: look again (the file is then stale).
            if texts.count < candidates.count, attempt < 2 { continue }
            let ordered = candidates.compactMap { candidate in texts[candidate.key].map { (candidate.score, $0) } }
                .sorted { lhs, rhs in
                    if lhs.0 != rhs.0 { return lhs.0 > rhs.0 }
                    if lhs.1.customID != rhs.1.customID { return lhs.1.customID.utf8.lexicographicallyPrecedes(rhs.1.customID.utf8) }
                    return lhs.1.chunk < rhs.1.chunk
                }
            return ordered.prefix(options.k).enumerated().map { SearchHit(rank: $0.offset + 1, score: $0.element.0, text: $0.element.1) }
        }
        throw SearchError(.scanFile, "the stored vectors kept changing during the search; try again")
    }
}
