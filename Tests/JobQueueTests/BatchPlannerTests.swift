import Testing
import JobQueue

struct BatchPlannerTests {
    @Test func batchesNeverExceedEitherLimit() {
        let planner = BatchPlanner(maxInputs: 4, maxTokens: 100)
        var generator = SplitMix(seed: 7)
        for _ in 0..<200 {
            let counts = (0..<Int(generator.next() % 40)).map { _ in 1 + Int(generator.next() % 60) }
            let sizes = planner.batchSizes(counts)
            #expect(sizes.reduce(0, +) == counts.count)
            var start = 0
            for size in sizes {
                let batch = counts[start..<(start + size)]
                #expect(size >= 1 && size <= 4)
                #expect(batch.reduce(0, +) <= 100)
                start += size
            }
        }
    }

    @Test func inputsArePackedGreedilyInOrder() {
        let planner = BatchPlanner(maxInputs: 3, maxTokens: 10)
        #expect(planner.batchSizes([4, 4, 2, 1, 1, 1, 9, 2]) == [3, 3, 1, 1])
        #expect(planner.batchSizes([1, 1, 1, 1, 1, 1, 1]) == [3, 3, 1])
        #expect(planner.batchSizes([Int]()) == [])
    }

    @Test func anInputOverTheTokenBudgetGoesAloneInItsOwnBatch() {
        let planner = BatchPlanner(maxInputs: 512, maxTokens: 10)
        #expect(planner.batchSizes([3, 50, 3, 3]) == [1, 1, 2])
        #expect(planner.batchSizes([50, 60]) == [1, 1])
    }

    @Test func thePackerReportsEachBatchAsItCloses() {
        var packer = BatchPlanner.Packer(BatchPlanner(maxInputs: 2, maxTokens: 1_000))
        #expect(packer.add(5) == nil)
        #expect(packer.add(5) == nil)
        #expect(packer.add(5) == 2)
        #expect(packer.finish() == 1)
        #expect(packer.finish() == nil)
    }

    @Test func limitsBelowOneAreTakenAsOne() {
        let planner = BatchPlanner(maxInputs: 0, maxTokens: -5)
        #expect(planner.maxInputs == 1 && planner.maxTokens == 1)
        #expect(planner.batchSizes([1, 1]) == [1, 1])
    }
}

/// A small deterministic random source for the property test.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
