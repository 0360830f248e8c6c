import Foundation
import Tokenizer

/// The tokenizer test data committed in `Tests/TokenizerTests/Data` (made by
/// `scripts/make-tokenizer-corpus.py`), and the rank files built into llmq.
enum TestData {
    /// `Tests/TokenizerTests/Data` of this checkout.
    static let directory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data").path

    /// The bytes of a file in the data directory.
    static func bytes(_ name: String) throws -> [UInt8] {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TestDataError(message: "cannot read \(path) (run scripts/make-tokenizer-corpus.py)")
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

    /// The built-in rank file of `name`.
    static func rankFile(_ name: EncodingName) -> [UInt8] {
        BuiltInRankFiles.bytes(name)
    }

    /// Encodings loaded once per test process, from the built-in rank files.
    private static let encodings: [EncodingName: Result<Encoding, any Error>] = {
        var result = [EncodingName: Result<Encoding, any Error>]()
        for name in EncodingName.allCases {
            result[name] = Result {
                try Encoding(name: name, rankFile: rankFile(name), path: BuiltInRankFiles.source(name))
            }
        }
        return result
    }()

    /// The encoding `name`, loaded from the built-in rank file.
    static func encoding(_ name: EncodingName) throws -> Encoding {
        guard let result = encodings[name] else { throw TestDataError(message: "no \(name)") }
        return try result.get()
    }

    /// A corpus's documents (`dev-corpus` or `generated-corpus`), decoded from their JSON
    /// string literals.
    static func corpus(_ name: String = "dev-corpus") throws -> [String] {
        let decoder = JSONDecoder()
        return try lines("\(name).jsonl").map { line in
            try decoder.decode(String.self, from: Data(line.utf8))
        }
    }

    /// tiktoken's count per line of corpus `name` with `encoding`.
    static func expectedCounts(_ name: String, _ encoding: EncodingName) throws -> [Int] {
        try lines("\(name).\(encoding.rawValue).counts").map { line in
            guard let count = Int(line) else { throw TestDataError(message: "not a count: \(line.prefix(40))") }
            return count
        }
    }

    /// tiktoken's token ids per line of corpus `name` with `encoding`.
    static func expectedTokens(_ name: String, _ encoding: EncodingName) throws -> [[Int]] {
        try lines("\(name).\(encoding.rawValue).tokens").map { line in
            line.split(separator: " ").compactMap { Int($0) }
        }
    }
}

/// Where two sequences first differ, in a message short enough to read: nil when equal.
func firstDifference<T: Equatable>(_ actual: [T], _ expected: [T]) -> String? {
    if actual == expected { return nil }
    let common = zip(actual, expected).prefix { $0 == $1 }.count
    let got = common < actual.count ? "\(actual[common])" : "end"
    let wanted = common < expected.count ? "\(expected[common])" : "end"
    return "\(actual.count) elements, expected \(expected.count); first difference at index \(common): \(got), expected \(wanted)"
}

struct TestDataError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
