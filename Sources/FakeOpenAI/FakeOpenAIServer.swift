import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An OpenAI-compatible HTTP server on 127.0.0.1 for tests, benchmarks and `llmq demo`.
///
/// Serves `POST /v1/embeddings` and `POST /v1/chat/completions` with deterministic answers,
/// the real shapes, limits and `x-ratelimit-*` headers, optional RPM/TPM limits over sliding
/// one-minute windows, and scripted faults. Call ``shutdown()`` when done.
public final class FakeOpenAIServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// The bound port.
    public let port: Int
    /// The options the server runs with.
    public var options: FakeOpenAIOptions { engine.options }
    /// The base URL to give a client, e.g. `http://127.0.0.1:PORT/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    /// The endpoint to give an Azure client (`AZURE_OPENAI_ENDPOINT`) when serving
    /// ``FakeOpenAIOptions/azure``, e.g. `http://127.0.0.1:PORT`.
    public var azureEndpoint: String { "http://127.0.0.1:\(port)" }

    let engine: FakeOpenAIEngine
    private let channel: any Channel
    private let runTask: Task<Void, Never>

    private init(port: Int, engine: FakeOpenAIEngine, channel: any Channel, runTask: Task<Void, Never>) {
        self.port = port
        self.engine = engine
        self.channel = channel
        self.runTask = runTask
    }

    /// Binds 127.0.0.1 (`options.port`, 0 for a free port) and starts serving.
    /// - Throws: the socket error when the port cannot be bound.
    public static func start(_ options: FakeOpenAIOptions = FakeOpenAIOptions()) async throws -> FakeOpenAIServer {
        let engine = FakeOpenAIEngine(options: options)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: "127.0.0.1", port: options.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? options.port
        let channel = server.channel
        let task = Task<Void, Never> {
            _ = try? await server.executeThenClose { inbound in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in inbound {
                            group.addTask { await serve(connection, engine: engine) }
                        }
                    } catch {
                        // The listening socket closed or the task was cancelled: stop accepting.
                    }
                    group.cancelAll()
                }
            }
        }
        return FakeOpenAIServer(port: port, engine: engine, channel: channel, runTask: task)
    }

    /// Stops accepting, closes every connection (ending hangs) and waits until all is closed.
    public func shutdown() async {
        runTask.cancel()
        try? await channel.close()
        await runTask.value
    }

    /// Queues faults for the next requests, in order; with `path` (e.g. `/v1/embeddings`),
    /// only requests to that path consume them.
    public func enqueueFaults(_ faults: [FakeFault], path: String? = nil) {
        engine.enqueue(faults, path: path)
    }

    /// The requests received so far (up to ``FakeOpenAIOptions/maxRecordedRequests``).
    public func recordedRequests() -> [FakeRecordedRequest] {
        engine.store.withLock { $0.recorded }
    }

    /// Returns once the server has received at least `count` requests (at once when it
    /// has), so a test can act at a point of a run instead of after a guessed delay.
    public func requestsReceived(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = engine.store.withLock { store in
                if store.stats.requests >= count { return true }
                store.requestWaiters.append((count, continuation))
                return false
            }
            if already { continuation.resume() }
        }
    }

    /// Counters since start.
    public func stats() -> FakeOpenAIStats {
        engine.store.withLock { $0.stats }
    }

    static func queryParameters(of uri: String) -> [String: String] {
        guard let mark = uri.firstIndex(of: "?") else { return [:] }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            query[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return query
    }

    /// Serves one keep-alive connection until the client closes it, a fault drops it or shutdown.
    private static func serve(_ connection: Connection, engine: FakeOpenAIEngine) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            var hanging = false
            for try await part in inbound {
                // A hung connection ignores everything until the client (or shutdown) closes it.
                if hanging { continue }
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body.clear()
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    guard let requestHead = head else { continue }
                    let request = FakeRequest(
                        method: requestHead.method.rawValue,
                        path: String(requestHead.uri.prefix { $0 != "?" }),
                        headers: Dictionary(
                            requestHead.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 }
                        ),
                        body: body,
                        query: Self.queryParameters(of: requestHead.uri)
                    )
                    switch engine.handle(request) {
                    case .drop:
                        return
                    case .hang:
                        hanging = true
                    case .respond(let response, let delay):
                        if delay > .zero { try await Task.sleep(for: delay) }
                        let keepAlive = requestHead.isKeepAlive
                        var headers = HTTPHeaders(response.headers)
                        headers.replaceOrAdd(name: "content-length", value: String(response.body.readableBytes))
                        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
                        try await outbound.write(
                            contentsOf: [
                                .head(
                                    HTTPResponseHead(
                                        version: requestHead.version,
                                        status: HTTPResponseStatus(statusCode: response.status), headers: headers
                                    )),
                                .body(.byteBuffer(response.body)),
                                .end(nil),
                            ])
                        if !keepAlive { return }
                    }
                }
            }
        }
    }
}
