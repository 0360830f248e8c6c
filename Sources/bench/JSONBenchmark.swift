import ArgumentParser
import Foundation
import JobQueue
import LLM

#if canImport(Glibc)
import Glibc
#endif

/// `bench json`: the project's JSON readers alone, single-threaded, best of several runs in
/// thread CPU time: job lines (`JobLineParser`: the ingest's parser, then with the canonical
/// request JSON and its SHA-256), embeddings answers in base64 and as float arrays (the
/// response parser, through `BatchOutputLine` so the line around the body is scanned too; float
/// arrays both in float32's shortest form, as Rust and Go servers write them, and in the 17
/// digits of the double a float32 widens to, as Python servers' `json.dumps(v.tolist())` does), and
/// error bodies (through `BatchOutputLine` and the HTTP error mapper).
struct JSONBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Time the job line parser, the embeddings response parser and the error body reader (thread CPU, best of N).")

    @Option(help: "A job file (scripts/make-corpus.py) whose lines are parsed.")
    var corpus: String

    @Option(help: "Timed repetitions of each part (the best is reported).")
    var repetitions = 5

    @Option(help: "Embeddings answers parsed per repetition (512 vectors of 1536 dimensions each).")
    var responses = 40

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: corpus))
        let lines = data.split(separator: 0x0A).map { [UInt8]($0) }
        let parser = JobLineParser()
        try report("job lines, parse", count: lines.count, unit: "line") {
            for line in lines { _ = line.withUnsafeBytes { try? parser.parseJob($0) } }
        }
        try report("job lines, parse + canonical JSON + SHA-256", count: lines.count, unit: "line") {
            for line in lines { _ = line.withUnsafeBytes { try? parser.parse($0) } }
        }
        let vectors = 512, dimensions = 1536
        for format in ["base64", "float", "float17"] {
            let line = Self.outputLine(vectors: vectors, dimensions: dimensions, format: format)
            let count = format == "base64" ? responses : max(1, responses / 10)
            try report("embeddings answers (\(format), \(line.count / 1_000_000) MB each)", count: count * vectors, unit: "vector") {
                for _ in 0..<count {
                    let outcome = line.withUnsafeBytes { bytes in
                        try? BatchOutputLine.read(bytes, endpoint: BatchInputLine.embeddingsEndpoint) { _ in (vectors, dimensions) }
                    }
                    guard case .embeddings(let response)? = outcome?.outcome, response.packedVectors.count == vectors else {
                        throw ValidationError("the \(format) answer did not parse")
                    }
                }
            }
        }
        let errorLines = (0..<20_000).map { Self.errorLine($0) }
        try report("error bodies", count: errorLines.count, unit: "body") {
            for line in errorLines {
                let outcome = line.withUnsafeBytes { bytes in
                    try? BatchOutputLine.read(bytes, endpoint: BatchInputLine.embeddingsEndpoint) { _ in (1, nil) }
                }
                guard case .failed? = outcome?.outcome else { throw ValidationError("the error line did not parse") }
            }
        }
    }

    private func report(_ label: String, count: Int, unit: String, _ body: () throws -> Void) throws {
        var best = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let start = Self.threadCPU()
            try body()
            best = min(best, Self.threadCPU() - start)
        }
        print(String(format: "%@: %d %@s in %.3f CPU s: %.0f ns/%@, %.0f %@s/s", label, count, unit, best,
                     best / Double(count) * 1e9, unit, Double(count) / best, unit))
    }

    private static func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// A batch output line whose body is an embeddings answer of `vectors` deterministic vectors.
    static func outputLine(vectors: Int, dimensions: Int, format: String) -> [UInt8] {
        var body = #"{"object":"list","data":["#
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in 0..<vectors {
            var floats = [Float](repeating: 0, count: dimensions)
            for i in floats.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                floats[i] = Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1e7 - 0.1
            }
            let embedding = format == "base64"
                ? "\"" + floats.withUnsafeBytes { Data($0).base64EncodedString() } + "\""
                : "[" + floats.map { format == "float" ? "\($0)" : "\(Double($0))" }.joined(separator: ",") + "]"
            body += (index > 0 ? "," : "") + #"{"object":"embedding","index":\#(index),"embedding":\#(embedding)}"#
        }
        body += #"],"model":"text-embedding-3-small","usage":{"prompt_tokens":30000,"total_tokens":30000}}"#
        return Array(#"{"id":"batch_req_1","custom_id":"c1","response":{"status_code":200,"request_id":"req_1","body":\#(body)},"error":null}"#.utf8)
    }

    /// A batch output line whose answer is a 400 with OpenAI's nested error body.
    static func errorLine(_ index: Int) -> [UInt8] {
        Array(#"{"id":"batch_req_\#(index)","custom_id":"c\#(index)","response":{"status_code":400,"request_id":"req_\#(index)","body":{"error":{"message":"This model's maximum context length is 8192 tokens, however you requested 9001 tokens (9001 in your prompt; 0 for the completion). Please reduce your prompt.","type":"invalid_request_error","param":null,"code":null}}},"error":null}"#.utf8)
    }
}
