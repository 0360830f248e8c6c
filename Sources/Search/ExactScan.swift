import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Exact top-k by cosine similarity over every vector of one kind in a scan file,
/// on all cores: the blocks are cut into units that the workers take in turn, each
/// worker keeps its own `TopK`, and the results are merged. Each vector's words are
/// checksummed in the same pass, so a scan of a corrupt file is detected, not answered.
public enum ExactScan {
    /// Vectors per unit of work (12 MiB at 1,536 dims).
    static let unitVectors = 2048

    /// The candidates for the best `k` vectors of `kind` in `file` by dot product with
    /// `query` (unit length), with scores ≥ `minScore`, among the keys `allow` accepts
    /// (all when nil; it is asked only about candidates good enough to enter).
    /// - Parameter workers: parallel scans; default one per core.
    /// - Throws: `ScanFileProblem.corrupt` when a block's vectors fail their checksum.
    public static func run(file: ScanFile, kind: VectorKind, query: [Float], k: Int, minScore: Float = -.infinity,
                           allow: (@Sendable (VectorKey) -> Bool)? = nil,
                           workers: Int = activeCores()) async throws -> [Candidate] {
        precondition(query.count == kind.dimensions)
        let blocks = file.blocks.enumerated().filter { $0.element.header.kind == kind }.map(\.offset)
        let units: [(block: Int, start: Int, end: Int)] = blocks.flatMap { index in
            let count = file.blocks[index].header.count
            return stride(from: 0, to: count, by: unitVectors).map { (index, $0, min(count, $0 + unitVectors)) }
        }
        let counter = UnitCounter()
        let results = await withTaskGroup(of: (TopK, [Int: LaneChecksum]).self) { group in
            for _ in 0..<max(1, min(workers, units.count)) {
                group.addTask {
                    var top = TopK(k: k, floor: minScore)
                    var sums: [Int: LaneChecksum] = [:]
                    query.withUnsafeBytes { queryBytes in
                        let q = queryBytes.baseAddress!
                        while true {
                            let taken = counter.next.add(1, ordering: .relaxed).oldValue
                            guard taken < units.count else { break }
                            let unit = units[taken]
                            let block = file.blocks[unit.block]
                            let stride = kind.dimensions * 4
                            let start = file.vectors(of: block) + unit.start * stride
                            var lanes = SIMD8<UInt32>()
                            var threshold = top.threshold
                            for index in 0..<(unit.end - unit.start) {
                                let score = DotProduct.dot(start + index * stride, q, dimensions: kind.dimensions, checksum: &lanes)
                                if score >= threshold {
                                    let key = file.key(unit.start + index, of: block)
                                    if allow?(key) ?? true {
                                        top.offer(Candidate(score: score, key: key))
                                        threshold = top.threshold
                                    }
                                }
                            }
                            sums[unit.block, default: LaneChecksum()].lanes &+= lanes
                        }
                    }
                    return (top, sums)
                }
            }
            var merged = TopK(k: k, floor: minScore)
            var sums: [Int: LaneChecksum] = [:]
            for await (top, partial) in group {
                merged.merge(top)
                for (block, sum) in partial { sums[block, default: LaneChecksum()].combine(sum) }
            }
            return (merged, sums)
        }
        for index in blocks where file.blocks[index].header.count > 0 {
            guard results.1[index]?.value == file.blocks[index].header.vectorsChecksum else {
                throw ScanFileProblem.corrupt("vector checksum mismatch in the block at offset \(file.blocks[index].offset)")
            }
        }
        return results.0.candidates
    }

    /// The cores this process may use.
    public static func activeCores() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

/// Hands out units of work to the scan's workers, each exactly once.
private final class UnitCounter: Sendable {
    let next = Atomic<Int>(0)
}
