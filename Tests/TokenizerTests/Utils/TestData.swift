import Foundation
import Tokenizer

/// Where the shared tokenizer data lives: `$LLMQ_TOKENIZER_TEST_DIR`, else
/// `../shared/tokenizers` relative to the package root.
enum TestData {
    static let directory: String = {
        if let override = ProcessInfo.processInfo.environment["LLMQ_TOKENIZER_TEST_DIR"], !override.isEmpty {
            return override
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/tokenizers").path
    }()

    /// The bytes of a file in the data directory.
    static func bytes(_ name: String) throws -> [UInt8] {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TestDataError(message: "cannot read \(path) (set LLMQ_TOKENIZER_TEST_DIR)")
        }
        return [UInt8](data)
    }

    /// The lines of a text file in the data directory (without a trailing empty line).
    static func lines(_ name: String) throws -> [Substring] {
        let text = String(decoding: try bytes(name), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Encodings loaded once per test process.
    private static let encodings: [EncodingName: Result<Encoding, any Error>] = {
        var result = [EncodingName: Result<Encoding, any Error>]()
        for name in EncodingName.allCases {
            result[name] = Result {
                try Encoding(name: name, rankFile: try bytes(name.fileName), path: name.fileName)
            }
        }
        return result
    }()

    /// The encoding `name`, loaded from the shared rank file.
    static func encoding(_ name: EncodingName) throws -> Encoding {
        guard let result = encodings[name] else { throw TestDataError(message: "no \(name)") }
        return try result.get()
    }

    /// The dev corpus documents, decoded from their JSON string literals.
    static func corpus() throws -> [String] {
        let decoder = JSONDecoder()
        return try lines("dev-corpus.jsonl").map { line in
            try decoder.decode(String.self, from: Data(line.utf8))
        }
    }
}

struct TestDataError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
