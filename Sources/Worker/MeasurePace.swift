import LLM

/// The pacing state of one measure (requests or tokens): its per-minute limit (a flag, or
/// what the headers advertise), the window the server is believed to enforce it over,
/// the even spreading, and the guard on the reported remainder.
struct MeasurePace: Sendable {
    let measure: SendLog.Measure
    let fixedPerMinute: Double?
    let share: Double
    /// The `x-ratelimit-limit-*` figure, once a response gave one.
    private(set) var advertisedPerMinute: Double?
    /// Seconds over which the server enforces its share of the limit: a minute, as the
    /// headers say, until a 429 shows a shorter one; never lengthened again.
    private(set) var window: Double = 60
    private var pace = SmoothRate()
    private var remaining: RemainingBudget

    init(_ measure: SendLog.Measure, fixedPerMinute: Int?, share: Double) {
        self.measure = measure
        self.fixedPerMinute = fixedPerMinute.map(Double.init)
        self.share = share
        self.remaining = RemainingBudget(measure)
    }

    /// What the run aims at per minute, if anything limits it.
    var target: Double? { fixedPerMinute ?? advertisedPerMinute.map { $0 * share } }

    /// Seconds until a send costing `cost` of this measure may go (0: now).
    func wait(for cost: Double, log: SendLog, burst: Double, now: Double) -> Double {
        var wait = remaining.wait(for: cost, log: log, now: now)
        guard let limit = target else { return wait }
        wait = max(wait, pace.wait(now: now, burst: burst), log.wait(for: cost, measure, limit: limit, span: 60, now: now))
        if window < 60, let perMinute = advertisedPerMinute ?? fixedPerMinute {
            // Any window of that length (plus a margin for the way to the server) stays
            // under its share of the limit, less 1% for estimates that count low; the
            // even pace below the limit keeps it from filling in the steady state.
            let span = window + 0.05
            wait = max(wait, log.wait(for: cost, measure, limit: perMinute * 0.99 * window / 60, span: span, now: now))
        }
        return wait
    }

    /// Books a send of `cost` at `now`, before it joins `log`.
    mutating func book(_ cost: Double, log: SendLog, now: Double) {
        remaining.book(cost, log: log, now: now)
        if let limit = target { pace.book(cost, perSecond: limit / 60, now: now) }
    }

    /// Takes in a response's figures (`answered`: the send it belongs to; `retryAfter`: a
    /// 429's, in seconds). A newly known limit counts everything already sent against it, so
    /// the sends made before it was known are not spent a second time.
    mutating func observe(limit: Int?, remaining reported: Int?, reset: Duration?, answered: SendLog.Entry?, retryAfter: Double?,
                          log: SendLog, now: Double) {
        if let limit, limit > 0, Double(limit) != advertisedPerMinute {
            advertisedPerMinute = Double(limit)
            if fixedPerMinute == nil, let target {
                let measure = measure
                let spends = log.kept.filter { $0.outcome != .rejected }.map { (time: $0.time, amount: $0.amount(measure)) }
                pace = SmoothRate.replaying(spends, perSecond: target / 60)
            }
        }
        remaining.observe(remaining: reported, limit: limit, reset: reset, answered: answered, retryAfter: retryAfter, log: log, now: now)
    }

    /// Narrows the window when the 429 for `refused` shows the server enforces a shorter
    /// one (``EnforcementWindow``).
    mutating func learn(from refused: SendLog.Entry, log: SendLog, remaining reported: Int?) {
        guard let perMinute = advertisedPerMinute ?? fixedPerMinute,
              let shorter = EnforcementWindow.infer(log, measure, refused: refused, perMinute: perMinute,
                                                    remaining: reported, current: window)
        else { return }
        window = shorter
    }
}
