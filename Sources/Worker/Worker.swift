import JobQueue
import LLM

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
    let state: RunState
    let log: @Sendable (String) -> Void

    /// A worker over `queue`, sending through `provider` (whose observer should be `pacer`).
    /// - Parameters:
    ///   - estimator: token counts for batch packing, per-input limits and pacing.
    ///   - log: receives one line per notable event (released leases, fatal errors).
    public init(options: WorkerOptions, queue: QueueStore, provider: any LLMProvider, pacer: Pacer,
                clock: any WorkerClock = SystemWorkerClock(), estimator: any TokenEstimator = ByteCountEstimator(),
                owner: LeaseOwner = .current(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.queue = queue
        self.provider = provider
        self.pacer = pacer
        self.clock = clock
        self.estimator = estimator
        self.owner = owner.description
        self.random = random
        self.state = RunState(now: clock.now())
        self.log = log
    }

    // MARK: Stopping

    /// Stops claiming; in-flight requests may finish within `shutdownGrace`, after which
    /// they are cut off and their jobs handed back (SIGINT/SIGTERM). Calling it again
    /// cuts them off at once.
    public func stopGracefully() async {
        if await state.softStop != nil {
            await state.stopHard()
            return
        }
        await state.stop(.signal, now: clock.now())
        let grace = options.shutdownGrace
        Task { [state, clock] in
            try? await clock.sleep(seconds: grace)
            await state.stopHard()
        }
    }

    /// The counters so far (for a progress line).
    public func progress() async -> RunReport {
        var report = await state.report
        report.rateLimited = await pacer.rateLimitedResponses
        report.seconds = clock.now() - state.startedAt
        return report
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
        }
        return report
    }

    private func loop() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var preferEmbed = true
            while true {
                if try await shouldStop() { break }
                // One request at a time until a response has said what the limits are.
                let slots = await pacer.isProbing ? 1 : options.concurrency
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

    /// Checks the stop conditions: a requested stop, `--max-duration`, a stall.
    private func shouldStop() async throws -> Bool {
        if await state.softStop != nil { return true }
        let now = clock.now()
        if let maxDuration = options.maxDuration, now - state.startedAt >= maxDuration {
            await state.stop(.maxDuration, now: now)
            return true
        }
        if now - (await state.lastProgress) >= options.maxStall {
            log("no job finished for \(Int(options.maxStall)) s (rate limits or outage): stopping; the next run resumes")
            await state.stop(.stall, now: now)
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

    /// Runs a unit, cutting it off when a hard stop comes first.
    private func process(_ unit: WorkUnit) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.perform(unit) }
            group.addTask { await self.state.waitForHardStop() }
            await group.next()
            group.cancelAll()
        }
    }

    private func perform(_ unit: WorkUnit) async {
        switch unit {
        case .embed(let jobs): await performEmbed(jobs)
        case .generate(let job): await performGenerate(job)
        }
    }

    /// Handles a failed request for `jobs` by DESIGN's failure policy. `split`, when
    /// given, sends a part of the jobs again (a 400 on an embeddings batch is bisected).
    func handleFailure(_ error: any Error, jobs: [ClaimedJob], split: (([ClaimedJob]) async -> Void)? = nil) async {
        let now = clock.now()
        if Task.isCancelled || error is CancellationError {
            _ = try? await queue.release(owner: owner, ids: jobs.map(\.id))
            await state.update { $0.retried += jobs.count }
            return
        }
        guard let llmError = error as? LLMError else {
            await retryLater(jobs, message: "\(error)", now: now)
            return
        }
        if llmError.isFatalForRun {
            log("stopping: \(llmError)")
            await state.stop(.fatal(llmError.description), now: now)
            await state.stopHard()
            _ = try? await queue.release(owner: owner, ids: jobs.map(\.id))
            return
        }
        switch llmError.kind {
        case .rateLimited(let retryAfter):
            let delay = retryAfter.map(\.seconds) ?? 1
            _ = try? await queue.release(owner: owner, ids: jobs.map(\.id), availableAt: now + delay)
            await state.update { $0.retried += jobs.count }
        case .invalidRequest:
            if jobs.count > 1, llmError.status == 400, let split {
                let middle = jobs.count / 2
                await split(Array(jobs[..<middle]))
                await split(Array(jobs[middle...]))
                return
            }
            await failPermanently(jobs, message: llmError.description)
        default:
            await retryLater(jobs, message: llmError.description, now: now)
        }
    }

    /// Fails jobs for good with `message` (the API's words).
    func failPermanently(_ jobs: [ClaimedJob], message: String) async {
        for job in jobs { try? await queue.fail(jobID: job.id, error: message, requestHash: job.requestHash) }
        let failed = Set(jobs.map(\.id)).count  // a chunked job's chunks fail it once
        await state.update { $0.failed += failed }
        await state.progressed(now: clock.now())
    }

    private func retryLater(_ jobs: [ClaimedJob], message: String, now: Double) async {
        let backoff = JobBackoff(base: options.retryBackoffBase, cap: options.retryBackoffCap)
        var failed = 0
        var retried = 0
        for job in jobs {
            let at = now + backoff.delay(afterAttempts: job.attempts, random: random())
            switch try? await queue.retryLater(jobID: job.id, error: message, availableAt: at, maxAttempts: options.maxAttempts,
                                                requestHash: job.requestHash) {
            case .failed?: failed += 1
            case .rescheduled?: retried += 1
            default: break
            }
        }
        await state.update {
            $0.failed += failed
            $0.retried += retried
        }
        if failed > 0 { await state.progressed(now: clock.now()) }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
