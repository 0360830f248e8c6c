/// Every request the pacer let go over the last minute (and a little more): when it went,
/// its token cost, and what became of it. Pacing reads sums over windows of any length
/// ending now; inferring a server's enforcement window reads the busiest window of what
/// the server admitted.
///
/// Responses are matched to sends without ids, by how servers answer: a 429 comes back
/// at once, so it belongs to the newest unanswered send; any other answer took the
/// request's latency, so it belongs to the oldest. A send never answered (a transport
/// error) stays unanswered and keeps counting until it leaves the log.
struct SendLog: Sendable {
    /// What the server did with a send.
    enum Outcome: Sendable, Equatable {
        /// No answer yet (or never: a transport error).
        case unanswered
        /// Answered with anything but a 429: the server counted it.
        case admitted
        /// Answered 429: the server did not count it (a retry is a new send).
        case rejected
    }

    /// Requests (each send counts 1) or tokens (its cost).
    enum Measure: Sendable {
        case requests
        case tokens
    }

    /// One send.
    struct Entry: Sendable, Equatable {
        var time: Double
        var tokens: Double
        var outcome: Outcome
        /// Its place among every send of the run (0, 1, …), so a response's figures can say
        /// which sends they count.
        var serial = 0
        /// When its answer came back (nil: not yet, or settled without a time): the server
        /// counted it by then, so it leaves a sliding window at the latest that long after.
        var answeredAt: Double?

        func amount(_ measure: Measure) -> Double { measure == .requests ? 1 : tokens }
    }

    /// How long entries are kept, in seconds.
    let retention: Double
    private(set) var entries: [Entry] = []
    private var head = 0
    /// The serial the next send gets.
    private var nextSerial = 0

    init(retention: Double = 62) { self.retention = retention }

    /// The kept entries, oldest first.
    var kept: ArraySlice<Entry> { entries[head...] }

    /// Drops entries older than the retention.
    mutating func prune(now: Double) {
        while head < entries.count, entries[head].time <= now - retention { head += 1 }
        if head > 1024, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// Records a send of `tokens` at `now`.
    mutating func add(tokens: Double, now: Double) {
        entries.append(Entry(time: now, tokens: tokens, outcome: .unanswered, serial: nextSerial))
        nextSerial += 1
    }

    /// The serial of the newest send (-1: none yet).
    var lastSerial: Int { nextSerial - 1 }

    /// Settles the send a response belongs to (see the type's comment), answered at `now`,
    /// and returns it; nil when every kept send is answered already.
    mutating func settle(status: Int, at now: Double? = nil) -> Entry? {
        let pending = entries[head...]
        let found = status == 429 ? pending.lastIndex { $0.outcome == .unanswered } : pending.firstIndex { $0.outcome == .unanswered }
        guard let index = found else { return nil }
        entries[index].outcome = status == 429 ? .rejected : .admitted
        entries[index].answeredAt = now
        return entries[index]
    }

    /// When the newest unanswered send went, if any went after `since`.
    func newestUnanswered(after since: Double) -> Double? {
        entries[head...].last { $0.outcome == .unanswered && $0.time > since }?.time
    }

    /// What the server may be counting in the `span` seconds up to `end` (rejected sends
    /// excluded).
    func total(_ measure: Measure, span: Double, end: Double) -> Double {
        var sum = 0.0
        for entry in entries[head...].reversed() {
            if entry.time <= end - span { break }
            if entry.time <= end, entry.outcome != .rejected { sum += entry.amount(measure) }
        }
        return sum
    }

    /// What the sends after the one numbered `serial` may add to the server's count (rejected
    /// sends excluded).
    func total(_ measure: Measure, afterSerial serial: Int) -> Double {
        var sum = 0.0
        for entry in entries[head...].reversed() {
            if entry.serial <= serial { break }
            if entry.outcome != .rejected { sum += entry.amount(measure) }
        }
        return sum
    }

    /// The sends made after `start` that the server counted (rejected ones excluded) and
    /// that leave a sliding window of `window` seconds, at the latest, by the times given:
    /// `window` after their answer; unanswered sends are not known to leave. In no order.
    func departures(_ measure: Measure, sentAfter start: Double, window: Double) -> [(time: Double, amount: Double)] {
        entries[head...].compactMap { entry in
            guard entry.time > start, entry.outcome != .rejected, let answered = entry.answeredAt else { return nil }
            return (answered + window, entry.amount(measure))
        }
    }

    /// Seconds until `amount` more fits under `limit` in every window of `span` seconds
    /// (0: now). An amount larger than the limit on its own waits for an empty window.
    func wait(for amount: Double, _ measure: Measure, limit: Double, span: Double, now: Double) -> Double {
        var remaining = total(measure, span: span, end: now)
        if remaining + amount <= limit { return 0 }
        for entry in entries[head...] where entry.time > now - span && entry.outcome != .rejected {
            remaining -= entry.amount(measure)
            if remaining + amount <= limit || remaining <= 0 { return max(0, entry.time + span - now) }
        }
        return 0
    }

    /// The largest single send the server admitted among the kept ones (0: none).
    func largestAdmitted(_ measure: Measure) -> Double {
        entries[head...].filter { $0.outcome == .admitted }.map { $0.amount(measure) }.max() ?? 0
    }

    /// The most the server admitted in any window of `span` seconds among the kept sends.
    func busiestAdmitted(_ measure: Measure, span: Double) -> Double {
        var busiest = 0.0
        var sum = 0.0
        var start = head
        for index in head..<entries.count where entries[index].outcome == .admitted {
            sum += entries[index].amount(measure)
            while start < index, entries[start].time <= entries[index].time - span {
                if entries[start].outcome == .admitted { sum -= entries[start].amount(measure) }
                start += 1
            }
            busiest = max(busiest, sum)
        }
        return busiest
    }
}
