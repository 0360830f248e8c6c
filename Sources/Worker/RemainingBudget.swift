/// What the latest `x-ratelimit-remaining-*` and `x-ratelimit-reset-*` headers say is left
/// of one server budget (requests or tokens): the reported remainder, refilled at the pace
/// that reaches the full limit by the reported reset, minus what this run has sent since.
/// A send the server would have no room for waits for the refill, so a budget shared
/// with other clients (or spent by an earlier run) slows the run down before the server
/// answers 429.
///
/// A server that reports the remainder with neither a limit nor a reset (Azure OpenAI sends
/// only `x-ratelimit-remaining-requests` and `-tokens`, the requests counted over 10 s)
/// gives no refill to compute: a send that finds no room waits ``probeSeconds`` after the
/// latest figure, then one send goes (a probe) and the others wait for its answer (a new
/// remainder, or a 429 whose retry-after pauses every sender) or another ``probeSeconds``.
/// Nothing is divided by a missing limit, and an exhausted remainder never lets every
/// waiting sender go at once.
struct RemainingBudget {
    /// How long an exhausted remainder with no reset holds before a probe may go.
    static let probeSeconds: Double = 1

    /// The reported remainder, at `observedAt`; nil until a response reports one.
    private var remaining: Double?
    private var observedAt: Double = 0
    /// When the server said the budget is whole again.
    private var resetAt: Double = 0
    private var refillPerSecond: Double = 0
    private var spentSince: Double = 0
    /// When the next probe may go, while the server reports neither limit nor reset.
    private var probeAt: Double?

    /// Takes in a response's figures (those of the latest response win).
    mutating func observe(remaining reported: Int?, limit: Int?, reset: Duration?, now: Double) {
        guard let reported else { return }
        let remaining = Double(reported)
        let resetSeconds = reset.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 60
        self.remaining = remaining
        observedAt = now
        resetAt = now + resetSeconds
        spentSince = 0
        probeAt = limit == nil && reset == nil ? now + Self.probeSeconds : nil
        if let limit, Double(limit) > remaining, resetSeconds > 0 {
            refillPerSecond = (Double(limit) - remaining) / resetSeconds
        } else {
            refillPerSecond = limit.map { Double($0) / 60 } ?? 0
        }
    }

    /// Counts a send made at `now`, after the latest observation; a send past an exhausted
    /// remainder with no reset is the probe, and the next one waits ``probeSeconds`` more.
    mutating func book(_ cost: Double, now: Double) {
        if let probe = probeAt, now >= probe, !fits(cost, now: now) { probeAt = now + Self.probeSeconds }
        spentSince += cost
    }

    /// Seconds until a send of `cost` fits (0 when it does now, or nothing is known).
    func wait(for cost: Double, now: Double) -> Double {
        if remaining == nil || fits(cost, now: now) { return 0 }
        if let probeAt { return max(0, probeAt - now) }
        guard now < resetAt else { return 0 }
        let available = available(now: now)
        guard refillPerSecond > 0 else { return resetAt - now }
        return min((cost - available) / refillPerSecond, resetAt - now)
    }

    private func available(now: Double) -> Double {
        (remaining ?? 0) + refillPerSecond * (now - observedAt) - spentSince
    }

    /// Whether the remainder has room for `cost` now. A millionth of a token of rounding
    /// must not turn into a wait the clock cannot even represent (and so a loop).
    private func fits(_ cost: Double, now: Double) -> Bool {
        available(now: now) + 1e-6 >= cost
    }
}
