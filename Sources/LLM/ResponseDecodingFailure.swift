import JSON

/// Why a 2xx answer (an embeddings or chat completion body) was rejected.
struct ResponseDecodingFailure: Error {
    var message: String
    /// For a vector of the wrong length: its length and the one expected.
    var dimensions: (got: Int, expected: Int)?

    init(_ message: String, dimensions: (got: Int, expected: Int)? = nil) {
        self.message = message
        self.dimensions = dimensions
    }

    /// The body is not JSON, or not of the shape read.
    init(_ error: JSONSyntaxError) { self.init(error.description) }
}
