import JSON
import NIOCore

/// One request as the server read it.
struct FakeRequest: Sendable {
    var method: String
    /// The path without query string, e.g. `/v1/embeddings`.
    var path: String
    /// Header values by lower-cased name (the last value wins).
    var headers: [String: String]
    var body: ByteBuffer
    /// The query string's parameters (percent-decoded).
    var query: [String: String] = [:]
}

/// One answer to write.
struct FakeHTTPResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: ByteBuffer
}

/// What the connection does with a request.
enum FakeAction: Sendable {
    /// Write the response after `delay`.
    case respond(FakeHTTPResponse, delay: Duration)
    /// Close the connection without answering.
    case drop
    /// Never answer.
    case hang
}

/// A request the server received, for tests to assert on.
public struct FakeRecordedRequest: Sendable, Hashable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The path, e.g. `/v1/embeddings`.
    public var path: String
    /// Header values by lower-cased name.
    public var headers: [String: String]
    /// The decoded JSON body, or `nil` when it was not JSON.
    public var body: JSONValue?
    /// When it arrived, on the server's monotonic clock (nanoseconds), so tests can check
    /// the spacing of requests (a shared pause after a 429).
    public var receivedAtNanos: UInt64 = 0
    /// The query string's parameters (percent-decoded), e.g. `api-version`.
    public var query: [String: String] = [:]
}

/// Counters since the server started.
public struct FakeOpenAIStats: Sendable, Hashable {
    /// Requests received (all paths, faults included).
    public var requests = 0
    /// 429 answers sent (limiter and scripted faults).
    public var rateLimited = 0
    /// 429 answers sent by the RPM/TPM limiter alone.
    public var limiterRejections = 0
    /// Scripted faults applied.
    public var faultsApplied = 0
    /// Successful answers.
    public var succeeded = 0
    /// Embedding inputs answered successfully.
    public var embeddingInputs = 0
    /// Tokens charged against the TPM window by successful requests.
    public var tokensCharged = 0
    /// When the first and the latest successful request were admitted (the server's
    /// monotonic clock, nanoseconds), and the latest one's tokens: the span a client
    /// needed, for pacing efficiency.
    public var firstAdmittedNanos: UInt64?
    public var lastAdmittedNanos: UInt64?
    public var lastAdmittedTokens = 0
    /// Files uploaded and deleted through the Files API.
    public var filesUploaded = 0
    public var filesDeleted = 0
    /// Batches created through the Batches API.
    public var batchesCreated = 0
    /// Batch input lines run (succeeded or failed).
    public var batchLinesRun = 0
}

extension FakeOpenAIStats {
    /// How close a client came to the shortest span any client could reach under a limit
    /// of `tokensPerMinute` (one window's budget per window, that is the limit's rate):
    /// the tokens of every successful request but the last, at that rate, over the time
    /// from the first successful request to the last. 1 is the limit's rate exactly; nil
    /// with fewer than two successful requests.
    public func pacingEfficiency(tokensPerMinute: Int) -> Double? {
        guard let first = firstAdmittedNanos, let last = lastAdmittedNanos, last > first, tokensPerMinute > 0 else { return nil }
        let shortest = Double(tokensCharged - lastAdmittedTokens) / (Double(tokensPerMinute) / 60)
        return shortest / (Double(last - first) / 1e9)
    }

    /// ``pacingEfficiency(tokensPerMinute:)`` for a limit of `requestsPerMinute`: every
    /// successful request but the last at the limit's rate, over the same span.
    public func requestPacingEfficiency(requestsPerMinute: Int) -> Double? {
        guard let first = firstAdmittedNanos, let last = lastAdmittedNanos, last > first, requestsPerMinute > 0 else { return nil }
        let shortest = Double(succeeded - 1) / (Double(requestsPerMinute) / 60)
        return shortest / (Double(last - first) / 1e9)
    }
}
