import LLM
import Synchronization

/// What every request of a run passes through, in front of the ``Pacer``: the provider's
/// observer (before each attempt, after each response) and its sleeper (the backoff between
/// retries). It
/// - holds every sender while an outage pause lasts (``OutageMonitor``),
/// - knows which units are waiting (in the pacer, the outage pause or a backoff) rather
///   than having a request on the wire, so a stop hands those back at once
///   (``stopWaiting()``) while requests in flight get the grace,
/// - counts every request made by outcome (`ok`, `HTTP 500`, `connection refused`, …).
///
/// The pacing itself stays in the ``Pacer``; this type only wraps it.
public final class SendGate: RequestObserver, Sleeper {
    private struct Unit {
        var waiting = false
        /// A request of this unit is on the wire (between `willSend` and its response).
        var onWire = false
        var cut = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private struct State {
        var units: [Int: Unit] = [:]
        var nextID = 0
        var stopping = false
        var outage = OutageMonitor()
        var outcomes: [String: Int] = [:]
        var adaptation = ServerAdaptation()
        var log: (@Sendable (String) -> Void)?
    }

    /// The pacer every send is booked with.
    public let pacer: Pacer
    private let clock: any WorkerClock
    private let state = Mutex(State())

    /// A gate in front of `pacer`, waiting on `clock`; an outage pauses all senders for
    /// `outagePauseBase` seconds, doubled per consecutive pause up to `outagePauseCap`.
    public init(pacer: Pacer, clock: any WorkerClock, outagePauseBase: Double = 1, outagePauseCap: Double = 60) {
        self.pacer = pacer
        self.clock = clock
        state.withLock {
            $0.outage.base = outagePauseBase
            $0.outage.cap = max(outagePauseBase, outagePauseCap)
        }
    }

    // MARK: RequestObserver and Sleeper (called by the provider, in the unit's task)

    /// Waits out an outage pause, then the pacer; throws `CancellationError` when the run is
    /// stopping or this unit was handed back meanwhile.
    public func willSend(path: String, estimatedTokens: Int) async throws {
        let id = UnitContext.id
        try enterWait(id)
        do {
            while true {
                let pause = state.withLock { $0.outage.pauseRemaining(now: clock.now()) }
                if pause <= 0 { break }
                try await clock.sleep(seconds: min(pause, 1))
            }
            try await pacer.willSend(path: path, estimatedTokens: estimatedTokens)
        } catch {
            _ = leaveWait(id)
            throw error
        }
        if leaveWait(id, sending: true) { throw CancellationError() }
    }

    /// Counts the response, adapts the requests in flight when the server sends no
    /// rate-limit headers (``ServerAdaptation``; not to an answer that ends the run), and
    /// passes it on to the pacer.
    public func didReceive(status: Int, rateLimits: RateLimitSnapshot?, retryAfter: Duration?, endsRun: Bool) async {
        finishRequest(outcome: (200..<300).contains(status) ? "ok" : "HTTP \(status)")
        let (lowered, log) = state.withLock { state in
            (endsRun ? nil : state.adaptation.observe(status: status, hasRateLimitHeaders: rateLimits != nil), state.log)
        }
        if let lowered { log?(Self.loweredLine(cause: "HTTP \(status)", limit: lowered)) }
        await pacer.didReceive(status: status, rateLimits: rateLimits, retryAfter: retryAfter, endsRun: endsRun)
    }

    /// Counts a request that got no response. A timeout from a server that sends no
    /// rate-limit headers is overload: it lowers the requests in flight like a 503
    /// (``ServerAdaptation/observeTimeout()``) and holds every sender for one timeout, so
    /// that the server (which keeps computing a request its client gave up on) works off
    /// what was given up on before more is queued behind it; a success ends the hold.
    public func didFailWithoutResponse(_ error: LLMError) async {
        finishRequest(outcome: error.reason)
        guard case .timeout(let limit) = error.kind else { return }
        let now = clock.now()
        let (lowered, log) = state.withLock { state -> (Int?, (@Sendable (String) -> Void)?) in
            let lowered = state.adaptation.observeTimeout()
            guard state.adaptation.timeoutsMeanOverload else { return (nil, nil) }
            state.outage.hold(until: now + limit.seconds)
            return (lowered, state.log)
        }
        if let lowered {
            let timeout = Worker.seconds(limit.seconds)
            log?(Self.loweredLine(cause: "requests timed out (no answer within \(timeout))", limit: lowered)
                + "; their jobs are handed back, no attempt counted, and sending waits \(timeout) while the server "
                + "finishes the requests given up on")
        }
    }

    /// The log line of a lowered limit: `HTTP 503 from a server that sends no rate-limit
    /// headers: at most 4 requests in flight now (growing back as requests succeed)`.
    private static func loweredLine(cause: String, limit: Int) -> String {
        "\(cause) from a server that sends no rate-limit headers: at most \(limit) \(limit == 1 ? "request" : "requests") "
            + "in flight now (growing back as requests succeed)"
    }

    private func finishRequest(outcome: String) {
        let id = UnitContext.id
        state.withLock { state in
            state.outcomes[outcome, default: 0] += 1
            if let id { state.units[id]?.onWire = false }
        }
    }

    /// The provider's backoff between retries: a unit sleeping here is not in flight.
    public func sleep(for duration: Duration) async throws {
        let id = UnitContext.id
        try enterWait(id)
        do {
            try await clock.sleep(seconds: duration.seconds)
        } catch {
            _ = leaveWait(id)
            throw error
        }
        if leaveWait(id) { throw CancellationError() }
    }

    private func enterWait(_ id: Int?) throws {
        let refused = state.withLock { state -> Bool in
            guard let id else { return state.stopping }
            if state.stopping || state.units[id]?.cut == true { return true }
            state.units[id]?.waiting = true
            return false
        }
        if refused { throw CancellationError() }
    }

    /// Marks the unit as no longer waiting (with `sending`, as having a request on the wire);
    /// returns whether it was handed back meanwhile (then it sends nothing).
    private func leaveWait(_ id: Int?, sending: Bool = false) -> Bool {
        state.withLock { state in
            guard let id else { return false }
            state.units[id]?.waiting = false
            let cut = state.units[id]?.cut ?? false
            state.units[id]?.onWire = sending && !cut
            return cut
        }
    }

    // MARK: Units and stopping (called by the worker)

    /// Registers a new unit of work; returns its id for ``UnitContext``.
    func begin() -> Int {
        state.withLock { state in
            defer { state.nextID += 1 }
            state.units[state.nextID] = Unit()
            return state.nextID
        }
    }

    /// Forgets a finished unit.
    func end(_ id: Int) {
        let waiter = state.withLock { $0.units.removeValue(forKey: id)?.waiter }
        waiter?.resume()
    }

    /// Returns when unit `id` is handed back by ``stopWaiting()`` (or at once when it
    /// already was), or when the calling task is cancelled.
    func waitUntilCut(_ id: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard state.units[id] != nil, state.units[id]?.cut == false, !Task.isCancelled else { return true }
                    state.units[id]?.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.units[id]?.waiter = nil }
                return state.units[id]?.waiter
            }
            waiter?.resume()
        }
    }

    /// From now on no request starts: units waiting (pacer, outage pause, backoff) are
    /// handed back at once, later attempts are refused. Returns how many units were waiting
    /// and how many have a request on the wire (those get the grace; the rest are storing a
    /// result or about to ask to send, which is refused).
    @discardableResult
    func stopWaiting() -> (waiting: Int, inFlight: Int) {
        let (waiters, waiting, inFlight) = state.withLock { state in
            state.stopping = true
            var waiters: [CheckedContinuation<Void, Never>] = []
            var waiting = 0
            var inFlight = 0
            for (id, unit) in state.units {
                if unit.onWire { inFlight += 1 }
                guard unit.waiting else { continue }
                waiting += 1
                state.units[id]?.cut = true
                if let waiter = unit.waiter { waiters.append(waiter) }
                state.units[id]?.waiter = nil
            }
            return (waiters, waiting, inFlight)
        }
        for waiter in waiters { waiter.resume() }
        return (waiting, inFlight)
    }

    // MARK: Outages

    /// Records that the request for `jobIDs` succeeded.
    func succeeded(jobIDs: [Int64]) {
        let now = clock.now()
        state.withLock { $0.outage.succeeded(now: now, jobIDs: jobIDs) }
    }

    /// Classifies a transient failure (see ``OutageMonitor``).
    func transientFailure(jobIDs: [Int64], sentAt: Double, reason: String, random: Double) -> OutageMonitor.Verdict {
        let now = clock.now()
        return state.withLock { $0.outage.failed(jobIDs: jobIDs, sentAt: sentAt, reason: reason, now: now, random: random) }
    }

    /// Remembers that the failure of `jobIDs` follows their inputs (bisection saw a sibling
    /// succeed), so that their next failure, even sent alone, is judged so too.
    func noteFailureFollowsInputs(jobIDs: [Int64]) {
        state.withLock { $0.outage.noteFailureFollowsInputs(jobIDs: jobIDs) }
    }

    /// What holds senders back from the server's side: the last minute's most frequent
    /// failure and the outage pause left, e.g. `waiting: 12 HTTP 500 in the last minute, next try in 8s`.
    func outageObstacle() -> String? {
        let now = clock.now()
        return state.withLock { state in
            let pause = state.outage.pauseRemaining(now: now)
            guard let recent = state.outage.recentSummary(now: now), pause > 0 || state.outage.lastSuccess < now - 60 else {
                return nil
            }
            return "waiting: \(recent)" + (pause > 0 ? ", next try in \(Int(pause.rounded(.up)))s" : "")
        }
    }

    // MARK: Adapting to the server

    /// Starts the run's adaptation from its settings (see ``ServerAdaptation``); `log`
    /// receives a line when the requests in flight are lowered.
    func configureAdaptation(concurrency: Int, encoding: EmbeddingEncoding?, log: @escaping @Sendable (String) -> Void) {
        state.withLock {
            $0.adaptation.configure(concurrency: concurrency, encoding: encoding)
            $0.log = log
        }
    }

    /// Requests that may be in flight now.
    var concurrencyLimit: Int { state.withLock { $0.adaptation.concurrencyLimit } }

    /// Whether a timeout means an overloaded server (see ``ServerAdaptation/timeoutsMeanOverload``).
    var timeoutsMeanOverload: Bool { state.withLock { $0.adaptation.timeoutsMeanOverload } }

    /// Inputs per request for a `--batch-size` of `batchSize`, lowered to the server's cap once found.
    func inputsPerRequest(_ batchSize: Int) -> Int { state.withLock { $0.adaptation.inputsPerRequest(batchSize) } }

    /// The `encoding_format` to ask for.
    var encoding: EmbeddingEncoding { state.withLock { $0.adaptation.encoding } }

    /// See ``ServerAdaptation/lowerInputCap(sent:message:)``.
    func lowerInputCap(sent: Int, message: String) -> Int? {
        state.withLock { $0.adaptation.lowerInputCap(sent: sent, message: message) }
    }

    /// See ``ServerAdaptation/switchToFloat()``.
    func switchToFloat() -> Bool { state.withLock { $0.adaptation.switchToFloat() } }

    /// Units waiting to send right now (pacer, outage pause, backoff).
    func waitingUnits() -> Int { state.withLock { $0.units.values.count(where: \.waiting) } }

    /// Requests made so far, by outcome.
    func outcomes() -> [String: Int] { state.withLock { $0.outcomes } }
}
