/// Tells a server-wide outage from a failure that follows particular inputs, and keeps the
/// shared outage pause (a value: ``SendGate`` holds it behind its lock).
///
/// A transient failure (5xx, 408/409, timeout, refused or reset connection, unparseable
/// body) follows its inputs when another request succeeded while it was in flight, or
/// when one of its jobs first failed earlier in this run and a request succeeded since:
/// the server works, these inputs do not. (The first failure counts, not the last, so the
/// last job left of a queue, retried alone, is still told from an outage.) Otherwise it is taken for an outage: every sender
/// pauses (exponential backoff with jitter, one step per pause, reset by a success) and
/// the jobs are handed back without counting an attempt.
struct OutageMonitor: Sendable {
    /// What a transient failure was.
    enum Verdict: Sendable, Equatable {
        /// Other requests succeed: spend the jobs' attempts.
        case followsInputs
        /// Nothing succeeds: hand the jobs back, no attempt; all senders pause `pause` seconds.
        case outage(pause: Double)
    }

    /// The first pause (seconds); doubled per consecutive pause.
    var base: Double = 1
    /// The longest pause (seconds).
    var cap: Double = 60
    /// When a request last succeeded (unix seconds).
    private(set) var lastSuccess = -Double.infinity
    /// Senders wait until then.
    private(set) var pausedUntil = 0.0
    private var consecutivePauses = 0
    /// When the current outage began (its first pause), nil when there is none.
    private var outageStart: Double?
    private var firstFailure: [Int64: Double] = [:]
    /// Transient failures of the last minute: when and why (`HTTP 500`, `connection refused`).
    private var recent: [(at: Double, reason: String)] = []

    /// A request succeeded: the outage (if any) is over.
    mutating func succeeded(now: Double, jobIDs: [Int64]) {
        // Failures during an outage that is now over said nothing about their inputs.
        if let start = outageStart { firstFailure = firstFailure.filter { $0.value < start } }
        outageStart = nil
        lastSuccess = now
        consecutivePauses = 0
        pausedUntil = 0
        for id in jobIDs { firstFailure.removeValue(forKey: id) }
    }

    /// Classifies a transient failure of the request for `jobIDs` sent at `sentAt`.
    /// - Parameter random: in [0, 1); shortens the pause by up to a quarter.
    mutating func failed(jobIDs: [Int64], sentAt: Double, reason: String, now: Double, random: Double) -> Verdict {
        recent.append((now, reason))
        recent.removeAll { $0.at < now - 60 }
        // `>=`: a success at the same instant (another request of the same moment) counts.
        let followsInputs = lastSuccess >= sentAt || jobIDs.contains { id in firstFailure[id].map { lastSuccess >= $0 } ?? false }
        noteFailure(jobIDs: jobIDs, now: now)
        if followsInputs { return .followsInputs }
        if now >= pausedUntil {
            if outageStart == nil { outageStart = now }
            let exponent = Double(1 << min(consecutivePauses, 20))
            consecutivePauses += 1
            pausedUntil = now + min(base * exponent, cap) * (1 - 0.25 * random)
        }
        return .outage(pause: max(0, pausedUntil - now))
    }

    /// Records that `jobIDs` failed at `now` (the first time counts), without classifying.
    mutating func noteFailure(jobIDs: [Int64], now: Double) {
        for id in jobIDs where firstFailure[id] == nil { firstFailure[id] = now }
    }

    /// Records that the failure of `jobIDs` is known to follow their inputs (a sibling
    /// request succeeded, before or after it): dated no later than the last success, so the
    /// jobs' next failure counts as following its inputs even when nothing else is in
    /// flight (the last job of a queue, retried alone).
    mutating func noteFailureFollowsInputs(jobIDs: [Int64]) {
        for id in jobIDs { firstFailure[id] = min(firstFailure[id] ?? .infinity, lastSuccess) }
    }

    /// Holds every sender until `time` at least (an overloaded server finishing the work it
    /// was given, ``SendGate``); a success ends the hold as it ends a pause.
    mutating func hold(until time: Double) {
        pausedUntil = max(pausedUntil, time)
    }

    /// Seconds until senders may go again (0 when not paused).
    func pauseRemaining(now: Double) -> Double { max(0, pausedUntil - now) }

    /// The most frequent reason of the last minute's failures and how often it came, e.g.
    /// `12 HTTP 500 in the last minute`; nil when there were none.
    func recentSummary(now: Double) -> String? {
        var counts: [String: Int] = [:]
        for failure in recent where failure.at >= now - 60 { counts[failure.reason, default: 0] += 1 }
        guard let top = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { return nil }
        return "\(top.value) \(top.key) in the last minute"
    }
}
