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

    init(now: Double) {
        startedAt = now
        lastProgress = now
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

    /// Stop claiming new work; the first reason given is kept, except that a fatal error
    /// always wins.
    func stop(_ reason: RunEnd, now: Double) {
        if case .fatal = reason {
            if case .fatal = softStop {} else { softStop = reason }
        } else if softStop == nil {
            softStop = reason
        }
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
