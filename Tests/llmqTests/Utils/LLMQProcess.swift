import Foundation

/// The result of running the real `llmq` binary.
struct ProcessResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `llmq` executable (found beside the test bundle, or at `$LLMQ_BINARY`)
/// as a child process, with `stdin` piped in and the environment given.
/// With `inheritEnvironment` false the child gets `environment` alone, nothing of this process's.
func runLLMQ(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
             inheritEnvironment: Bool = true, executable: URL? = nil, currentDirectory: URL? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable ?? llmqBinary()
    process.arguments = arguments
    process.environment = inheritEnvironment ? testEnvironment(environment) : environment
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes before waiting, so a chatty child cannot block on a full pipe.
    let errData = ReadAll(err.fileHandleForReading)
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData.wait(), as: UTF8.self))
}

/// Runs `llmq` like `runLLMQ`, but waits on a thread of its own: a test whose fake server
/// is served by this process's Swift concurrency threads must not block one of them
/// while the child talks to that server.
func runLLMQInBackground(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                         executable: URL? = nil) async throws -> ProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                try runLLMQ(arguments, stdin: stdin, environment: environment, executable: executable)
            })
        }
    }
}

/// Reads a file handle to its end on a background thread.
// @unchecked Sendable is safe: `data` is written once by the reader thread before `done`
// is signalled and read only after `wait()` has received that signal.
final class ReadAll: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// The environment a test's `llmq` runs with: no database, API key or rank-file override
/// from the caller's shell (counts come from the rank files built into the binary); then
/// `overrides`.
func testEnvironment(_ overrides: [String: String]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "LLMQ_DB")
    env.removeValue(forKey: "OPENAI_API_KEY")
    env.removeValue(forKey: "LLMQ_TOKENIZER_DIR")
    for (key, value) in overrides { env[key] = value }
    return env
}

/// The `llmq` binary of this build.
func llmqBinary() -> URL {
    if let path = ProcessInfo.processInfo.environment["LLMQ_BINARY"] { return URL(fileURLWithPath: path) }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" {
        dir = dir.deletingLastPathComponent()
    }
    for candidate in [dir, dir.deletingLastPathComponent(), dir.deletingLastPathComponent().deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("llmq")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return dir.appendingPathComponent("llmq")
}

/// The repository's root folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The repository's `jobs/` folder.
let jobsFolder = repositoryRoot.appendingPathComponent("jobs")

/// `log` (stderr of `llmq run` under a test: not a terminal) with the ISO-8601 UTC timestamp
/// that starts each line removed; nil when a line lacks it.
func unstamped(_ log: String) -> String? {
    var lines: [Substring] = []
    for line in log.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.isEmpty {
            lines.append(line)
        } else if let match = line.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (.*)/) {
            lines.append(match.output.1)
        } else {
            return nil
        }
    }
    return lines.joined(separator: "\n")
}
