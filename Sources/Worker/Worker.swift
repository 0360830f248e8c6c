import JobQueue
import LLM
import Synchronization

/// One claim's worth of work: a batch of embed jobs (same model and dimensions) that go
/// out as one request, or one generate job.
enum WorkUnit: Sendable {
    case embed([ClaimedJob])
    case generate(ClaimedJob)

    var jobs: [ClaimedJob] {
        switch self {
        case .embed(let jobs): return jobs
        case .generate(let job): return [job]
        }
    }
}

/// The run loop of `llmq run`: claims pending jobs (embed jobs in batches), keeps up to
/// `concurrency` requests in flight through one provider whose requests are paced by one
/// `Pacer`, writes each result with its job's status in one transaction, and hands back
/// whatever it could not finish. A single-use object: make one per run.
public final class Worker: Sendable {
    let options: WorkerOptions
    let queue: QueueStore
    let provider: any LLMProvider
    let pacer: Pacer
    let clock: any WorkerClock
    let estimator: any TokenEstimator
    let owner: String
    let random: @Sendable () -> Double
    let gate: SendGate
    let state: RunState
    let log: @Sendable (String) -> Void
    /// The timer that cuts off in-flight requests when the grace after a stop is over.
    let graceTimer = Mutex<Task<Void, Never>?>(nil)

    /// A worker over `queue`, sending through `provider`, whose observer and sleeper should be
    /// `gate` (a ``SendGate`` over `pacer`: outage pauses, stops that hand waiting units back
    /// at once, requests counted by outcome). Without `gate`, one over `pacer` is made, which
    /// then sees only what the worker tells it.
    /// - Parameters:
    ///   - estimator: token counts for batch packing, per-input limits and pacing.
    ///   - log: receives one line per notable event (released leases, outages, stops, fatal errors).
    public init(options: WorkerOptions, queue: QueueStore, provider: any LLMProvider, pacer: Pacer, gate: SendGate? = nil,
                clock: any WorkerClock = SystemWorkerClock(), estimator: any TokenEstimator = ByteCountEstimator(),
                owner: LeaseOwner = .current(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.queue = queue
        self.provider = provider
        self.pacer = pacer
        self.gate = gate ?? SendGate(pacer: pacer, clock: clock, outagePauseBase: options.outagePauseBase,
                                     outagePauseCap: options.outagePauseCap)
        self.clock = clock
        self.estimator = estimator
        self.owner = owner.description
        self.random = random
        self.state = RunState(now: clock.now())
        self.log = log
        self.gate.configureAdaptation(concurrency: options.concurrency, encoding: options.encodingFormat, log: log)
    }

    // MARK: Stopping

    /// Stops claiming (SIGINT/SIGTERM): units waiting in the pacer, an outage pause or a
    /// backoff are handed back at once; requests in flight may finish within `shutdownGrace`,
    /// after which they are cut off and their jobs handed back. Says at once what it waits
    /// for. Calling it again cuts them off at once.
    public func stopGracefully() async {
        if await state.softStop != nil {
            log("second signal: cutting off the requests in flight; their jobs are handed back")
            gate.stopWaiting()
            await state.stopHard()
            return
        }
        await state.stop(.signal, now: clock.now())
        let (waiting, inFlight) = gate.stopWaiting()
        var text = "signal received: no new work is claimed"
        if waiting > 0 { text += "; \(waiting) \(waiting == 1 ? "request" : "requests") waiting to be sent handed back now" }
        if inFlight > 0 {
            text += "; waiting up to \(Self.seconds(options.shutdownGrace)) for \(inFlight) \(inFlight == 1 ? "request" : "requests") "
                + "in flight (a second signal cuts them off)"
        }
        log(text)
        if inFlight > 0 { startGraceTimer() }
    }

    /// Cuts off in-flight requests once `shutdownGrace` has passed.
    func startGraceTimer() {
        let timer = Task { [state, clock, options] in
            do {
                try await clock.sleep(seconds: options.shutdownGrace)
            } catch {
                return
            }
            await state.stopHard()
        }
        graceTimer.withLock { old in
            old?.cancel()
            old = timer
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// The counters so far (for a progress line), with every request made by outcome and
    /// what holds the run up.
    public func progress() async -> RunReport {
        var report = await state.report
        report.rateLimited = await pacer.rateLimitedResponses
        report.requestOutcomes = gate.outcomes()
        report.requests = report.requestOutcomes.values.reduce(0, +)
        report.seconds = clock.now() - state.startedAt
        report.obstacle = await obstacle()
        return report
    }

    /// What the run waits for: a shared 429 pause, an outage, or (when nothing finished
    /// for a while) the pacer.
    func obstacle() async -> String? {
        let paused = await pacer.pauseRemaining()
        if paused > 0 { return "paused by 429 for \(Int(paused.rounded(.up)))s" }
        if let outage = gate.outageObstacle() { return outage }
        let idle = clock.now() - (await state.lastProgress)
        if idle >= 30, gate.waitingUnits() > 0 {
            return "waiting in the pacer (--rpm/--tpm or the server's limits): no job finished for \(Int(idle))s"
        }
        return nil
    }

    // MARK: The run loop

    /// Works until nothing runnable is left or a stop condition holds; returns what it did.
    /// - Throws: only database failures (the run's jobs are handed back first when possible).
    public func run() async throws -> RunReport {
        try await recoverLeases()
        // Vectors a killed run stored but had not indexed yet become findable (should the
        // merge fail, the rows wait for the next one; nothing is lost).
        _ = try? await queue.mergeVectorIndex()
        let renewal = Task { [queue, owner, options, clock] in
            while !Task.isCancelled {
                try? await clock.sleep(seconds: options.leaseSeconds / 3)
                if Task.isCancelled { break }
                try? await queue.renewLeases(owner: owner, leaseSeconds: options.leaseSeconds)
                _ = try? await queue.reclaimExpiredLeases()
            }
        }
        defer { renewal.cancel() }
        // Stop conditions are checked on a timer too: the loop itself may be waiting for a
        // unit that waits in the pacer or in a backoff and never returns on its own.
        let watchdog = Task { [self] in
            let interval = min(max(options.maxStall / 4, 0.05), 15)
            while !Task.isCancelled {
                try? await clock.sleep(seconds: interval)
                if Task.isCancelled { break }
                _ = await shouldStop()
            }
        }
        defer {
            watchdog.cancel()
            graceTimer.withLock { $0?.cancel() }
        }
        do {
            try await loop()
        } catch {
            _ = try? await queue.release(owner: owner)
            _ = try? await queue.mergeVectorIndex()
            throw error
        }
        try await queue.release(owner: owner)
        _ = try? await queue.mergeVectorIndex()
        var report = await progress()
        let summary = try await queue.pendingSummary()
        report.pendingLeft = summary.pending
        switch await state.softStop {
        case nil, .drained?: report.end = "drained"
        case .maxDuration?: report.end = "max-duration"
        case .signal?: report.end = "signal"
        case .stall?: report.end = "stall"
        case .fatal(let message)?:
            report.end = "fatal"
            report.fatalError = message
        case .configuration(let message)?:
            report.end = "configuration"
            report.fatalError = message
        }
        return report
    }

    private func loop() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var preferEmbed = true
            while true {
                if await shouldStop() { break }
                // One request at a time until a response has said what the limits are.
                // Then `--concurrency`, lowered while a server without rate-limit headers answers 429/503.
                let slots = await pacer.isProbing ? 1 : gate.concurrencyLimit
                if inFlight < slots, let unit = try await claimNext(preferEmbed: preferEmbed) {
                    preferEmbed.toggle()
                    inFlight += 1
                    group.addTask { await self.process(unit) }
                    continue
                }
                if inFlight > 0 {
                    try await group.next()
                    inFlight -= 1
                    continue
                }
                let summary = try await queue.pendingSummary()
                if summary.pending == 0 { break }
                let now = clock.now()
                let wait = min(max((summary.nextAvailableAt ?? now) - now, 0.02), 1.0)
                try? await clock.sleep(seconds: wait)
            }
            while inFlight > 0 {
                try await group.next()
                inFlight -= 1
            }
        }
    }

    /// Checks the stop conditions: a requested stop, `--max-duration`, a stall (no job
    /// finished for `--max-stall`, whether the time went to rate limits, an outage, the
    /// pacer or backoff). Units waiting to send are handed back at once; after a stall,
    /// requests in flight get the shutdown grace.
    func shouldStop() async -> Bool {
        if await state.softStop != nil { return true }
        let now = clock.now()
        if let maxDuration = options.maxDuration, now - state.startedAt >= maxDuration {
            if await state.stop(.maxDuration, now: now) { gate.stopWaiting() }
            return true
        }
        if now - (await state.lastProgress) >= options.maxStall {
            let why = await obstacle() ?? "rate limits, an outage or pacing"
            if await state.stop(.stall, now: now) {
                log("no job finished for \(Self.seconds(options.maxStall)) (\(why)): stopping; the next run resumes")
                if gate.stopWaiting().inFlight > 0 { startGraceTimer() }
            }
            return true
        }
        return false
    }

    /// Returns leases of dead local workers and expired leases to pending.
    private func recoverLeases() async throws {
        for text in try await queue.leaseOwners() {
            guard let other = LeaseOwner(parsing: text), other.isDeadLocalProcess else { continue }
            let released = try await queue.release(owner: text)
            if released > 0 { log("took back \(released) jobs from \(text), a worker that is no longer running") }
        }
        let expired = try await queue.reclaimExpiredLeases()
        if expired > 0 { log("took back \(expired) jobs whose lease had expired") }
        let requeued = try await queue.requeueTransientFailures()
        if requeued > 0 {
            log("\(requeued) jobs that used up their attempts on transient errors in an earlier run are tried again")
        }
    }

    /// Claims the next unit, alternating between embed batches and generate jobs.
    private func claimNext(preferEmbed: Bool) async throws -> WorkUnit? {
        for kind in preferEmbed ? [JobKind.embed, .generate] : [.generate, .embed] {
            switch kind {
            case .embed:
                if let batch = try await claimEmbedBatch() { return .embed(batch) }
            case .generate:
                if let job = try await queue.claim(kind: .generate, limit: 1, owner: owner, leaseSeconds: options.leaseSeconds).first {
                    return .generate(job)
                }
            }
        }
        return nil
    }

    // MARK: Processing

    /// Runs a unit, cutting it off when a hard stop comes first, or when a stop comes while
    /// it waits to send (in the pacer, an outage pause or a backoff).
    private func process(_ unit: WorkUnit) async {
        let id = gate.begin()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await UnitContext.$id.withValue(id) { await self.perform(unit) } }
            group.addTask { await self.state.waitForHardStop() }
            group.addTask { await self.gate.waitUntilCut(id) }
            await group.next()
            group.cancelAll()
        }
        gate.end(id)
    }

    private func perform(_ unit: WorkUnit) async {
        switch unit {
        case .embed(let jobs): await performEmbed(jobs)
        case .generate(let job): await performGenerate(job)
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
