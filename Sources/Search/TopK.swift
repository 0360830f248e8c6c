/// A scored vector: a candidate hit.
public struct Candidate: Sendable, Equatable {
    /// Cosine similarity to the query.
    public var score: Float
    /// Which vector.
    public var key: VectorKey
}

/// The best `k` candidates by score, bounded in memory, that also keeps every candidate
/// tied with the k-th best score: the final order breaks ties by `custom_id`, which only
/// the database knows, so no tied candidate may be dropped here.
///
/// Invariant: `heap` holds the `k` best seen (a min-heap by score) and `ties` every other
/// candidate whose score equals the heap's minimum.
public struct TopK: Sendable {
    /// How many hits are wanted.
    public let k: Int
    /// Candidates under this score are never kept (`--min-score`).
    public let floor: Float
    private var heap: [Candidate] = []
    private var ties: [Candidate] = []

    /// An empty selection of the best `k` (≥ 1) with scores ≥ `floor`.
    public init(k: Int, floor: Float = -.infinity) {
        precondition(k >= 1)
        self.k = k
        self.floor = floor
        heap.reserveCapacity(k)
    }

    /// Scores below this cannot enter; the scan's fast path compares against it.
    @inline(__always)
    public var threshold: Float { heap.count == k ? heap[0].score : floor }

    /// Offers a candidate (any score; those under the threshold are dropped).
    @inline(__always)
    public mutating func offer(_ candidate: Candidate) {
        guard candidate.score >= floor else { return }
        if heap.count < k {
            heap.append(candidate)
            siftUp(heap.count - 1)
            return
        }
        let minimum = heap[0].score
        if candidate.score < minimum { return }
        if candidate.score == minimum {
            ties.append(candidate)
            return
        }
        let dropped = heap[0]
        heap[0] = candidate
        siftDown(0)
        if heap[0].score == dropped.score {
            ties.append(dropped)
        } else {
            ties.removeAll(keepingCapacity: true)
        }
    }

    /// Offers every candidate `other` kept.
    public mutating func merge(_ other: TopK) {
        for candidate in other.candidates { offer(candidate) }
    }

    /// Everything kept, in no particular order: the best `k` and all ties with the k-th.
    public var candidates: [Candidate] { heap + ties }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].score < heap[parent].score else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, heap[left + 1].score < heap[left].score { smallest = left + 1 }
            guard heap[smallest].score < heap[parent].score else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
