import Testing
import JobQueue
import TestSupport

struct BatchPlannerTests {
    @Test func batchesNeverExceedEitherLimit() {
        let planner = BatchPlanner(maxInputs: 4, maxTokens: 100)
        var generator = SplitMix64(seed: 7)
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
