extension FakeOpenAIServer {
    /// Queues how the next created batches end (one outcome per batch, in order).
    public func enqueueBatchOutcomes(_ outcomes: [FakeBatchOutcome]) {
        engine.store.withLock { $0.batchOutcomes += outcomes }
    }

    /// Moves the batch clock forward by `seconds` (lines run, batches expire), for tests.
    public func advanceBatchClock(by seconds: Double) {
        engine.store.withLock { $0.batchClockOffset += seconds }
    }

    /// Cancels every batch that is not final, as a user would from the dashboard.
    public func cancelAllBatches() {
        let clock = engine.batchClock()
        engine.store.withLock { store in
            for id in Array(store.batches.keys) {
                engine.advance(id, clock: clock, in: &store)
                if store.batches[id]?.isFinal == false { store.batches[id]?.status = "cancelling" }
            }
        }
    }

    /// The ids and statuses of the batches that exist now, oldest first.
    public func batchStatuses() -> [(id: String, status: String)] {
        engine.store.withLock { store in
            store.batches.values.sorted { FakeOpenAIEngine.sequence($0.id) < FakeOpenAIEngine.sequence($1.id) }.map { ($0.id, $0.status) }
        }
    }

    /// The ids of the files stored now.
    public func fileIDs() -> Set<String> {
        engine.store.withLock { Set($0.files.keys) }
    }

    /// Every embedding input that a batch line has run, in the order run (an input sent in
    /// two batches appears twice).
    public func batchEmbeddedInputs() -> [String] {
        engine.store.withLock { $0.batchEmbeddedInputs }
    }
}

extension FakeOpenAIServer {
    /// The bytes of a stored file, or nil when there is none with that id.
    public func fileContents(_ id: String) -> [UInt8]? {
        engine.store.withLock { $0.files[id].map { Array($0.bytes.readableBytesView) } }
    }

    /// The input file id of every batch, oldest batch first.
    public func batchInputFileIDs() -> [String] {
        engine.store.withLock { store in
            store.batches.values.sorted { FakeOpenAIEngine.sequence($0.id) < FakeOpenAIEngine.sequence($1.id) }.map(\.inputFileID)
        }
    }
}
