/// The shared, mutable state of one run: progress counters, the stop request and the
/// time of the last finished job (for stall detection). One actor, so every task of the
/// run can update it.
actor RunState {
    private(set) var report = RunReport()
    private(set) var softStop: RunEnd?
    private(set) var hardStop = false
    private(set) var lastProgress: Double
    private var hardStopWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiterID = 0
    let startedAt: Double
    /// Tokens per embedding input over the batches packed so far (for claim sizes).
    private var packedTokens = 0
    private var packedInputs = 0
    /// 503 hand-backs per job in this run (``noteBusy(_:limit:)``).
    private var busyHandBacks: [Int64: Int] = [:]

    init(now: Double) {
        startedAt = now
        lastProgress = now
    }

    /// Counts a 503 hand-back of each of `jobIDs`; true while none has had `limit` of them
    /// in this run (after that its 503s spend attempts like other failures).
    func noteBusy(_ jobIDs: [Int64], limit: Int) -> Bool {
        var underLimit = true
        for id in jobIDs {
            busyHandBacks[id, default: 0] += 1
            if busyHandBacks[id, default: 0] > limit { underLimit = false }
        }
        return underLimit
    }

    /// Counts a packed batch of `inputs` inputs and `tokens` tokens.
    func noteInputTokens(_ tokens: Int, inputs: Int) {
        packedTokens += tokens
        packedInputs += inputs
    }

    /// How many embed jobs to claim for one request: `batchSize`, or under a token budget
    /// about as many as fit it by the average input so far (a quarter more, so the
    /// packing fills the request; the rest is handed back).
    func claimSize(batchSize: Int, tokenBudget: Int?) -> Int {
        guard let tokenBudget, packedInputs > 0, packedTokens > 0 else { return batchSize }
        let perInput = Double(packedTokens) / Double(packedInputs)
        return min(batchSize, max(1, Int(Double(tokenBudget) / perInput * 1.25) + 1))
    }

    /// Stop claiming new work; the first reason given is kept, except that a fatal or
    /// configuration error replaces a milder one. Returns whether `reason` was recorded
    /// (so its message is printed once).
    @discardableResult
    func stop(_ reason: RunEnd, now: Double) -> Bool {
        if reason.isDecisive {
            if softStop?.isDecisive == true { return false }
            softStop = reason
            return true
        }
        guard softStop == nil else { return false }
        softStop = reason
        return true
    }

    /// Cut off in-flight requests now: their jobs are handed back.
    func stopHard() {
        hardStop = true
        let waiters = hardStopWaiters.values
        hardStopWaiters = [:]
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when a hard stop is requested (at once when it already was), or when the
    /// calling task is cancelled.
    func waitForHardStop() async {
        if hardStop || Task.isCancelled { return }
        let id = nextWaiterID
        nextWaiterID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if hardStop || Task.isCancelled {
                    continuation.resume()
                } else {
                    hardStopWaiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.resumeWaiter(id) }
        }
    }

    private func resumeWaiter(_ id: Int) {
        hardStopWaiters.removeValue(forKey: id)?.resume()
    }

    func progressed(now: Double) { lastProgress = now }

    func update(_ change: (inout RunReport) -> Void) { change(&report) }

    /// When the current outage began (nil: none) and the reason last logged, so an outage
    /// is logged when it begins, when its reason changes (`HTTP 500` → `connection refused`)
    /// and when it ends, not once per request.
    private var outageSince: Double?
    private var outageReason: String?

    /// What an outage failure means for the log.
    enum OutageNote { case began, reasonChanged }

    /// Records a failure of an outage; returns what to log, if anything.
    func outageFailure(reason: String, now: Double) -> OutageNote? {
        defer { outageReason = reason }
        if outageSince == nil {
            outageSince = now
            return .began
        }
        return outageReason == reason ? nil : .reasonChanged
    }

    /// Ends the current outage; returns how long it lasted (nil when there was none).
    func endOutage(now: Double) -> Double? {
        guard let since = outageSince else { return nil }
        outageSince = nil
        outageReason = nil
        return now - since
    }

    /// Request shapes (model and dimensions) that have had a successful request in this run.
    private var succeededShapes: Set<String> = []

    func shapeSucceeded(_ shape: String) {
        succeededShapes.insert(shape)
        heldRefusals[shape] = nil
    }

    /// What to do with a job whose single-input request got a 4xx.
    enum RefusalDecision { case fail, handBack, stopRun }

    /// Jobs handed back once after a 4xx because no request of their shape had succeeded yet,
    /// and per shape the message those refusals repeat.
    private var heldJobs: Set<Int64> = []
    private var heldRefusals: [String: (message: String, jobs: Set<Int64>)] = [:]

    /// Until a request of `shape` has succeeded in this run, a 4xx on one input may be about
    /// the request (a gateway without its database refuses everything): the job is handed back
    /// once, and when three different jobs are refused with the same message the run stops.
    /// A job refused again, or after a request of its shape succeeded, fails.
    func refusal(shape: String, jobID: Int64, message: String) -> RefusalDecision {
        if succeededShapes.contains(shape) || !heldJobs.insert(jobID).inserted { return .fail }
        var entry = heldRefusals[shape] ?? (message, [])
        if entry.message != message { entry = (message, []) }
        entry.jobs.insert(jobID)
        heldRefusals[shape] = entry
        return entry.jobs.count >= 3 ? .stopRun : .handBack
    }

    func hasSucceeded(_ shape: String) -> Bool { succeededShapes.contains(shape) }

    /// Request hashes of embedding inputs being sent right now, by any unit of this run.
    private var hashesInFlight: Set<[UInt8]> = []

    /// Marks the distinct `hashes` as being sent and returns the ones another unit is
    /// already sending (those are not marked: their jobs should wait, then copy the vector).
    func startSending(_ hashes: [[UInt8]]) -> Set<[UInt8]> {
        var busy: Set<[UInt8]> = []
        for hash in Set(hashes) where !hashesInFlight.insert(hash).inserted { busy.insert(hash) }
        return busy
    }

    /// Ends what `startSending` marked for a unit.
    func finishSending(_ hashes: Set<[UInt8]>) {
        hashesInFlight.subtract(hashes)
    }
}

extension RunEnd {
    /// Fatal and configuration errors end a run whatever else stopped it.
    var isDecisive: Bool {
        switch self {
        case .fatal, .configuration: true
        default: false
        }
    }
}
