/// Spreads spending evenly at `perSecond`: a request may go when the booked backlog is at
/// most `burst` seconds ahead of now (a virtual-scheduling token bucket). Together with
/// the window caps it keeps a run near its limit without the burst-then-idle pattern a
/// per-minute window alone allows, which a server enforcing shorter windows answers with
/// 429s.
struct SmoothRate: Sendable {
    /// When the booked spending would be paid off at `perSecond`.
    private(set) var paidOffAt: Double = 0

    /// Seconds until a request may go (0: now).
    func wait(now: Double, burst: Double) -> Double {
        max(0, paidOffAt - now - burst)
    }

    /// Books `amount` spent at `now`.
    mutating func book(_ amount: Double, perSecond: Double, now: Double) {
        guard perSecond > 0 else { return }
        paidOffAt = max(paidOffAt, now) + amount / perSecond
    }

    /// The schedule `spends` (oldest first) would have booked at `perSecond`: what was
    /// sent before a limit was known, or at another rate, counts against the new one.
    static func replaying(_ spends: some Sequence<(time: Double, amount: Double)>, perSecond: Double) -> SmoothRate {
        var rate = SmoothRate()
        for spend in spends { rate.book(spend.amount, perSecond: perSecond, now: spend.time) }
        return rate
    }
}
