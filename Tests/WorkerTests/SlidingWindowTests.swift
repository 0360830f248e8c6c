import Testing
@testable import Worker

struct SlidingWindowTests {
    @Test func emptyWindowNeverWaits() {
        let window = SlidingWindow()
        #expect(window.wait(for: 10, limit: 10, now: 0) == 0)
        #expect(window.wait(for: 50, limit: 10, now: 0) == 0)
    }

    @Test func waitLastsUntilEnoughHasLeftTheWindow() {
        var window = SlidingWindow()
        window.add(5, now: 0)
        window.add(5, now: 10)
        #expect(window.total == 10)
        #expect(window.wait(for: 0, limit: 10, now: 20) == 0)
        #expect(window.wait(for: 1, limit: 10, now: 20) == 40)
        #expect(window.wait(for: 6, limit: 10, now: 20) == 50)
    }

    @Test func amountOverTheLimitWaitsForAnEmptyWindow() {
        var window = SlidingWindow()
        window.add(1, now: 0)
        window.add(1, now: 30)
        #expect(window.wait(for: 100, limit: 10, now: 30) == 60)
    }

    @Test func pruneDropsWhatIsAMinuteOld() {
        var window = SlidingWindow()
        window.add(3, now: 0)
        window.add(4, now: 1)
        window.prune(now: 59.5)
        #expect(window.total == 7)
        window.prune(now: 60)
        #expect(window.total == 4)
        window.prune(now: 61)
        #expect(window.total == 0)
        #expect(window.wait(for: 10, limit: 10, now: 61) == 0)
    }

    @Test func pruneKeepsTotalsRightOverManyEntries() {
        var window = SlidingWindow(span: 10)
        for second in 0..<5000 { window.add(1, now: Double(second)) }
        window.prune(now: 4999)
        #expect(window.total == 10)
    }
}
