/// Amounts spent over the last `span` seconds (requests or tokens), for client-side
/// pacing: how long to wait until `amount` more fits under a limit.
struct SlidingWindow: Sendable {
    let span: Double
    private var entries: [(time: Double, amount: Double)] = []
    private var head = 0
    private(set) var total: Double = 0

    init(span: Double = 60) { self.span = span }

    /// Drops what left the window.
    mutating func prune(now: Double) {
        while head < entries.count, entries[head].time <= now - span {
            total -= entries[head].amount
            head += 1
        }
        if head > 1024, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        if head == entries.count { total = 0 }
    }

    /// Records `amount` spent at `now`.
    mutating func add(_ amount: Double, now: Double) {
        entries.append((now, amount))
        total += amount
    }

    /// Seconds until `amount` more fits under `limit` (0: now). An amount larger than the
    /// limit on its own waits for an empty window.
    func wait(for amount: Double, limit: Double, now: Double) -> Double {
        if total + amount <= limit { return 0 }
        var remaining = total
        for index in head..<entries.count {
            remaining -= entries[index].amount
            if remaining + amount <= limit || index == entries.count - 1 {
                return max(0, entries[index].time + span - now)
            }
        }
        return 0
    }
}
