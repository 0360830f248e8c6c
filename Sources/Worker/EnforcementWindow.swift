/// Infers over how many seconds a server enforces a per-minute limit it advertises, from a
/// 429 that the per-minute budget does not explain. The server admits a send only while
/// its window plus the send stays within `limit × window / 60`, so:
///
/// - a window is ruled out when the server admitted more than its budget within one such
///   window, or one request larger than it (it would have refused part of it); with no
///   admitted request yet nothing is inferred;
/// - a window explains the 429 when what was counted in that window before the refused
///   send, plus the send, exceeds its budget.
///
/// The answer is the shortest candidate that explains the 429 and is not ruled out: the
/// most cautious reading the evidence allows (pacing to it also keeps the longer ones).
enum EnforcementWindow {
    /// The windows considered, in seconds.
    static let candidates: [Double] = [1, 2, 3, 5, 10, 15, 20, 30]
    /// Slack for the difference between the pacer's estimates and the server's counts.
    static let tolerance = 0.02

    /// The window to pace to after `refused` was answered 429, or nil when the 429 does
    /// not point at one shorter than `current` (for instance, the minute was spent).
    /// - Parameters:
    ///   - perMinute: the limit the server advertises (not the share the pacer aims at).
    ///   - remaining: the remainder the 429's headers report for this measure, if any.
    static func infer(
        _ log: SendLog, _ measure: SendLog.Measure, refused: SendLog.Entry, perMinute: Double, remaining: Int?, current: Double
    ) -> Double? {
        let amount = refused.amount(measure)
        let minuteSpent = remaining.map { Double($0) < amount }
            ?? (log.total(measure, span: 60, end: refused.time) + amount > perMinute)
        // Without a single admitted request there is no evidence against any window.
        let largest = log.largestAdmitted(measure)
        if minuteSpent || largest <= 0 { return nil }
        for window in candidates where window < current {
            let budget = perMinute * window / 60
            // Ruled out: the server admitted more than the window's budget within one.
            if max(largest, log.busiestAdmitted(measure, span: window)) > budget * (1 + tolerance) { continue }
            let counted = log.total(measure, span: window, end: refused.time)
            if counted + amount > budget * (1 - tolerance) { return window }
        }
        return nil
    }
}
