import Testing
import JobQueue
import LLM
@testable import Worker

/// Whole runs of the worker against a scripted provider: what ends up in the database.
struct WorkerRunTests {
    static let mixed = """
        {"id": "e1", "type": "embed", "input": "input-1"}
        {"id": "g1", "type": "generate", "prompt": "first"}
        {"id": "e2", "type": "embed", "input": "input-22"}
        {"id": "e3", "type": "embed", "input": "input-333", "dimensions": 256}
        {"id": "g2", "type": "generate", "prompt": "second"}

        """

    /// Little-endian float32 bytes, written out independently of the code under test.
    static func littleEndian(_ floats: [Float]) -> [UInt8] {
        floats.flatMap { float -> [UInt8] in
            let bits = float.bitPattern
            return [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
        }
    }

    @Test func mixedQueueDrains() async throws {
        let harness = try WorkerHarness(jobs: Self.mixed)
        let report = try await harness.run()
        #expect(report.end == "drained")
        #expect(report.succeeded == 5)
        #expect(report.failed == 0)
        #expect(report.pendingLeft == 0)
        #expect(try harness.statuses() == ["e1": "succeeded", "e2": "succeeded", "e3": "succeeded", "g1": "succeeded", "g2": "succeeded"])
        #expect(Set(harness.provider.embeddedInputs) == [["input-1", "input-22"], ["input-333"]])
        #expect(harness.provider.calls.contains(.embed(inputs: ["input-333"], model: "text-embedding-3-small", dimensions: 256)))
        #expect(harness.provider.calls.contains(.embed(inputs: ["input-1", "input-22"], model: "text-embedding-3-small", dimensions: nil)))
        #expect(try harness.store.db.rows("SELECT content FROM generations g JOIN jobs j ON j.id = g.job_id WHERE j.custom_id = 'g2'")
                == [[.text("reply to second")]])
    }

    @Test func vectorsAreStoredAsLittleEndianFloat32BitExact() async throws {
        let harness = try WorkerHarness(jobs: Self.mixed)
        _ = try await harness.run()
        let stored = try #require(try harness.vector(of: "e1"))
        #expect(stored == Self.littleEndian(ScriptedProvider.vector(for: "input-1")))
        #expect(Array(stored.prefix(8)) == [0x00, 0x00, 0xE0, 0x40, 0x00, 0x00, 0x00, 0x80])  // 7.0, -0.0
        #expect(try harness.embedding("dimensions", of: "e1") == [.integer(5)])
    }

    @Test func identicalInputsAreSentOnceAndEarlierVectorsAreNotPaidForAgain() async throws {
        let harness = try WorkerHarness(jobs: """
            {"id": "a", "type": "embed", "input": "same"}
            {"id": "b", "type": "embed", "input": "same"}
            {"id": "c", "type": "embed", "input": "other"}

            """)
        let first = try await harness.run()
        #expect(harness.provider.embeddedInputs == [["same", "other"]])
        #expect(first.succeeded == 3)
        #expect(first.reusedVectors == 1)
        #expect(try harness.vector(of: "a") == harness.vector(of: "b"))

        try harness.enqueue("""
            {"id": "d", "type": "embed", "input": "other"}
            {"id": "e", "type": "embed", "input": "new"}

            """)
        let second = try await harness.run()
        #expect(harness.provider.embeddedInputs == [["same", "other"], ["new"]])
        #expect(second.succeeded == 2)
        #expect(second.reusedVectors == 1)
        #expect(try harness.vector(of: "d") == harness.vector(of: "c"))
        #expect(try harness.embedding("reused, input_tokens", of: "d") == [.integer(1), .integer(0)])
    }

    @Test func embedBatchIsTrimmedToTheTokenBudget() async throws {
        let harness = try WorkerHarness(jobs: embedJobs(["aaaa", "bbbb", "cccc", "dddd", "eeee"]))
        var options = WorkerOptions.test()
        options.maxBatchTokens = 9
        let report = try await harness.run(options)
        #expect(report.succeeded == 5)
        #expect(harness.provider.embeddedInputs.map(\.count).sorted() == [1, 2, 2])
        #expect(try harness.store.db.scalarInt("SELECT max(attempts) FROM jobs") == 0)
    }

    @Test func systemPromptIsPrependedOnlyToGenerateJobsWithoutOne() async throws {
        let harness = try WorkerHarness(jobs: """
            {"id": "own", "type": "generate", "prompt": "p1", "system": "Own rules."}
            {"id": "none", "type": "generate", "prompt": "p2"}
            {"id": "e", "type": "embed", "input": "text"}

            """)
        let report = try await harness.run(.test(systemPrompt: "Be brief."))
        #expect(report.succeeded == 3)
        let sent = Set(harness.provider.calls.compactMap { call -> [ChatMessage]? in
            if case .generate(let messages) = call { messages } else { nil }
        })
        #expect(sent == [
            [.init(role: "system", content: "Own rules."), .init(role: "user", content: "p1")],
            [.init(role: "system", content: "Be brief."), .init(role: "user", content: "p2")],
        ])
        #expect(harness.provider.embeddedInputs == [["text"]])
    }

    @Test func apportionSumsToTheTotal() {
        #expect(Worker.apportion(10, by: [1, 1, 1]).reduce(0, +) == 10)
        #expect(Worker.apportion(100, by: [3, 5, 0, 7]).reduce(0, +) == 100)
        #expect(Worker.apportion(1000, by: [1, 2, 3]) == [167, 333, 500])
        #expect(Worker.apportion(2, by: [1, 1, 10]) == [0, 0, 2])
        #expect(Worker.apportion(0, by: [1, 2]) == [0, 0])
        #expect(Worker.apportion(5, by: []) == [])
    }
}

/// Embed jobs `j1`… with the given inputs.
func embedJobs(_ inputs: [String]) -> String {
    inputs.enumerated().map { #"{"id": "j\#($0.offset + 1)", "type": "embed", "input": "\#($0.element)"}"# }.joined(separator: "\n") + "\n"
}
