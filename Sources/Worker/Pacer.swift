import LLM

/// The one place that decides when the next request may go: every sender asks it before
/// each HTTP attempt (`willSend`) and tells it what each response said (`didReceive`).
///
/// - A 429 pauses **all** senders until its retry-after has passed (or an exponential
///   backoff when the server gave none), not only the one that got it.
/// - Until a response has said what the limits are, one request goes at a time (a probe;
///   another only when it has gone unanswered for `probeSeconds`), so no burst spends a
///   budget nobody knows yet. Everything sent by then counts once the limits are known.
/// - Requests and tokens are paced by `--rpm`/`--tpm` when given, else by the limits the
///   `x-ratelimit-limit-*` headers report, aiming at `headerLimitShare` of them: spread
///   evenly over time (`SmoothRate`, at most `burstSeconds` ahead), never more than the
///   limit in any sliding minute, and, once a 429 has shown that the server enforces its
///   limit over a shorter window (`EnforcementWindow`), never more than that window's
///   share in any window of that length.
/// - The `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` figures of the latest response
///   are a second guard (`RemainingBudget`): when the server's remainder, refilled towards
///   its reset and less what was sent since, has no room for the next request, it waits.
///   That catches a budget shared with other clients before the server says 429. A figure
///   counts the sends up to the one it answers, not those still on their way. A server
///   that reports only the remainders (Azure: no limit, no reset) is paced by them alone:
///   an exhausted one waits for this run's sends to leave Azure's window (10 s for
///   requests, a minute for tokens), or, when none will make room, lets a single probe go
///   a second later, whose 429 pauses everyone.
/// - Token estimates are calibrated against the usage the API reports (both ways), so an
///   upper-bound estimate does not leave most of the limit unused and a server that
///   counts more than the tokenizer does is not overrun.
public actor Pacer: RequestObserver {
    private let clock: any WorkerClock
    private let random: @Sendable () -> Double
    private var log = SendLog()
    private var requests: MeasurePace
    private var tokens: MeasurePace
    /// How far ahead of the steady rate sends may run, in seconds: enough to absorb late
    /// wake-ups, small enough that no window gets much more than its share.
    private let burstSeconds: Double = 0.1
    /// How long the probe may go unanswered before another request goes.
    private let probeSeconds: Double = 2
    /// Whether a response has said what the limits are (or, a success without headers,
    /// that there are none).
    private var limitsKnown: Bool
    private var pausedUntil: Double = 0
    private var consecutiveRateLimits = 0
    /// Actual tokens per estimated token, learnt from responses (EWMA).
    private(set) var calibration: Double = 1
    private var calibrated = false

    /// 429 responses seen in this run.
    public private(set) var rateLimitedResponses = 0
    /// HTTP responses seen in this run.
    public private(set) var responses = 0

    /// A pacer with optional fixed limits (per minute).
    public init(clock: any WorkerClock, requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, headerLimitShare: Double = 0.97,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.clock = clock
        self.requests = MeasurePace(.requests, fixedPerMinute: requestsPerMinute, share: headerLimitShare)
        self.tokens = MeasurePace(.tokens, fixedPerMinute: tokensPerMinute, share: headerLimitShare)
        self.limitsKnown = requestsPerMinute != nil || tokensPerMinute != nil
        self.random = random
    }

    /// Seconds over which the server is believed to enforce its request and token
    /// limits (60 until a 429 shows a shorter window).
    public var enforcementWindows: (requests: Double, tokens: Double) { (requests.window, tokens.window) }

    /// Whether the pacer is still waiting for a response to say what the limits are; the
    /// worker then keeps one request in flight.
    public var isProbing: Bool { !limitsKnown }

    /// The most tokens one request should carry (in the estimator's counts, before
    /// calibration), once a token limit is known: a 40th of the budget of the enforcement
    /// window (at most 10 s, the shortest a server is assumed to use until a 429 shows a
    /// shorter one). Pacing then spreads sends finely enough that no window overflows for
    /// want of room for one more whole request.
    public func requestTokenBudget() -> Int? {
        guard let perMinute = tokens.advertisedPerMinute ?? tokens.fixedPerMinute else { return nil }
        return max(1, Int(perMinute * min(tokens.window, 10) / 60 / 40 / calibration))
    }

    /// Waits until a request of `estimatedTokens` may be sent, then books it.
    public func willSend(path: String, estimatedTokens: Int) async throws {
        let cost = Double(max(1, estimatedTokens)) * calibration
        while true {
            try Task.checkCancellation()
            let now = clock.now()
            log.prune(now: now)
            var wait = max(pausedUntil - now, requests.wait(for: 1, log: log, burst: burstSeconds, now: now),
                           tokens.wait(for: cost, log: log, burst: burstSeconds, now: now))
            if !limitsKnown, let probe = log.newestUnanswered(after: now - probeSeconds) {
                wait = max(wait, probe + probeSeconds - now)
            }
            if wait <= 0 {
                requests.book(1, log: log, now: now)
                tokens.book(cost, log: log, now: now)
                log.add(tokens: cost, now: now)
                return
            }
            try await clock.sleep(seconds: min(wait, 5))
        }
    }

    /// Takes in a response: a 429 pauses every sender (and may show a shorter enforcement
    /// window), unless it ends the run (a quota's 429 says nothing about the pace); headers
    /// update the limits.
    public func didReceive(status: Int, rateLimits: RateLimitSnapshot?, retryAfter: Duration?, endsRun: Bool) async {
        responses += 1
        let now = clock.now()
        let settled = log.settle(status: status, at: now)
        if let limits = rateLimits {
            let serverPause = status == 429 ? retryAfter?.seconds : nil
            requests.observe(limit: limits.limitRequests, remaining: limits.remainingRequests, reset: limits.resetRequests,
                             answered: settled, retryAfter: serverPause, log: log, now: now)
            tokens.observe(limit: limits.limitTokens, remaining: limits.remainingTokens, reset: limits.resetTokens,
                           answered: settled, retryAfter: serverPause, log: log, now: now)
            limitsKnown = limitsKnown || limits.limitRequests != nil || limits.limitTokens != nil
        }
        // A success ends the probe whatever its headers said: none (no limits to learn) or
        // only the remainders (Azure), which ``RemainingBudget`` guards from then on.
        if status < 400 { limitsKnown = true }
        guard status == 429, !endsRun else {
            if status < 400 { consecutiveRateLimits = 0 }
            return
        }
        rateLimitedResponses += 1
        consecutiveRateLimits += 1
        let pause: Double
        if let retryAfter {
            pause = retryAfter.seconds
        } else {
            let base = min(0.5 * Double(1 << min(consecutiveRateLimits - 1, 10)), 30)
            pause = base * (1 - 0.25 * random())
        }
        pausedUntil = max(pausedUntil, now + pause)
        if let refused = settled {
            requests.learn(from: refused, log: log, remaining: rateLimits?.remainingRequests)
            tokens.learn(from: refused, log: log, remaining: rateLimits?.remainingTokens)
        }
    }

    /// Tells the pacer how many tokens the API charged for a request it estimated at
    /// `estimated`, so later estimates are scaled to what the server counts.
    public func observeUsage(estimated: Int, actual: Int) {
        guard estimated > 0, actual > 0 else { return }
        let ratio = Double(actual) / Double(estimated)
        calibration = calibrated ? 0.8 * calibration + 0.2 * ratio : ratio
        calibrated = true
    }

    /// Seconds until the shared pause ends (0 when not paused).
    public func pauseRemaining() -> Double { max(0, pausedUntil - clock.now()) }
}
