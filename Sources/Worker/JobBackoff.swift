/// When a job whose try failed with a retryable error may be tried again: exponential in
/// its attempts (`base × 2^attempts`, capped), shortened by up to 25% at random so many
/// jobs that failed together do not come back together.
struct JobBackoff: Sendable {
    var base: Double
    var cap: Double

    func delay(afterAttempts attempts: Int, random: Double) -> Double {
        let exponential = base * Double(1 << min(max(attempts, 0), 20))
        return min(exponential, cap) * (1 - 0.25 * random)
    }
}
