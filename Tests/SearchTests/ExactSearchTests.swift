import Foundation
@testable import Search
import Testing

/// Exact top-k: equal to a brute-force reference, ties broken by id then chunk, filters
/// applied before ranking.
struct ExactSearchTests {
    @Test func topKEqualsBruteForceOnRandomUnitVectorsAcrossManyBlocks() async throws {
        let fixture = try SearchFixture(blockBytes: 16 << 10)
        var random = UnitVectors(seed: 7)
        var stored: [(id: String, vector: [Float])] = []
        for index in 0..<1200 {
            let vector = random.vector(100)  // not a multiple of 32: the SIMD tail is used
            stored.append(("v\(index)", vector))
        }
        for item in stored.shuffled(using: &random) { try fixture.add(item.id, item.vector) }
        for _ in 0..<3 {
            let query = random.vector(100)
            for k in [1, 10, 57] {
                #expect(try await fixture.ids(query, k: k) == bruteForce(stored, query: query, k: k))
            }
        }
        let file = try fixture.scanStore.upToDate()
        #expect(file.blocks.count > 10, "the test covers many blocks and work units")
    }

    @Test func tiesAreBrokenByCustomIDWhateverTheirOrderInTheFile() async throws {
        let fixture = try SearchFixture(blockBytes: 4 << 10)
        var random = UnitVectors(seed: 11)
        let shared = random.vector(64)
        var stored: [(id: String, vector: [Float])] = []
        for index in 0..<200 { stored.append(("other-\(index)", random.vector(64))) }
        // Forty copies of one vector, stored in shuffled order: all score exactly alike.
        for index in (0..<40).shuffled(using: &random) { stored.append(("tie-\(String(format: "%02d", index))", shared)) }
        for item in stored.shuffled(using: &random) { try fixture.add(item.id, item.vector) }
        let hits = try await fixture.search.search(shared, kind: VectorKind(model: "m", dimensions: 64), options: SearchOptions(k: 5))
        #expect(hits.map(\.text.customID) == ["tie-00", "tie-01", "tie-02", "tie-03", "tie-04"])
        #expect(hits.map(\.rank) == [1, 2, 3, 4, 5])
        #expect(Set(hits.map(\.score)).count == 1)
        #expect(try await fixture.ids(shared, k: 45) == bruteForce(stored, query: shared, k: 45))
    }

    @Test func topKHeapKeepsEveryCandidateTiedWithTheKthScore() {
        var top = TopK(k: 2)
        for (index, score) in [0.5, 0.9, 0.5, 0.7, 0.5, 0.7, 0.1].enumerated() {
            top.offer(Candidate(score: Float(score), key: VectorKey(jobID: Int64(index), chunk: 0)))
        }
        let kept = top.candidates.map(\.key.jobID).sorted()
        #expect(kept == [1, 3, 5], "0.9 and both 0.7s: the 0.5s fell out once 0.7 became the k-th score")
        var merged = TopK(k: 3, floor: 0.6)
        merged.merge(top)
        merged.offer(Candidate(score: 0.55, key: VectorKey(jobID: 9, chunk: 0)))
        #expect(merged.candidates.map(\.key.jobID).sorted() == [1, 3, 5])
    }

    @Test func prefixFiltersBeforeRankingAndMinScoreCuts() async throws {
        let fixture = try SearchFixture()
        var random = UnitVectors(seed: 3)
        let query = random.vector(32)
        var near = query
        near[0] += 0.05
        // The "a-" vectors are all nearer than any "b-" one: a filter after ranking would
        // find no "b-" hit among the top 3.
        for index in 0..<20 { try fixture.add("a-\(index)", near) }
        var stored: [(id: String, vector: [Float])] = []
        for index in 0..<50 { stored.append(("b-\(index)", random.vector(32))) }
        for item in stored { try fixture.add(item.id, item.vector) }
        #expect(try await fixture.ids(query, k: 3, prefix: "b-") == bruteForce(stored, query: query, k: 3))
        #expect(try await fixture.ids(query, k: 3, prefix: "c") == [])
        #expect(try await fixture.ids(query, k: 100, prefix: "a-").count == 20)
        let floor: Float = 0.2
        let above = try await fixture.search.search(query, kind: VectorKind(model: "m", dimensions: 32),
                                                    options: SearchOptions(k: 100, minScore: floor, idPrefix: "b-"))
        #expect(above.allSatisfy { $0.score >= floor })
        #expect(above.map(\.text.customID) == bruteForce(stored, query: query, k: 50).prefix(above.count).map { $0 })
    }

    @Test func vectorsThatAreNotUnitLengthAreNormalisedAtLoad() async throws {
        let fixture = try SearchFixture()
        try fixture.add("long", [3, 4, 0, 0])
        try fixture.add("short", [0, 0.1, 0.1, 0])
        let hits = try await fixture.search.search([6, 8, 0, 0], kind: VectorKind(model: "m", dimensions: 4), options: SearchOptions(k: 2))
        #expect(hits.map(\.text.customID) == ["long", "short"])
        #expect(abs(hits[0].score - 1) < 1e-6)
        #expect(abs(hits[1].score - Float(0.8 / 2.squareRoot())) < 1e-6)
        #expect(hits[0].text == HitText(customID: "long", chunk: 0, start: 0, end: 12, text: "text of long"))
    }

    @Test func onlyTheChosenKindIsScanned() async throws {
        let fixture = try SearchFixture()
        try fixture.add("small-a", [1, 0], model: "small")
        try fixture.add("small-b", [0, 1], model: "small")
        try fixture.add("large-a", [1, 0, 0], model: "large")
        #expect(try fixture.search.kinds() == [VectorKind(model: "small", dimensions: 2): 2, VectorKind(model: "large", dimensions: 3): 1])
        #expect(try await fixture.ids([1, 0], k: 5, model: "small") == ["small-a", "small-b"])
        #expect(try await fixture.ids([0, 0, 1], k: 5, model: "large") == ["large-a"])
    }
}
