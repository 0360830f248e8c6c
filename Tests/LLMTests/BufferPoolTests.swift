import Foundation
import NIOCore
import Testing

@testable import LLM

/// Buffers kept between responses: bounded, and never visible through what still refers to them.
struct BufferPoolTests {
    @Test func keepsAtMostItsCapacityAndNothingOverItsSizeLimit() {
        let pool = BufferPool<[UInt8]>(capacity: 2, maxBytes: 100)
        pool.give([1], bytes: 1)
        pool.give([2], bytes: 101)  // over the limit: not kept
        pool.give([3], bytes: 0)    // nothing to keep
        pool.give([4], bytes: 4)
        pool.give([5], bytes: 5)    // full
        #expect(pool.count == 2)
        #expect(pool.take() == [4])
        #expect(pool.take() == [1])
        #expect(pool.take() == nil)
    }

    @Test func packedVectorsGiveTheirBufferBackOnceTheLastCopyIsGone() {
        let pool = BufferPool<[UInt8]>(capacity: 4, maxBytes: 1 << 20)
        var kept: ArraySlice<UInt8> = []
        do {
            let vectors = PackedVectors(littleEndianBytes: [1, 2, 3, 4, 5, 6, 7, 8], dimensions: 1, recycledInto: pool)
            let copy = vectors
            kept = copy.bytes(at: 1)
            #expect(pool.count == 0)
        }
        #expect(pool.count == 1)
        // The next taker writes into the buffer; a slice that outlived the vectors keeps its bytes.
        var reused = pool.take() ?? []
        reused.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        #expect(Array(kept) == [5, 6, 7, 8])
        #expect(reused == [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func vectorsOfAResponseStayIntactWhileLaterResponsesReuseTheirBuffer() throws {
        func body(_ value: Float, count: Int) -> ByteBuffer {
            let data = PackedVectors([[value, value + 1]]).littleEndianBytes
            let base64 = Data(data).base64EncodedString()
            let items = (0..<count).map { #"{"object":"embedding","index":\#($0),"embedding":"\#(base64)"}"# }
            return ByteBuffer(string: #"{"object":"list","model":"m","data":[\#(items.joined(separator: ","))],"usage":{"prompt_tokens":1,"total_tokens":1}}"#)
        }
        var earlier: [ArraySlice<UInt8>] = []
        for round in 0..<6 {
            let parsed = try EmbeddingsResponseParser.parse(body(Float(round), count: 3), expectedCount: 3, expectedDimensions: 2)
            #expect(parsed.vectors.map { $0 } == Array(repeating: [Float(round), Float(round) + 1], count: 3))
            earlier.append(parsed.vectors.bytes(at: 2))
        }
        for (round, slice) in earlier.enumerated() {
            #expect(PackedVectors(littleEndianBytes: Array(slice), dimensions: 2)[0] == [Float(round), Float(round) + 1])
        }
    }
}
