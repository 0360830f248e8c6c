/// tiktoken's byte-pair merge over the UTF-8 bytes of one piece: repeatedly merge the
/// adjacent pair with the lowest rank, the leftmost one on ties.
///
/// Short pieces use tiktoken's own quadratic loop over a small array; long pieces use a
/// min-heap of `(rank, start)` over a linked list of parts, which makes the same choices
/// (a part's start never moves, so the smallest start is the leftmost pair) in
/// O(n log n).
enum BytePairMerge {
    /// Pieces up to this many bytes use the simple loop.
    static let shortPieceLimit = 64

    /// Calls `emit` with the rank of each token of the piece of `length` bytes at `start`
    /// (eight readable bytes past the end are required), in order; returns the token count.
    @inline(__always)
    static func encode(
        _ start: UnsafePointer<UInt8>, _ length: Int, _ lookup: RankLookup, _ emit: (UInt32) -> Void
    ) -> Int {
        let whole = lookup.rank(start, length)
        if whole != RankTable.absent {
            emit(whole)
            return 1
        }
        if length <= shortPieceLimit {
            return mergeShort(start, length, lookup, emit)
        }
        return mergeLong(start, length, lookup, emit)
    }

    /// tiktoken's `_byte_pair_merge`, on stack buffers.
    @inline(__always)
    static func mergeShort(
        _ start: UnsafePointer<UInt8>, _ length: Int, _ lookup: RankLookup, _ emit: (UInt32) -> Void
    ) -> Int {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: length + 1) { positions in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: length + 1) { ranks in
                for index in 0...length { positions[index] = index }
                var parts = length + 1
                for index in 0..<parts {
                    ranks[index] = index + 2 < parts ? lookup.pairRank(start + index) : RankTable.absent
                }
                while true {
                    var minRank = RankTable.absent
                    var minIndex = 0
                    for index in 0..<(parts - 1) where ranks[index] < minRank {
                        minRank = ranks[index]
                        minIndex = index
                    }
                    if minRank == RankTable.absent { break }
                    // Remove part minIndex + 1.
                    var index = minIndex + 1
                    while index < parts - 1 {
                        positions[index] = positions[index + 1]
                        ranks[index] = ranks[index + 1]
                        index += 1
                    }
                    parts -= 1
                    ranks[minIndex] = minIndex + 2 < parts
                        ? lookup.rank(start + positions[minIndex], positions[minIndex + 2] - positions[minIndex])
                        : RankTable.absent
                    if minIndex > 0 {
                        let previous = minIndex - 1
                        ranks[previous] = lookup.rank(
                            start + positions[previous], positions[previous + 2] - positions[previous])
                    }
                }
                for index in 0..<(parts - 1) {
                    emit(lookup.rank(start + positions[index], positions[index + 1] - positions[index]))
                }
                return parts - 1
            }
        }
    }

    /// The same merge with a heap and a linked list, for long pieces.
    static func mergeLong(
        _ start: UnsafePointer<UInt8>, _ length: Int, _ lookup: RankLookup, _ emit: (UInt32) -> Void
    ) -> Int {
        // Part ids are their start offsets; next[id] is the next part's start (length: none).
        // 32-bit links: pieces are shorter than 2 GiB (a text's byte count is an Int32).
        let next = UnsafeMutablePointer<Int32>.allocate(capacity: length)
        let previous = UnsafeMutablePointer<Int32>.allocate(capacity: length)
        let pairRank = UnsafeMutablePointer<UInt32>.allocate(capacity: length)
        // At most length - 1 initial pairs plus two pushes per merge.
        var heap = MinHeap(capacity: 3 * length)
        defer {
            next.deallocate()
            previous.deallocate()
            pairRank.deallocate()
            heap.deallocate()
        }
        for index in 0..<length {
            next[index] = Int32(truncatingIfNeeded: index + 1)
            previous[index] = Int32(truncatingIfNeeded: index - 1)
            let rank = index + 1 < length ? lookup.pairRank(start + index) : RankTable.absent
            pairRank[index] = rank
            if rank != RankTable.absent { heap.append(UInt64(rank) << 32 | UInt64(index)) }
        }
        heap.heapify()
        var parts = length
        while let top = heap.popMin() {
            let rank = UInt32(truncatingIfNeeded: top >> 32)
            let part = Int(truncatingIfNeeded: top & 0xFFFF_FFFF)
            // Stale entries: the part was merged away or its pair changed since the push.
            guard pairRank[part] == rank else { continue }
            let merged = Int(next[part])
            let after = Int(next[merged])
            pairRank[merged] = RankTable.absent
            next[part] = Int32(truncatingIfNeeded: after)
            if after < length { previous[after] = Int32(truncatingIfNeeded: part) }
            parts -= 1
            let newRank = after < length ? lookup.rank(start + part, Int(next[after]) - part) : RankTable.absent
            pairRank[part] = newRank
            if newRank != RankTable.absent { heap.push(UInt64(newRank) << 32 | UInt64(part)) }
            let before = Int(previous[part])
            if before >= 0 {
                let beforeRank = lookup.rank(start + before, after - before)
                pairRank[before] = beforeRank
                if beforeRank != RankTable.absent { heap.push(UInt64(beforeRank) << 32 | UInt64(before)) }
            }
        }
        var part = 0
        while part < length {
            let following = Int(next[part])
            emit(lookup.rank(start + part, following - part))
            part = following
        }
        return parts
    }
}

/// A four-ary min-heap of `UInt64` keys (half the depth of a binary heap, and a node's
/// children share a cache line) in a fixed, manually deallocated buffer (pointer
/// based so that debug builds, which run the tests, stay fast).
struct MinHeap {
    private let items: UnsafeMutablePointer<UInt64>
    private let capacity: Int
    private var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        items = .allocate(capacity: self.capacity)
    }

    func deallocate() { items.deallocate() }

    mutating func push(_ item: UInt64) {
        precondition(count < capacity, "MinHeap overflow")
        var child = count
        count += 1
        while child > 0 {
            let parent = (child - 1) >> 2
            let parentItem = items[parent]
            if parentItem <= item { break }
            items[child] = parentItem
            child = parent
        }
        items[child] = item
    }

    /// Adds `item` without keeping the heap order; call `heapify()` before the next pop.
    mutating func append(_ item: UInt64) {
        precondition(count < capacity, "MinHeap overflow")
        items[count] = item
        count += 1
    }

    /// Restores the heap order after `append`s, in O(n).
    mutating func heapify() {
        var index = (count + 2) / 4
        while index > 0 {
            index -= 1
            siftDown(from: index, item: items[index])
        }
    }

    mutating func popMin() -> UInt64? {
        guard count > 0 else { return nil }
        let top = items[0]
        count -= 1
        if count == 0 { return top }
        siftDown(from: 0, item: items[count])
        return top
    }

    /// Places `last` at `hole` or below, moving smaller children up.
    private func siftDown(from start: Int, item last: UInt64) {
        var hole = start
        while true {
            let first = 4 * hole + 1
            if first >= count { break }
            var child = first
            var smallest = items[first]
            var other = first + 1
            let end = min(first + 4, count)
            while other < end {
                let item = items[other]
                if item < smallest {
                    smallest = item
                    child = other
                }
                other += 1
            }
            if last <= smallest { break }
            items[hole] = smallest
            hole = child
        }
        items[hole] = last
    }
}
