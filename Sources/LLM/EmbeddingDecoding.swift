import Foundation

/// Turns an embeddings response into vectors in input order, checking every promise.
enum EmbeddingDecoding {
    /// Decodes the little-endian float32 bytes of a base64 string.
    static func floats(fromBase64 text: String) -> [Float]? {
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { i in
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
        }
    }

    /// The vectors ordered by `index`.
    /// - Parameter expectedDimensions: the length every vector must have; `nil` accepts any
    ///   length as long as all vectors share it.
    /// - Throws: a description of the broken promise (wrong count, bad index, bad length).
    static func vectors(
        from items: [OpenAIWire.EmbeddingsResponse.Item], expectedCount: Int, expectedDimensions: Int?
    ) throws(EmbeddingDecodingFailure) -> [[Float]] {
        var expectedDimensions = expectedDimensions
        guard items.count == expectedCount else {
            throw .init("expected \(expectedCount) embeddings, got \(items.count)")
        }
        var ordered = [[Float]?](repeating: nil, count: expectedCount)
        for item in items {
            guard ordered.indices.contains(item.index), ordered[item.index] == nil else {
                throw .init("embedding index \(item.index) is out of range or repeated")
            }
            let vector: [Float]
            switch item.embedding {
            case .floats(let values): vector = values
            case .base64(let text):
                guard let values = floats(fromBase64: text) else {
                    throw .init("embedding \(item.index) is not valid base64 float32 data")
                }
                vector = values
            }
            let expected = expectedDimensions ?? vector.count
            guard vector.count == expected, expected > 0 else {
                throw .init("embedding \(item.index) has \(vector.count) dimensions, expected \(expected)")
            }
            expectedDimensions = expected
            ordered[item.index] = vector
        }
        return ordered.compactMap { $0 }
    }
}

/// Why an embeddings response was rejected.
struct EmbeddingDecodingFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
