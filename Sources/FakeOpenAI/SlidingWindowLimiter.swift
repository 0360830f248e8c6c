/// Counts amounts (requests or tokens) over a sliding window (one minute by default) and
/// admits a new amount only while the window's total stays within the limit.
///
/// Cost is amortised O(1) per admission; computing a denial's wait walks the oldest entries.
/// Not thread-safe: the server holds it inside its lock.
struct SlidingWindowLimiter: Sendable {
    /// The outcome of ``check(_:now:)``.
    enum Decision: Equatable {
        /// Fits: ``record(_:now:)`` it.
        case admit
        /// Does not fit yet: retry after `waitNanos`; `used` is the window's total now.
        case wait(waitNanos: UInt64, used: Int)
        /// Larger than the whole limit: can never fit.
        case tooLarge
    }

    let limit: Int
    let windowNanos: UInt64
    private var times: [UInt64] = []
    private var amounts: [Int] = []
    private var head = 0
    private(set) var used = 0

    init(limit: Int, windowNanos: UInt64 = 60_000_000_000) {
        self.limit = limit
        self.windowNanos = windowNanos
    }

    /// Drops entries older than the window.
    mutating func prune(now: UInt64) {
        while head < times.count, times[head] + windowNanos <= now {
            used -= amounts[head]
            head += 1
        }
        if head > 1024, head * 2 > times.count {
            times.removeFirst(head)
            amounts.removeFirst(head)
            head = 0
        }
    }

    /// Whether `amount` fits now.
    mutating func check(_ amount: Int, now: UInt64) -> Decision {
        prune(now: now)
        if amount > limit { return .tooLarge }
        if used + amount <= limit { return .admit }
        var freed = 0
        var index = head
        while index < times.count {
            freed += amounts[index]
            if used - freed + amount <= limit {
                return .wait(waitNanos: times[index] + windowNanos - now, used: used)
            }
            index += 1
        }
        return .wait(waitNanos: windowNanos, used: used)
    }

    /// Charges `amount` at `now`.
    mutating func record(_ amount: Int, now: UInt64) {
        times.append(now)
        amounts.append(amount)
        used += amount
    }

    /// What is left in the window now.
    mutating func remaining(now: UInt64) -> Int {
        prune(now: now)
        return max(0, limit - used)
    }

    /// Time until the window is empty again (the newest entry expires).
    func resetNanos(now: UInt64) -> UInt64 {
        guard let last = times.last, head < times.count, last + windowNanos > now else { return 0 }
        return last + windowNanos - now
    }
}
