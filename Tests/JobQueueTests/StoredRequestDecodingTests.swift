import Chunker
import JSON
import Testing

@testable import JobQueue

/// The claim's direct reading of stored requests gives what parsing them gives, for what
/// llmq writes and for everything odd a hand-edited database could hold.
struct StoredRequestDecodingTests {
    private func parsedWay(_ text: String) -> (request: JobRequest?, chunking: ChunkLimits?) {
        let stored = try? JSONParser.parse(text)
        return (stored.flatMap(JobRequest.init(stored:)), stored.flatMap(JobRequest.chunking(ofStored:)))
    }

    private func directWay(_ text: String) -> (request: JobRequest?, chunking: ChunkLimits?) {
        Array(text.utf8).withUnsafeBytes { JobRequest.decodeStored(utf8: $0) }
    }

    @Test func agreesWithParsingOnWrittenAndOddRequests() throws {
        let written = [
            JobRequest.embed(input: "hello \"world\" \\ é 🙂\n", model: "text-embedding-3-small", dimensions: nil),
            JobRequest.embed(input: "", model: "m", dimensions: 256),
            JobRequest.generate(messages: [JobMessage(role: "user", content: "hi")], model: "gpt-4o-mini", maxTokens: 10, temperature: 0.5),
        ].map { JSONWriter.canonical($0.json) }
        let chunked = JSONWriter.canonical(JobRequest.embed(input: "long text", model: "m", dimensions: nil)
            .json(chunking: try ChunkLimits(maxTokens: 100, overlapTokens: 10)))
        let odd = [
            #"{"kind":"embed","model":"m","input":"a","chunk":{"max_tokens":50}}"#,
            #"{"kind":"embed","model":"m","input":"a","chunk":{"max_tokens":50,"overlap_tokens":2.5}}"#,
            #"{"kind":"embed","model":"m","input":"a","chunk":{"max_tokens":50,"overlap_tokens":60}}"#,
            #"{"kind":"embed","model":"m","input":"a","chunk":{"overlap_tokens":1}}"#,
            #"{"kind":"embed","model":"m","input":"a","chunk":"x"}"#,
            #"{"kind":"embed","model":"m","input":"a","chunk":{"max_tokens":50,"extra":1}}"#,
            #"{"kind":"embed","model":"m","input":"a","dimensions":1.5}"#,
            #"{"kind":"embed","model":"m","input":"a","dimensions":1e3}"#,
            #"{"kind":"embed","model":"m","input":"a","dimensions":"8"}"#,
            #"{"kind":"embed","model":"m","input":"a","dimensions":99999999999999999999}"#,
            #"{"kind":"embed","model":"m","input":"a","input":"b"}"#,
            #"{"kind":"embed","model":"m","input":"a","extra":[1,{"x":null}]}"#,
            #"{"kind":"embed","model":"m","input":7}"#,
            #"{"kind":"embed","model":"m"}"#,
            #"{"kind":"embed","input":"a"}"#,
            #"{"model":"m","input":"a"}"#,
            #"{"kind":"other","model":"m","input":"a","chunk":{"max_tokens":5}}"#,
            #"{"kind":"embed","model":"m","input":"a"} trailing"#,
            #"{"kind":"embed","model":"m","input":"a""#,
            #"["embed"]"#,
            "",
            "not json",
        ]
        for text in written + [chunked] + odd {
            let direct = directWay(text), parsed = parsedWay(text)
            #expect(direct.request == parsed.request, "\(text)")
            #expect(direct.chunking == parsed.chunking, "\(text)")
        }
        #expect(directWay(chunked).chunking == (try ChunkLimits(maxTokens: 100, overlapTokens: 10)))
        #expect(directWay(written[0]).request == .embed(input: "hello \"world\" \\ é 🙂\n", model: "text-embedding-3-small", dimensions: nil))
    }

    @Test func requestsAreBuiltInKeyOrderSoTheirCanonicalTextNeedsNoSort() throws {
        let requests = [
            JobRequest.embed(input: "a", model: "m", dimensions: nil).json,
            JobRequest.embed(input: "a", model: "m", dimensions: 8).json(chunking: try ChunkLimits(maxTokens: 9, overlapTokens: 1)),
            JobRequest.generate(messages: [JobMessage(role: "user", content: "hi")], model: "m", maxTokens: 5, temperature: 1).json,
        ]
        for value in requests {
            var unsorted = JSONWriter()
            unsorted.write(value, sortKeys: false)
            #expect(unsorted.string == JSONWriter.canonical(value))
        }
    }
}
