import CSearchKernel
import Foundation
@testable import Search
import Testing

/// The int8 first pass: its kernels agree, its bound holds for every vector (unit,
/// rescaled, spiky, worst-case queries), and the two-pass scan returns what a full
/// float32 scan of the same file returns, bit for bit, while rescoring only a few.
struct FirstPassTests {
    /// Everything a full float32 scan of `file` keeps (the scan before the first pass),
    /// best first, ties by key.
    private func float32Scan(_ file: ScanFile, kind: VectorKind, query: [Float], k: Int,
                             allow: ((VectorKey) -> Bool)? = nil) -> [Candidate] {
        var top = TopK(k: k)
        query.withUnsafeBytes { queryBytes in
            for block in file.blocks where block.header.kind == kind {
                for index in 0..<block.header.count {
                    var lanes = SIMD8<UInt32>()
                    let score = DotProduct.dot(file.vectors(of: block) + index * kind.dimensions * 4, queryBytes.baseAddress!,
                                               dimensions: kind.dimensions, checksum: &lanes)
                    let key = file.key(index, of: block)
                    if allow?(key) ?? true { top.offer(Candidate(score: score, key: key)) }
                }
            }
        }
        return ordered(top.candidates)
    }

    private func ordered(_ candidates: [Candidate]) -> [Candidate] {
        candidates.sorted { $0.score != $1.score ? $0.score > $1.score : $0.key < $1.key }
    }

    /// `fixture`'s vectors stored in one transaction (fast for thousands of them).
    private func store(_ items: [(id: String, vector: [Float])], in fixture: SearchFixture) throws -> [Int64: String] {
        var names: [Int64: String] = [:]
        try fixture.store.db.execute("BEGIN")
        for item in items { names[try fixture.add(item.id, item.vector)] = item.id }
        try fixture.store.db.execute("COMMIT")
        return names
    }

    @Test func theKernelsAgreeWithEachOtherAndWithPlainArithmetic() throws {
        var random = UnitVectors(seed: 21)
        for stride in [32, 96, 1536] {
            let count = 37
            let limit = QuantizedQuery.limit(stride: stride)
            let rows = (0..<count * stride).map { _ in Int8(truncatingIfNeeded: Int(random.next() % 255) - 127) }
            let query = (0..<stride).map { _ in Int16(Int(random.next() % UInt64(2 * limit + 1)) - limit) }
            var expected = [Int32](repeating: 0, count: count)
            for row in 0..<count {
                var sum = 0
                for index in 0..<stride { sum += Int(rows[row * stride + index]) * Int(query[index]) }
                expected[row] = Int32(sum)
            }
            let expectedSum = rows.withUnsafeBytes { LaneChecksum.of($0.baseAddress!, byteCount: $0.count) }
            for level in 0...llmq_i8_best_level() {
                var out = [Int32](repeating: 0, count: count)
                var sum = LaneChecksum()
                withUnsafeMutableBytes(of: &sum.lanes) { lanes in
                    llmq_i8_dots_level(Int32(level), rows, count, stride, query, &out, lanes.baseAddress!.assumingMemoryBound(to: UInt32.self))
                }
                #expect(out == expected, "level \(level), stride \(stride)")
                #expect(sum.value == expectedSum, "level \(level), stride \(stride)")
            }
        }
        // The largest codes at the largest query codes stay within 32 bits.
        let stride = 1536
        let limit = QuantizedQuery.limit(stride: stride)
        var out: [Int32] = [0]
        var lanes = [UInt32](repeating: 0, count: 8)
        llmq_i8_dots([Int8](repeating: -127, count: stride), 1, stride, [Int16](repeating: Int16(-limit), count: stride), &out, &lanes)
        #expect(Int(out[0]) == 127 * limit * stride)
    }

    @Test func theBoundHoldsForEveryKindOfVectorAndWorstCaseQueries() {
        var random = UnitVectors(seed: 23)
        for dimensions in [7, 100, 1536] {
            var vectors: [[Float]] = (0..<40).map { _ in random.vector(dimensions) }
            var spiky = random.vector(dimensions).map { $0 * 1e-3 }
            spiky[dimensions / 2] = 1
            vectors.append(DotProduct.normalized(spiky))
            vectors.append(DotProduct.normalized([Float](repeating: 1, count: dimensions)))
            vectors.append(DotProduct.normalized(random.vector(dimensions).map { $0 * 1e-20 }))
            // Stored as they are (their float32 squares sum to 0): tiny and subnormal values.
            vectors.append(random.vector(dimensions).map { $0 * 1e-30 })
            vectors.append(random.vector(dimensions).map { $0 * 1e-38 })
            vectors.append([Float](repeating: 0, count: dimensions))
            var widest: Double = 0
            for vector in vectors {
                var codes: [UInt8] = []
                let record = vector.withUnsafeBytes { Int8Codes.encode($0.baseAddress!, dimensions: dimensions, checksum: 0, into: &codes) }
                #expect(codes.count == Int8Codes.stride(dimensions))
                // The worst query for the bound: along the vector's own quantisation error.
                let residual = vector.enumerated().map { $0.element - record.scale * Float(Int8(bitPattern: codes[$0.offset])) }
                let queries = [random.vector(dimensions), vector, DotProduct.normalized(residual), vector.map { -$0 }]
                for query in queries {
                    let quantized = QuantizedQuery(query)
                    let dot = codes.withUnsafeBytes { rows in
                        var out: [Int32] = [0]
                        var lanes = [UInt32](repeating: 0, count: 8)
                        llmq_i8_dots(rows.baseAddress!.assumingMemoryBound(to: Int8.self), 1, codes.count, quantized.codes, &out, &lanes)
                        return out[0]
                    }
                    var lanes = SIMD8<UInt32>()
                    let score = vector.withUnsafeBytes { v in
                        query.withUnsafeBytes { DotProduct.dot(v.baseAddress!, $0.baseAddress!, dimensions: dimensions, checksum: &lanes) }
                    }
                    let estimate = quantized.approximate(record, dot: dot)
                    let bound = quantized.bound(record)
                    #expect(abs(Double(score) - estimate) <= bound, "dims \(dimensions): \(score) vs \(estimate) ± \(bound)")
                    widest = max(widest, bound)
                }
            }
            if dimensions == 1536 {
                // Tight enough to prune random unit vectors: their scores spread ~0.026.
                #expect(widest < 0.2, "a spiky vector's bound is wide, a random one's narrow")
            }
        }
    }

    @Test func topKEqualsTheFloat32ScanAndBruteForceWhileRescoringFew() async throws {
        let fixture = try SearchFixture(blockBytes: 1 << 20)
        var random = UnitVectors(seed: 25)
        let kind = VectorKind(model: "m", dimensions: 1536)
        let stored = (0..<1200).map { ("v\($0)", random.vector(1536)) }
        _ = try store(stored, in: fixture)
        let file = try fixture.scanStore.upToDate()
        #expect(file.blocks.count > 4, "several blocks and work units")
        for query in [random.vector(1536), stored[77].1] {
            for k in [1, 10, 100] {
                let scanned = try await ExactScan.scan(file: file, kind: kind, query: query, k: k)
                #expect(ordered(scanned.candidates) == float32Scan(file, kind: kind, query: query, k: k))
                #expect(scanned.rescored < 1200 / 4, "the first pass leaves few vectors to rescore (k \(k): \(scanned.rescored))")
            }
            let reference = bruteForce(stored, query: query, k: 100)
            #expect(try await fixture.ids(query, k: 100) == reference)
            #expect(try await fixture.ids(query, k: 1) == Array(reference.prefix(1)))
            #expect(try await fixture.ids(query, k: 7, prefix: "v1") == bruteForce(stored.filter { $0.0.hasPrefix("v1") }, query: query, k: 7))
        }
    }

    @Test func nearTiesAreAllRescoredAndRankedAsFloat32RanksThem() async throws {
        let fixture = try SearchFixture(blockBytes: 1 << 20)
        var random = UnitVectors(seed: 27)
        let kind = VectorKind(model: "m", dimensions: 1536)
        let base = random.vector(1536)
        var stored: [(id: String, vector: [Float])] = []
        // Within 1e-6 of each other: far inside the int8 bound, apart in float32.
        for index in 0..<150 {
            let nudge = random.vector(1536)
            stored.append(("near-\(index)", DotProduct.normalized(zip(base, nudge).map { $0 + 1e-6 * $1 })))
        }
        for index in 0..<30 { stored.append(("tie-\(String(format: "%02d", index))", base)) }
        for index in 0..<300 { stored.append(("other-\(index)", random.vector(1536))) }
        stored.shuffle(using: &random)
        let names = try store(stored, in: fixture)
        let file = try fixture.scanStore.upToDate()
        for k in [1, 10, 40, 200] {
            let scanned = try await ExactScan.scan(file: file, kind: kind, query: base, k: k)
            let reference = float32Scan(file, kind: kind, query: base, k: k)
            #expect(ordered(scanned.candidates) == reference)
            #expect(scanned.rescored >= 180, "every near tie is rescored (\(scanned.rescored))")
            let expected = reference.sorted {
                $0.score != $1.score ? $0.score > $1.score : names[$0.key.jobID]!.utf8.lexicographicallyPrecedes(names[$1.key.jobID]!.utf8)
            }.prefix(k).map { names[$0.key.jobID]! }
            #expect(try await fixture.ids(base, k: k) == expected)
        }
    }

    @Test func vectorsNotOfUnitLengthAreNormalisedAndRankedExactly() async throws {
        let fixture = try SearchFixture(blockBytes: 1 << 20)
        var random = UnitVectors(seed: 29)
        let kind = VectorKind(model: "m", dimensions: 1536)
        let stored = (0..<400).map { index -> (String, [Float]) in
            let length = Float(pow(10, Double(random.next() % 7) - 3))  // 0.001 ... 1000
            return ("s\(index)", random.vector(1536).map { $0 * length })
        }
        _ = try store(stored, in: fixture)
        let file = try fixture.scanStore.upToDate()
        let query = random.vector(1536).map { $0 * 7 }
        for k in [1, 10, 50] {
            #expect(try await fixture.ids(query, k: k) == bruteForce(stored, query: query, k: k))
            let unit = DotProduct.normalized(query)
            #expect(ordered(try await ExactScan.run(file: file, kind: kind, query: unit, k: k)) == float32Scan(file, kind: kind, query: unit, k: k))
        }
    }

    @Test func spikyVectorsWhoseCodesCannotTellThemApartAreRescored() async throws {
        // One large component and small ones that all round to code 0: every vector has
        // the same estimate, so only the bound and the float32 rescoring rank them.
        let fixture = try SearchFixture(blockBytes: 1 << 20)
        var random = UnitVectors(seed: 31)
        let kind = VectorKind(model: "m", dimensions: 256)
        let stored = (0..<300).map { index -> (String, [Float]) in
            var vector = random.vector(256).map { $0 * 0.02 }
            vector[0] = 1
            return ("p\(index)", DotProduct.normalized(vector))
        }
        _ = try store(stored, in: fixture)
        let file = try fixture.scanStore.upToDate()
        var query = random.vector(256).map { $0 * 0.5 }
        query[0] = 1
        let unit = DotProduct.normalized(query)
        let scanned = try await ExactScan.scan(file: file, kind: kind, query: unit, k: 5)
        #expect(ordered(scanned.candidates) == float32Scan(file, kind: kind, query: unit, k: 5))
        #expect(scanned.rescored > 50, "the bound keeps many (\(scanned.rescored))")
        #expect(try await fixture.ids(query, k: 5) == bruteForce(stored, query: query, k: 5))
    }

    @Test func kLargerThanTheCountReturnsEveryVectorInOrder() async throws {
        let fixture = try SearchFixture()
        var random = UnitVectors(seed: 33)
        let stored = (0..<50).map { ("c\($0)", random.vector(64)) }
        _ = try store(stored, in: fixture)
        let query = random.vector(64)
        let ids = try await fixture.ids(query, k: 80)
        #expect(ids.count == 50)
        #expect(ids == bruteForce(stored, query: query, k: 80))
        #expect(try await fixture.ids(query, k: 80, minScore: 0.05) == bruteForce(stored, query: query, k: 80).filter { id in
            let vector = stored.first { $0.0 == id }!.1
            return zip(vector, DotProduct.normalized(query)).reduce(0) { $0 + Double($1.0) * Double($1.1) } >= 0.05
        })
    }
}
