import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// A 2xx answer with what the caller needs to decode and report it.
struct SuccessfulReply {
    var body: ByteBuffer
    var status: Int
    var rateLimits: RateLimitSnapshot?
    var requestID: String?
    var retries: Int

    /// Decodes the body, or throws `.unparseableResponse`.
    func decode<T: Decodable>(_ type: T.Type) throws(LLMError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw unparseable("\(T.self): \(error)")
        }
    }

    /// An `.unparseableResponse` error for this reply.
    func unparseable(_ detail: String) -> LLMError {
        LLMError(
            kind: .unparseableResponse, status: status,
            apiMessage: ErrorMapping.excerpt(of: body), requestID: requestID, retries: retries, detail: detail
        )
    }
}

/// The outcome of one HTTP attempt.
enum AttemptOutcome {
    case success(SuccessfulReply)
    case failure(LLMError, retryable: Bool, serverDelay: Duration?)
}

extension OpenAIProvider {
    /// Sends `body` to `path`, retrying transient failures per ``OpenAIConfig/retryPolicy``.
    /// - Throws: the mapped ``LLMError`` (key redacted), or `CancellationError`.
    func perform(path: String, body: some Encodable, estimatedTokens: Int) async throws -> SuccessfulReply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let bytes: ByteBuffer
        do {
            bytes = ByteBuffer(data: try encoder.encode(body))
        } catch {
            throw LLMError(kind: .invalidRequest(message: "request could not be encoded: \(error)", param: nil))
        }
        let policy = config.retryPolicy
        var retries = 0
        while true {
            try Task.checkCancellation()
            if let observer {
                try await observer.willSend(path: path, estimatedTokens: estimatedTokens)
            }
            switch try await attempt(path: path, body: bytes, retries: retries) {
            case .success(var reply):
                reply.retries = retries
                return reply
            case .failure(var error, let retryable, let serverDelay):
                error.retries = retries
                guard retryable, retries < policy.maxRetries else {
                    throw error.redacting(apiKey)
                }
                let delay = policy.delay(retry: retries, serverSuggested: serverDelay, random: random())
                logger.debug(
                    "retrying after transient failure",
                    metadata: [
                        "path": "\(path)", "status": "\(error.status.map(String.init) ?? "-")",
                        "retry": "\(retries + 1)", "delay_ms": "\(delay.milliseconds)",
                    ]
                )
                try await sleeper.sleep(for: delay)
                retries += 1
            }
        }
    }

    /// One HTTP attempt; throws only `CancellationError`.
    private func attempt(path: String, body: ByteBuffer, retries: Int) async throws -> AttemptOutcome {
        var request = HTTPClientRequest(url: config.baseURL + path)
        request.method = .POST
        addHeaders(to: &request)
        request.body = .bytes(body)
        let response: HTTPClientResponse
        let payload: ByteBuffer
        do {
            response = try await client.execute(request, deadline: .now() + config.timeout.timeAmount, logger: logger)
            payload = try await response.body.collect(upTo: config.maxResponseBytes)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return .failure(ErrorMapping.transport(error, timeout: config.timeout), retryable: true, serverDelay: nil)
        }
        let headers = response.headers
        let header: (String) -> String? = { headers.first(name: $0) }
        let status = Int(response.status.code)
        let rateLimits = RateLimitSnapshot.parse(header: header)
        let serverDelay = RetryAfterHeader.parse(header: header, now: now())
        let requestID = header("x-request-id")
        await observer?.didReceive(status: status, rateLimits: rateLimits, retryAfter: serverDelay)
        if (200..<300).contains(status) {
            return .success(
                SuccessfulReply(body: payload, status: status, rateLimits: rateLimits, requestID: requestID, retries: retries)
            )
        }
        let error = ErrorMapping.status(status, body: payload, requestID: requestID, serverDelay: serverDelay)
        let retryable = ErrorMapping.shouldRetry(
            error, shouldRetryHeader: header("x-should-retry"), serverDelay: serverDelay,
            maxRetryAfter: config.maxRetryAfter
        )
        return .failure(error, retryable: retryable, serverDelay: serverDelay)
    }

    /// The headers every request carries.
    func addHeaders(to request: inout HTTPClientRequest) {
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        if let organization = config.organization {
            request.headers.add(name: "OpenAI-Organization", value: organization)
        }
        if let project = config.project { request.headers.add(name: "OpenAI-Project", value: project) }
    }
}

extension Duration {
    /// The same span as a NIO `TimeAmount`.
    var timeAmount: TimeAmount {
        let parts = components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}
