@testable import FakeOpenAI
import NIOCore
import Synchronization
import Testing

/// The fake's compute-bound mode (``FakeServerQuirks/computePerInput``): one FIFO compute
/// queue, each request's answer due after its own compute time and that of every request
/// before it, including those whose client has gone.
struct FakeComputeQueueTests {
    /// The engine's clock, moved by hand (nanoseconds).
    private let time = Clock()
    private let engine: FakeOpenAIEngine

    final class Clock: Sendable {
        let nanos = Mutex<UInt64>(1_000_000_000)
        func advance(milliseconds: UInt64) { nanos.withLock { $0 += milliseconds * 1_000_000 } }
    }

    init() {
        let quirks = FakeServerQuirks(omitsRateLimitHeaders: true, computePerInput: .milliseconds(10))
        let clock = time
        engine = FakeOpenAIEngine(options: FakeOpenAIOptions(quirks: quirks), now: { clock.nanos.withLock { $0 } })
    }

    /// The delay before the answer to an embeddings request of `inputs` inputs (nil when it is not answered).
    private func delay(inputs: Int, path: String = "/v1/embeddings") -> (status: Int, delay: Duration)? {
        let list = (0..<inputs).map { "\"input \($0)\"" }.joined(separator: ",")
        let body = ByteBuffer(string: #"{"model": "text-embedding-3-small", "input": [\#(list)], "encoding_format": "float"}"#)
        let request = FakeRequest(method: "POST", path: path, headers: [:], body: body)
        guard case .respond(let response, let delay) = engine.handle(request) else { return nil }
        return (response.status, delay)
    }

    @Test func eachRequestWaitsForTheOnesBeforeItAndTakesItsInputsTimesTheCost() {
        // Three requests at once: 2, 1 and 3 inputs at 10 ms each.
        #expect(delay(inputs: 2)?.delay == .milliseconds(20))
        #expect(delay(inputs: 1)?.delay == .milliseconds(30))
        #expect(delay(inputs: 3)?.delay == .milliseconds(60))
        // 45 ms later the queue holds 15 ms more: a client that gave up meanwhile changes nothing.
        time.advance(milliseconds: 45)
        #expect(delay(inputs: 1)?.delay == .milliseconds(25))
        // Once the queue is empty, a request takes its own time only.
        time.advance(milliseconds: 1_000)
        #expect(delay(inputs: 4)?.delay == .milliseconds(40))
    }

    @Test func refusalsAndOtherRoutesAreNotComputed() {
        let body = ByteBuffer(string: #"{"model": "text-embedding-3-small", "input": [""]}"#)
        guard case .respond(let refused, let refusedDelay) = engine.handle(FakeRequest(method: "POST", path: "/v1/embeddings",
                                                                                     headers: [:], body: body)) else {
            Issue.record("no answer")
            return
        }
        #expect(refused.status == 400)
        #expect(refusedDelay == .zero)
        #expect(delay(inputs: 1, path: "/v1/nothing-here")?.delay == .zero)
        #expect(delay(inputs: 1)?.delay == .milliseconds(10))
    }

    @Test func theAnswersCarryNoRateLimitHeaders() {
        let body = ByteBuffer(string: #"{"model": "text-embedding-3-small", "input": ["hello"], "encoding_format": "float"}"#)
        guard case .respond(let response, _) = engine.handle(FakeRequest(method: "POST", path: "/v1/embeddings", headers: [:],
                                                                         body: body)) else {
            Issue.record("no answer")
            return
        }
        #expect(response.status == 200)
        #expect(!response.headers.contains { $0.0.hasPrefix("x-ratelimit-") })
    }
}
