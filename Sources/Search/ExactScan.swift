import CSearchKernel
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Exact top-k by cosine similarity over every vector of one kind in a scan file, on
/// all cores, in two passes:
///
/// 1. over the int8 codes (a quarter of the float32 bytes): each vector's score is
///    bounded by `QuantizedQuery` (an estimate ± a rigorous bound); a vector is kept as
///    a candidate unless its upper bound is below the k-th best lower bound so far (or
///    `minScore`). The blocks are cut into units that the workers take in turn; the
///    codes and records are checksummed in the same pass, so a corrupt file is detected,
///    not answered.
/// 2. over the candidates whose upper bound reaches the final k-th best lower bound:
///    their float32 vectors are scored exactly as a full float32 scan would score them
///    (`DotProduct.dot`), each checked against its own checksum, into one `TopK`.
///
/// Every vector that a float32 scan would rank in the top k (or tie with the k-th) has
/// a float32 score ≥ the k-th best lower bound, so it is among the candidates: the
/// result is the float32 scan's, bit for bit.
public enum ExactScan {
    /// Vectors per unit of work (3 MiB of codes at 1,536 dims).
    static let unitVectors = 2048

    /// A vector the first pass kept: where it is and its upper bound.
    struct Pending: Sendable {
        var block: Int32
        var index: Int32
        var upper: Double
    }

    /// What one worker found.
    struct WorkerResult: Sendable {
        var lower: LowerBounds
        var pending: [Pending]
        var sums: [Int: LaneChecksum]
    }

    /// The candidates for the best `k` vectors of `kind` in `file` by dot product with
    /// `query` (unit length), with scores ≥ `minScore`, among the keys `allow` accepts
    /// (all when nil; it is asked only about vectors that might enter).
    /// - Parameter workers: parallel scans; default one per core.
    /// - Throws: `ScanFileProblem.corrupt` when a block's codes or a candidate's vector
    ///   fail their checksum.
    public static func run(file: ScanFile, kind: VectorKind, query: [Float], k: Int, minScore: Float = -.infinity,
                           allow: (@Sendable (VectorKey) -> Bool)? = nil,
                           workers: Int = activeCores()) async throws -> [Candidate] {
        try await scan(file: file, kind: kind, query: query, k: k, minScore: minScore, allow: allow, workers: workers).candidates
    }

    /// `run`, also telling how many vectors the second pass scored in float32.
    static func scan(file: ScanFile, kind: VectorKind, query: [Float], k: Int, minScore: Float = -.infinity,
                     allow: (@Sendable (VectorKey) -> Bool)? = nil,
                     workers: Int = activeCores()) async throws -> (candidates: [Candidate], rescored: Int) {
        precondition(query.count == kind.dimensions)
        let blocks = file.blocks.enumerated().filter { $0.element.header.kind == kind }.map(\.offset)
        let units: [(block: Int, start: Int, end: Int)] = blocks.flatMap { index in
            let count = file.blocks[index].header.count
            return stride(from: 0, to: count, by: unitVectors).map { (index, $0, min(count, $0 + unitVectors)) }
        }
        let quantized = QuantizedQuery(query)
        let floor = Double(minScore)
        let counter = UnitCounter()
        let results = await withTaskGroup(of: WorkerResult.self) { group in
            for _ in 0..<max(1, min(workers, units.count)) {
                group.addTask {
                    var result = WorkerResult(lower: LowerBounds(k: k), pending: [], sums: [:])
                    var dots = [Int32](repeating: 0, count: unitVectors)
                    quantized.codes.withUnsafeBufferPointer { queryCodes in
                        dots.withUnsafeMutableBufferPointer { dots in
                            while true {
                                let taken = counter.next.add(1, ordering: .relaxed).oldValue
                                guard taken < units.count else { break }
                                let unit = units[taken]
                                let block = file.blocks[unit.block]
                                let count = unit.end - unit.start
                                let stride = block.header.codeStride
                                let records = file.records(of: block) + unit.start * Int8Codes.recordSize
                                var sum = LaneChecksum()
                                withUnsafeMutableBytes(of: &sum.lanes) { lanes in
                                    llmq_i8_dots((file.codes(of: block) + unit.start * stride).assumingMemoryBound(to: Int8.self),
                                                 count, stride, queryCodes.baseAddress, dots.baseAddress,
                                                 lanes.baseAddress!.assumingMemoryBound(to: UInt32.self))
                                }
                                sum.add(records, byteCount: count * Int8Codes.recordSize)
                                var threshold = max(result.lower.threshold, floor)
                                for index in 0..<count {
                                    let record = Int8Codes.Record.load(records + index * Int8Codes.recordSize)
                                    let estimate = quantized.approximate(record, dot: dots[index])
                                    let bound = quantized.bound(record)
                                    guard estimate + bound >= threshold else { continue }
                                    let key = file.key(unit.start + index, of: block)
                                    guard allow?(key) ?? true else { continue }
                                    result.pending.append(Pending(block: Int32(unit.block), index: Int32(unit.start + index),
                                                                  upper: estimate + bound))
                                    result.lower.offer(estimate - bound)
                                    threshold = max(result.lower.threshold, floor)
                                }
                                result.sums[unit.block, default: LaneChecksum()].combine(sum)
                            }
                        }
                    }
                    return result
                }
            }
            var merged = WorkerResult(lower: LowerBounds(k: k), pending: [], sums: [:])
            for await partial in group {
                merged.lower.merge(partial.lower)
                merged.pending += partial.pending
                for (block, sum) in partial.sums { merged.sums[block, default: LaneChecksum()].combine(sum) }
            }
            return merged
        }
        for index in blocks where file.blocks[index].header.count > 0 {
            guard results.sums[index]?.value == file.blocks[index].header.codesChecksum else {
                throw ScanFileProblem.corrupt("code checksum mismatch in the block at offset \(file.blocks[index].offset)")
            }
        }
        let cut = max(results.lower.threshold, floor)
        var top = TopK(k: k, floor: minScore)
        var rescored = 0
        try query.withUnsafeBytes { queryBytes in
            let dimensions = kind.dimensions
            for pending in results.pending where pending.upper >= cut {
                let block = file.blocks[Int(pending.block)]
                let index = Int(pending.index)
                var lanes = SIMD8<UInt32>()
                let score = DotProduct.dot(file.vectors(of: block) + index * dimensions * 4, queryBytes.baseAddress!,
                                           dimensions: dimensions, checksum: &lanes)
                var checksum = LaneChecksum()
                checksum.lanes = lanes
                let record = Int8Codes.Record.load(file.records(of: block) + index * Int8Codes.recordSize)
                guard UInt32(truncatingIfNeeded: checksum.value) == record.checksum else {
                    throw ScanFileProblem.corrupt("vector checksum mismatch for vector \(index) of the block at offset \(block.offset)")
                }
                top.offer(Candidate(score: score, key: file.key(index, of: block)))
                rescored += 1
            }
        }
        return (top.candidates, rescored)
    }

    /// The cores this process may use.
    public static func activeCores() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

/// The `k` largest lower bounds seen (a min-heap): none of the best `k` scores is below
/// the smallest of them once there are `k`.
struct LowerBounds: Sendable {
    let k: Int
    private(set) var heap: [Double] = []

    init(k: Int) {
        self.k = k
        heap.reserveCapacity(min(k, 1 << 16))
    }

    /// The k-th largest bound offered, or -∞ while there are fewer than `k`.
    @inline(__always)
    var threshold: Double { heap.count == k ? heap[0] : -.infinity }

    /// Offers a lower bound (NaN is ignored: it bounds nothing).
    mutating func offer(_ bound: Double) {
        guard !bound.isNaN else { return }
        if heap.count < k {
            heap.append(bound)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child] < heap[parent] else { break }
                heap.swapAt(child, parent)
                child = parent
            }
            return
        }
        guard bound > heap[0] else { return }
        heap[0] = bound
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, heap[left + 1] < heap[left] { smallest = left + 1 }
            guard heap[smallest] < heap[parent] else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }

    /// Offers every bound `other` kept.
    mutating func merge(_ other: LowerBounds) {
        for bound in other.heap { offer(bound) }
    }
}

/// Hands out units of work to the scan's workers, each exactly once.
private final class UnitCounter: Sendable {
    let next = Atomic<Int>(0)
}
