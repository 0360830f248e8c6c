import LLM

/// The one place that decides when the next request may go: every sender asks it before
/// each HTTP attempt (`willSend`) and tells it what each response said (`didReceive`).
///
/// - A 429 pauses **all** senders until its retry-after has passed (or an exponential
///   backoff when the server gave none), not only the one that got it.
/// - Requests and tokens are paced by `--rpm`/`--tpm` when given, else by the limits the
///   `x-ratelimit-limit-*` headers report, aiming at `headerLimitShare` of them: spread
///   evenly over time (`SmoothRate`, at most `burstSeconds` ahead), and never more than
///   the limit in any sliding minute.
/// - The `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` figures of the latest response
///   are a second guard (`RemainingBudget`): when the server's remainder, refilled towards
///   its reset and less what was sent since, has no room for the next request, it waits.
///   That catches a budget shared with other clients before the server says 429.
/// - Token estimates are calibrated against the usage the API reports (both ways), so an
///   upper-bound estimate does not leave most of the limit unused and a server that
///   counts more than the tokenizer does is not overrun.
public actor Pacer: RequestObserver {
    private let clock: any WorkerClock
    private let random: @Sendable () -> Double
    private let fixedRequestsPerMinute: Double?
    private let fixedTokensPerMinute: Double?
    private let headerLimitShare: Double
    private var headerRequestLimit: Double?
    private var headerTokenLimit: Double?
    private var requests = SlidingWindow()
    private var tokens = SlidingWindow()
    private var requestPace = SmoothRate()
    private var tokenPace = SmoothRate()
    private var remainingRequests = RemainingBudget()
    private var remainingTokens = RemainingBudget()
    /// How far ahead of the steady rate sends may run, in seconds.
    private let burstSeconds: Double = 1
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
        self.fixedRequestsPerMinute = requestsPerMinute.map(Double.init)
        self.fixedTokensPerMinute = tokensPerMinute.map(Double.init)
        self.headerLimitShare = headerLimitShare
        self.random = random
    }

    /// Waits until a request of `estimatedTokens` may be sent, then books it.
    public func willSend(path: String, estimatedTokens: Int) async throws {
        let cost = Double(max(1, estimatedTokens)) * calibration
        while true {
            try Task.checkCancellation()
            let now = clock.now()
            requests.prune(now: now)
            tokens.prune(now: now)
            var wait = max(pausedUntil - now, remainingRequests.wait(for: 1, now: now), remainingTokens.wait(for: cost, now: now))
            if let limit = requestLimit {
                wait = max(wait, requests.wait(for: 1, limit: limit, now: now), requestPace.wait(now: now, burst: burstSeconds))
            }
            if let limit = tokenLimit {
                wait = max(wait, tokens.wait(for: cost, limit: limit, now: now), tokenPace.wait(now: now, burst: burstSeconds))
            }
            if wait <= 0 {
                requests.add(1, now: now)
                tokens.add(cost, now: now)
                remainingRequests.book(1)
                remainingTokens.book(cost)
                if let limit = requestLimit { requestPace.book(1, perSecond: limit / 60, now: now) }
                if let limit = tokenLimit { tokenPace.book(cost, perSecond: limit / 60, now: now) }
                return
            }
            try await clock.sleep(seconds: min(wait, 5))
        }
    }

    /// Takes in a response: a 429 pauses every sender; headers update the limits.
    public func didReceive(status: Int, rateLimits: RateLimitSnapshot?, retryAfter: Duration?) async {
        responses += 1
        let now = clock.now()
        if status == 429 {
            rateLimitedResponses += 1
            consecutiveRateLimits += 1
            let pause: Double
            if let retryAfter {
                pause = Double(retryAfter.components.seconds) + Double(retryAfter.components.attoseconds) / 1e18
            } else {
                let base = min(0.5 * Double(1 << min(consecutiveRateLimits - 1, 10)), 30)
                pause = base * (1 - 0.25 * random())
            }
            pausedUntil = max(pausedUntil, now + pause)
        } else if status < 400 {
            consecutiveRateLimits = 0
        }
        if let limits = rateLimits {
            if let limit = limits.limitRequests, limit > 0 { headerRequestLimit = Double(limit) }
            if let limit = limits.limitTokens, limit > 0 { headerTokenLimit = Double(limit) }
            remainingRequests.observe(remaining: limits.remainingRequests, limit: limits.limitRequests, reset: limits.resetRequests, now: now)
            remainingTokens.observe(remaining: limits.remainingTokens, limit: limits.limitTokens, reset: limits.resetTokens, now: now)
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

    private var requestLimit: Double? {
        fixedRequestsPerMinute ?? headerRequestLimit.map { $0 * headerLimitShare }
    }

    private var tokenLimit: Double? {
        fixedTokensPerMinute ?? headerTokenLimit.map { $0 * headerLimitShare }
    }
}
