/// Downloads a rank file from its official URL. Injected so that the Tokenizer module
/// depends on no HTTP library; the command line wires a real client, tests a fake one.
public protocol RankFileFetcher: Sendable {
    /// The body of a successful GET of `url`.
    ///
    /// - Throws: any error; the locator reports it as `TokenizerError` `downloadFailed`.
    func fetch(_ url: String) async throws -> [UInt8]
}

/// A `RankFileFetcher` made from a closure.
public struct ClosureRankFileFetcher: RankFileFetcher {
    private let body: @Sendable (String) async throws -> [UInt8]

    /// Wraps `body`, which returns the body of a GET of its URL argument.
    public init(_ body: @escaping @Sendable (String) async throws -> [UInt8]) {
        self.body = body
    }

    /// Calls the closure.
    public func fetch(_ url: String) async throws -> [UInt8] {
        try await body(url)
    }
}
