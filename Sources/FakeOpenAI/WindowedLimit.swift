/// One limit (requests or tokens) the way the fake enforces it: advertised per minute in
/// the `x-ratelimit-*` headers, enforced as `perMinute × window / 60` in any sliding
/// `window` (a minute by default; shorter windows model servers that enforce sub-minute,
/// as OpenAI says it may). The headers keep reporting the per-minute reading.
///
/// Not thread-safe: the server holds it inside its lock.
struct WindowedLimit: Sendable {
    /// The advertised per-minute limit.
    let perMinute: Int
    private var enforced: SlidingWindowLimiter
    /// The per-minute reading for the headers; nil when the enforced window is the minute.
    private var minute: SlidingWindowLimiter?

    init(perMinute: Int, windowNanos: UInt64 = 60_000_000_000) {
        self.perMinute = perMinute
        let minuteNanos: UInt64 = 60_000_000_000
        if windowNanos == minuteNanos {
            enforced = SlidingWindowLimiter(limit: perMinute)
        } else {
            let share = Int((Double(perMinute) * Double(windowNanos) / Double(minuteNanos)).rounded(.down))
            enforced = SlidingWindowLimiter(limit: max(1, share), windowNanos: windowNanos)
            minute = SlidingWindowLimiter(limit: perMinute)
        }
    }

    /// Whether `amount` fits the enforced window now. An amount over the window's share
    /// but within the minute's limit is admitted into an empty window (only an amount over
    /// the advertised limit can never fit).
    mutating func check(_ amount: Int, now: UInt64) -> SlidingWindowLimiter.Decision {
        let decision = enforced.check(amount, now: now)
        guard decision == .tooLarge, minute != nil, amount <= perMinute else { return decision }
        let untilEmpty = enforced.resetNanos(now: now)
        return untilEmpty == 0 ? .admit : .wait(waitNanos: untilEmpty, used: enforced.used)
    }

    /// Charges `amount` at `now`.
    mutating func record(_ amount: Int, now: UInt64) {
        enforced.record(amount, now: now)
        minute?.record(amount, now: now)
    }

    /// What the headers report as used in the last minute.
    mutating func usedThisMinute(now: UInt64) -> Int {
        perMinute - remaining(now: now)
    }

    /// What the headers report as left of the minute.
    mutating func remaining(now: UInt64) -> Int {
        if let reading = minute?.remaining(now: now) { return reading }
        return enforced.remaining(now: now)
    }

    /// What is left of the enforced window (Azure reports this one, not the minute's).
    mutating func windowRemaining(now: UInt64) -> Int {
        enforced.remaining(now: now)
    }

    /// Time until the minute's reading is whole again.
    func resetNanos(now: UInt64) -> UInt64 {
        (minute ?? enforced).resetNanos(now: now)
    }
}
