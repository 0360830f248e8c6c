/// What the latest `x-ratelimit-remaining-*` and `x-ratelimit-reset-*` headers say is left
/// of one server budget (requests or tokens): the reported remainder, refilled at the pace
/// that reaches the full limit by the reported reset, minus what this run has sent since.
/// A send the server would have no room for waits for the refill, so a budget shared
/// with other clients (or spent by an earlier run) slows the run down before the server
/// answers 429.
struct RemainingBudget {
    /// The reported remainder, at `observedAt`; nil until a response reports one.
    private var remaining: Double?
    private var observedAt: Double = 0
    /// When the server said the budget is whole again.
    private var resetAt: Double = 0
    private var refillPerSecond: Double = 0
    private var spentSince: Double = 0

    /// Takes in a response's figures (those of the latest response win).
    mutating func observe(remaining reported: Int?, limit: Int?, reset: Duration?, now: Double) {
        guard let reported else { return }
        let remaining = Double(reported)
        let resetSeconds = reset.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 60
        self.remaining = remaining
        observedAt = now
        resetAt = now + resetSeconds
        spentSince = 0
        if let limit, Double(limit) > remaining, resetSeconds > 0 {
            refillPerSecond = (Double(limit) - remaining) / resetSeconds
        } else {
            refillPerSecond = limit.map { Double($0) / 60 } ?? 0
        }
    }

    /// Counts a send made after the latest observation.
    mutating func book(_ cost: Double) {
        spentSince += cost
    }

    /// Seconds until a send of `cost` fits (0 when it does now, or nothing is known).
    func wait(for cost: Double, now: Double) -> Double {
        guard let remaining, now < resetAt else { return 0 }
        let available = remaining + refillPerSecond * (now - observedAt) - spentSince
        // A millionth of a token of rounding must not turn into a wait the clock cannot
        // even represent (and so a loop).
        if available + 1e-6 >= cost { return 0 }
        guard refillPerSecond > 0 else { return resetAt - now }
        return min((cost - available) / refillPerSecond, resetAt - now)
    }
}
