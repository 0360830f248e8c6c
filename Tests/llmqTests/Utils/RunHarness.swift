import FakeOpenAI
import Foundation
import SQLite
import Synchronization
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A running `llmq` child process whose output goes to files (no pipe can fill up),
/// for tests that kill it or run two at once.
final class LLMQChild {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    init(_ arguments: [String], environment: [String: String], in dir: TemporaryDirectory, name: String) throws {
        stdoutURL = dir.url.appendingPathComponent("\(name).out")
        stderrURL = dir.url.appendingPathComponent("\(name).err")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = llmqBinary()
        process.arguments = arguments
        process.environment = testEnvironment(environment)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits (on a thread of its own, see `runLLMQInBackground`) for the process to end
    /// and returns what it did.
    func finished() async throws -> ProcessResult {
        let process = process
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        return ProcessResult(status: process.terminationStatus,
                             stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
                             stderr: try String(contentsOf: stderrURL, encoding: .utf8))
    }

    func kill(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    /// Returns once the child's stderr contains `text`, or when the child ends before that.
    func untilStderr(contains text: String) async throws {
        let stderrURL = stderrURL
        await until { (try? String(contentsOf: stderrURL, encoding: .utf8))?.contains(text) ?? false }
    }

    /// Returns once `condition` holds, or when the child ends before that. The condition is
    /// checked again after each change to the child's folder (its output files, its
    /// database), as inotify reports it, on a thread of its own: no polling, no timer. The
    /// child's exit closes its output files, which is a change too.
    func until(_ condition: @escaping @Sendable () -> Bool) async {
        let process = process
        let folder = stderrURL.deletingLastPathComponent().path
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let watch = inotify_init1(Int32(IN_CLOEXEC))
                defer { if watch >= 0 { close(watch) } }
                let mask = UInt32(IN_MODIFY) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_CREATE) | UInt32(IN_MOVED_TO) | UInt32(IN_DELETE)
                let watching = watch >= 0 && inotify_add_watch(watch, folder, mask) >= 0
                var events = [UInt8](repeating: 0, count: 4096)
                // Events that come between a check and the read stay queued, so none is missed.
                while !condition() && process.isRunning && watching {
                    if read(watch, &events, events.count) <= 0 { break }
                }
                continuation.resume()
            }
        }
    }

    /// Returns once `server` has received `count` requests, or at once when the child
    /// ends before that (its test then fails on what it finds instead of hanging).
    func untilServer(_ server: FakeOpenAIServer, hasReceived count: Int) async {
        let process = process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = ResumeOnce(continuation)
            Task { await server.requestsReceived(count); once.resume() }
            Thread.detachNewThread {
                process.waitUntilExit()
                once.resume()
            }
        }
    }
}

/// Resumes a continuation the first time `resume()` is called, whoever calls first.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Void, Never>?>

    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = Mutex(continuation) }

    func resume() {
        continuation.withLock { pending in
            pending?.resume()
            pending = nil
        }
    }
}

/// The environment that points `llmq run` at a fake server.
func fakeEnvironment(_ server: FakeOpenAIServer) -> [String: String] {
    ["OPENAI_API_KEY": "sk-test-not-a-real-key", "OPENAI_BASE_URL": server.baseURL]
}

/// Writes `count` embed jobs (`doc-0` …) with distinct inputs; `revised` ids get other text.
@discardableResult
func writeEmbedCorpus(_ path: String, count: Int, revised: Set<Int> = [], prefix: String = "doc") throws -> [String: String] {
    var inputs: [String: String] = [:]
    var text = ""
    for i in 0..<count {
        let input = "document \(i) of the corpus: lease, claim, batch, vector\(revised.contains(i) ? " (revised)" : "")"
        inputs["\(prefix)-\(i)"] = input
        text += #"{"id": "\#(prefix)-\#(i)", "type": "embed", "input": "\#(input)"}"# + "\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return inputs
}

/// Every embeddings input the fake server received, in arrival order, from `start` on.
func sentEmbeddingInputs(_ server: FakeOpenAIServer, from start: Int = 0) -> [String] {
    server.recordedRequests().dropFirst(start).filter { $0.path == "/v1/embeddings" }.flatMap { request -> [String] in
        switch request.body?["input"] {
        case .array(let items)?: return items.compactMap(\.stringValue)
        case .string(let text)?: return [text]
        default: return []
        }
    }
}

/// Counts of jobs by status in a database.
func statusCounts(_ db: String) throws -> [String: Int] {
    let connection = try Connection(path: db)
    var counts: [String: Int] = [:]
    for row in try connection.rows("SELECT status, count(*) FROM jobs GROUP BY status") {
        if case .text(let status) = row[0], case .integer(let n) = row[1] { counts[status] = Int(n) }
    }
    return counts
}

/// How many stored vectors of `db` there are and how many are bit for bit what the fake
/// server computes for their job's input (unchunked embed jobs).
func vectorsMatchingTheFake(_ db: String) throws -> (stored: Int, exact: Int) {
    let rows = try Connection(path: db).rows("""
        SELECT json_extract(jobs.request, '$.input'), embeddings.model, embeddings.dimensions, embeddings.vector
        FROM jobs JOIN embeddings ON embeddings.job_id = jobs.id
        """)
    var exact = 0
    for row in rows {
        guard case .text(let input) = row[0], case .text(let model) = row[1], case .integer(let dimensions) = row[2],
              case .blob(let bytes) = row[3] else { continue }
        if bytes == littleEndian(FakeOpenAIServer.embedding(for: input, model: model, dimensions: Int(dimensions))) { exact += 1 }
    }
    return (rows.count, exact)
}
