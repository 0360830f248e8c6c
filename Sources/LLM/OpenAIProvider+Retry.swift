import AsyncHTTPClient
import Foundation
import JSON
import NIOCore

/// A 2xx answer with what the caller needs to decode and report it.
struct SuccessfulReply {
    var body: ByteBuffer
    var status: Int
    var rateLimits: RateLimitSnapshot?
    var requestID: String?
    var retries: Int
    /// The API that answered, for the remedy of an error about the answer.
    var api: APIStyle = .openAI
    /// The request answered (`GET /batches/batch_1`), for an error about the answer.
    var request = ""

    /// The body parsed as JSON and read by `read` (e.g. ``BatchWire/batch(_:path:)``).
    /// - Throws: `.unparseableResponse` naming `what`, the request and what is wrong: the
    ///   syntax error and its offset, or the member missing or of another type.
    func decode<T>(_ what: String, _ read: (JSONValue) throws(JSONFieldError) -> T) throws(LLMError) -> T {
        let parsed = body.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONSyntaxError) -> JSONValue in try JSONParser.parse(bytes) }
        }
        let value: JSONValue
        do {
            value = try parsed.get()
        } catch {
            throw unparseable("\(what) from \(request): \(error)")
        }
        do {
            return try read(value)
        } catch {
            throw unparseable("\(what) from \(request): \(error)")
        }
    }

    /// A `.wrongDimensions` error for this reply: its vectors have `got` dimensions, not `expected`.
    func wrongDimensions(got: Int, expected: Int) -> LLMError {
        var error = LLMError(kind: .wrongDimensions(got: got, expected: expected), status: status, requestID: requestID, retries: retries)
        error.api = api
        return error
    }

    /// An `.unparseableResponse` error for this reply.
    func unparseable(_ detail: String) -> LLMError {
        var error = LLMError(
            kind: .unparseableResponse, status: status,
            apiMessage: ErrorMapping.excerpt(of: body), requestID: requestID, retries: retries, detail: detail
        )
        error.api = api
        return error
    }
}

/// The outcome of one HTTP attempt.
enum AttemptOutcome {
    case success(SuccessfulReply)
    case failure(LLMError, retryable: Bool, serverDelay: Duration?)
}

/// One HTTP request as the provider sends it.
struct OutgoingRequest {
    enum Method { case GET, POST, DELETE }
    var method: Method = .POST
    /// The path after the base URL, with any query string (`/batches?limit=100`).
    var path: String
    var body: ByteBuffer?
    /// A file upload streamed from disk (instead of `body`).
    var upload: MultipartFileBody?
    var contentType = "application/json"
    /// How long one attempt may take.
    var timeout: Duration?
    /// The model of a model call (`/embeddings`, `/chat/completions`): Azure's classic API
    /// puts it in the path as the deployment (``APIStyle``).
    var deployment: String?
}

extension OpenAIProvider {
    /// Sends `request`, retrying transient failures per ``OpenAIConfig/retryPolicy`` (at most
    /// `maxRetries` when given). With `download`, a 2xx body is streamed to that file
    /// descriptor (truncated before each attempt) instead of being collected.
    /// - Throws: the mapped ``LLMError`` (key redacted), or `CancellationError`.
    func send(_ request: OutgoingRequest, estimatedTokens: Int = 0, maxRetries: Int? = nil,
              download: Int32? = nil) async throws -> SuccessfulReply {
        let policy = config.retryPolicy
        let allowed = maxRetries ?? policy.maxRetries
        var retries = 0
        while true {
            try Task.checkCancellation()
            if let observer, download == nil, request.method == .POST {
                try await observer.willSend(path: request.path, estimatedTokens: estimatedTokens)
            }
            switch try await attempt(request, retries: retries, download: download) {
            case .success(var reply):
                reply.retries = retries
                return reply
            case .failure(var error, let retryable, let serverDelay):
                error.retries = retries
                guard retryable, retries < allowed else {
                    error.api = config.api
                    throw error.redacting(apiKey)
                }
                let delay = policy.delay(retry: retries, serverSuggested: serverDelay, random: random())
                logger.debug(
                    "retrying after transient failure",
                    metadata: [
                        "path": "\(request.path)", "status": "\(error.status.map(String.init) ?? "-")",
                        "retry": "\(retries + 1)", "delay_ms": "\(delay.milliseconds)",
                    ]
                )
                try await sleeper.sleep(for: delay)
                retries += 1
            }
        }
    }

    /// One HTTP attempt; throws only `CancellationError`.
    private func attempt(_ outgoing: OutgoingRequest, retries: Int, download: Int32?) async throws -> AttemptOutcome {
        let url = config.api.url(base: config.baseURL, path: outgoing.path, deployment: outgoing.deployment)
        var request = HTTPClientRequest(url: url)
        switch outgoing.method {
        case .GET: request.method = .GET
        case .POST: request.method = .POST
        case .DELETE: request.method = .DELETE
        }
        addHeaders(to: &request, contentType: outgoing.contentType)
        if let body = outgoing.body { request.body = .bytes(body) }
        if let upload = outgoing.upload { request.body = upload.requestBody() }
        let response: HTTPClientResponse
        var payload = ByteBuffer()
        do {
            let timeout = outgoing.timeout ?? config.timeout
            response = try await client.execute(request, deadline: .now() + timeout.timeAmount, logger: logger)
            if let download, (200..<300).contains(response.status.code) {
                try FileOutput.truncate(download)
                for try await chunk in response.body { try FileOutput.write(chunk, to: download) }
            } else {
                payload = bodyBuffer(contentLength: response.headers.first(name: "content-length"),
                                     contentEncoding: response.headers.first(name: "content-encoding"))
                try await response.body.collect(upTo: config.maxResponseBytes, into: &payload)
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if let failure = error as? FileOutput.Failure {
                return .failure(LLMError(kind: .connection, detail: failure.message), retryable: false, serverDelay: nil)
            }
            if let inflation = ErrorMapping.inflation(error, request: "\(outgoing.method) \(outgoing.path)") {
                return .failure(inflation, retryable: false, serverDelay: nil)
            }
            let mapped = ErrorMapping.transport(error, timeout: outgoing.timeout ?? config.timeout)
            await observer?.didFailWithoutResponse(mapped)
            // A timed-out request may have been done and charged: not resent at once (see
            // OpenAIConfig.resendAfterTimeout); the worker hands its jobs back with a backoff.
            let resend: Bool = if case .timeout = mapped.kind { config.resendAfterTimeout } else { true }
            return .failure(mapped, retryable: resend, serverDelay: nil)
        }
        let headers = response.headers
        let header = ProviderHeaders.withFallback { headers.first(name: $0) }
        let status = Int(response.status.code)
        let rateLimits = RateLimitSnapshot.parse(header: header)
        let serverDelay = RetryAfterHeader.parse(header: header, now: now())
        let requestID = header("x-request-id")
        if (200..<300).contains(status) {
            await observer?.didReceive(status: status, rateLimits: rateLimits, retryAfter: serverDelay, endsRun: false)
            return .success(
                SuccessfulReply(body: payload, status: status, rateLimits: rateLimits, requestID: requestID, retries: retries,
                                api: config.api, request: "\(outgoing.method) \(outgoing.path)")
            )
        }
        let error = ErrorMapping.status(status, body: payload, requestID: requestID, serverDelay: serverDelay,
                                        url: url)
        await observer?.didReceive(status: status, rateLimits: rateLimits, retryAfter: serverDelay, endsRun: error.isFatalForRun)
        let retryable = ErrorMapping.shouldRetry(
            error, shouldRetryHeader: header("x-should-retry"), serverDelay: serverDelay,
            maxRetryAfter: config.maxRetryAfter
        )
        return .failure(error, retryable: retryable, serverDelay: serverDelay)
    }

    /// An empty buffer for a response body: a kept one (``responseBodies``) when there is
    /// one, with room for its `Content-Length` when the body is not compressed and the
    /// length is within `maxResponseBytes`, so a multi-megabyte embeddings answer is
    /// collected into one allocation instead of a buffer doubled a dozen times. A wrong
    /// `Content-Length` only costs that growth.
    func bodyBuffer(contentLength: String?, contentEncoding: String?) -> ByteBuffer {
        var buffer = responseBodies.take() ?? ByteBuffer()
        buffer.clear()
        if contentEncoding == nil, let length = contentLength.flatMap({ Int($0) }), length > 0, length <= config.maxResponseBytes {
            buffer.reserveCapacity(length)
        }
        return buffer
    }

    /// The headers every request carries.
    func addHeaders(to request: inout HTTPClientRequest, contentType: String = "application/json") {
        let credential = config.api.credentialHeader(key: apiKey)
        request.headers.add(name: credential.name, value: credential.value)
        request.headers.add(name: "Content-Type", value: contentType)
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
