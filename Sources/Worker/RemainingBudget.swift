/// What the latest `x-ratelimit-remaining-*` (and `x-ratelimit-reset-*`) headers say is left
/// of one server budget (requests or tokens), less what the server has not counted yet.
/// A send the server would have no room for waits, so a budget shared with other clients
/// (or spent by an earlier run) slows the run down before the server answers 429.
///
/// A figure counts the sends up to the one it answers (``SendLog`` matches answers to
/// sends), not those that went after it: they are still on their way or in flight when
/// the figure arrives, so they are subtracted until a later figure counts them. (Taking a
/// figure as counting everything sent before it arrived overran the budget by the sends
/// in flight.)
///
/// - With a limit or a reset (OpenAI), the remainder refills at the pace that reaches the
///   full limit by the reset.
/// - With neither (Azure OpenAI sends only `x-ratelimit-remaining-requests` and `-tokens`),
///   the remainder is taken as counted over a sliding window of ``assumedWindow`` seconds
///   (Azure counts requests over 10 s and tokens over the minute): every send of this run
///   the figure counted comes back to the remainder once it has surely left that window
///   (the window after its answer came back: the server had counted it by then, however
///   late it got there), and a send that went after it stops counting against it then;
///   as a send's tokens are llmq's estimate, not the server's count, those the figure does
///   not count weigh ``tokenUncertainty`` times their estimate and those that leave give
///   back their estimate divided by it. A send with no room waits for the earliest such
///   return. When none would make room (the budget went
///   to other clients), one send goes ``probeSeconds`` after the latest figure (a probe)
///   and the others wait for its answer or another ``probeSeconds``; after a 429, the
///   probe goes when its retry-after ends, as the server said. Nothing is divided by a
///   missing limit, and an exhausted remainder never lets every waiting sender go at once.
struct RemainingBudget {
    /// How long an exhausted remainder nothing of this run will refill holds before a probe may go.
    static let probeSeconds: Double = 1
    /// How much later than `window` seconds after its answer a send is taken to leave the
    /// server's window: the server's own clock.
    static let windowMargin: Double = 0.05
    /// How far a send's estimated tokens may be from the server's count, in a sliding window.
    static let tokenUncertainty: Double = 1.1
    /// A send counts as gone from the window this much early, so that a wait computed to
    /// the moment it leaves is never a hair short of it (and so a loop).
    private static let timeSlack: Double = 1e-6

    /// Requests or tokens.
    let measure: SendLog.Measure
    /// The reported remainder, at `observedAt`; nil until a response reports one.
    private var remaining: Double?
    private var observedAt: Double = 0
    /// The serial of the newest send the figure counts (``SendLog/Entry/serial``).
    private var countedThrough = -1
    /// The figure's sliding window begins here: the sends of this run after it (up to
    /// `countedThrough`) are in the figure.
    private var windowStart: Double = 0
    /// The window the figure is counted over, when the server reports neither limit nor reset.
    private var window: Double?
    /// When the server said the budget is whole again.
    private var resetAt: Double = 0
    private var refillPerSecond: Double = 0
    /// When the next probe may go, while the server reports neither limit nor reset; and
    /// whether it may go before the window predicts room (a 429's retry-after said so).
    private var probeAt: Double?
    private var probeAtServersWord = false

    init(_ measure: SendLog.Measure) { self.measure = measure }

    /// The window a remainder without limit or reset is counted over: Azure's, 10 s for
    /// requests and a minute for tokens.
    var assumedWindow: Double { measure == .requests ? 10 : 60 }

    /// Takes in a response's figures. `answered` is the send the response belongs to (nil:
    /// none matched, so the figure counts every send made so far); a figure for a send older
    /// than the one the current figure answers is stale and ignored. `retryAfter` is a
    /// 429's retry-after, in seconds.
    mutating func observe(remaining reported: Int?, limit: Int?, reset: Duration?, answered: SendLog.Entry?,
                          retryAfter: Double?, log: SendLog, now: Double) {
        guard let reported else { return }
        let serial = answered?.serial ?? log.lastSerial
        if remaining != nil, serial < countedThrough { return }
        let remaining = Double(reported)
        let resetSeconds = reset.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 60
        self.remaining = remaining
        observedAt = now
        countedThrough = serial
        resetAt = now + resetSeconds
        if limit == nil && reset == nil {
            window = assumedWindow
            windowStart = (answered?.time ?? now) - assumedWindow
            probeAt = now + (retryAfter ?? Self.probeSeconds)
            probeAtServersWord = retryAfter != nil
            refillPerSecond = 0
            return
        }
        window = nil
        probeAt = nil
        if let limit, Double(limit) > remaining, resetSeconds > 0 {
            refillPerSecond = (Double(limit) - remaining) / resetSeconds
        } else {
            refillPerSecond = limit.map { Double($0) / 60 } ?? 0
        }
    }

    /// Called for a send of `cost` at `now` before it joins `log`: a send past an exhausted
    /// remainder is the probe, and the next one waits ``probeSeconds`` more.
    mutating func book(_ cost: Double, log: SendLog, now: Double) {
        guard window != nil, let probe = probeAt, now >= probe, !fits(cost, log: log, now: now) else { return }
        probeAt = now + Self.probeSeconds
        probeAtServersWord = false
    }

    /// Seconds until a send of `cost` fits (0 when it does now, or nothing is known).
    func wait(for cost: Double, log: SendLog, now: Double) -> Double {
        if remaining == nil || fits(cost, log: log, now: now) { return 0 }
        if let window {
            let returned = returnWait(for: cost, log: log, window: window, now: now)
            let probe = probeAt.map { max(0, $0 - now) }
            if probeAtServersWord, let probe { return min(returned ?? probe, probe) }
            return returned ?? probe ?? 0
        }
        guard now < resetAt else { return 0 }
        let available = available(log: log, now: now)
        guard refillPerSecond > 0 else { return resetAt - now }
        return min((cost - available) / refillPerSecond, resetAt - now)
    }

    /// Seconds until enough of this run's sends have left the window for `cost` to fit;
    /// nil when all of them leaving would not make room.
    private func returnWait(for cost: Double, log: SendLog, window: Double, now: Double) -> Double? {
        var missing = cost - available(log: log, now: now) - 1e-6
        let coming = departures(log, window: window).filter { $0.time > now + Self.timeSlack }.sorted { $0.time < $1.time }
        for departure in coming {
            missing -= departure.amount
            if missing <= 0 { return departure.time - now }
        }
        return nil
    }

    /// This run's sends the figure's window holds or will hold, and when each leaves it.
    private func departures(_ log: SendLog, window: Double) -> [(time: Double, amount: Double)] {
        let weight = measure == .tokens ? 1 / Self.tokenUncertainty : 1
        return log.departures(measure, sentAfter: windowStart, window: window + Self.windowMargin).map { ($0.time, $0.amount * weight) }
    }

    /// The remainder now: the figure, refilled towards the reset (or plus this run's sends
    /// that have left the window since), less the sends the figure does not count (those
    /// still in the window).
    private func available(log: SendLog, now: Double) -> Double {
        let uncounted = log.total(measure, afterSerial: countedThrough)
        var available = (remaining ?? 0) + refillPerSecond * (now - observedAt) - uncounted
        if let window {
            if measure == .tokens { available -= uncounted * (Self.tokenUncertainty - 1) }
            available += departures(log, window: window).reduce(0) { $0 + ($1.time <= now + Self.timeSlack ? $1.amount : 0) }
        }
        return available
    }

    /// Whether the remainder has room for `cost` now. A millionth of a token of rounding
    /// must not turn into a wait the clock cannot even represent (and so a loop).
    private func fits(_ cost: Double, log: SendLog, now: Double) -> Bool {
        available(log: log, now: now) + 1e-6 >= cost
    }
}
