import Foundation
import TestSupport
import Tokenizer

/// The tokenizer test data for chunker tests: the rank files llmq ships and the dev
/// corpus committed beside the tokenizer tests.
enum ChunkerTestData {
    static let corpusPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TokenizerTests/Data/dev-corpus.jsonl").path

    /// cl100k_base, loaded once through the tokenizer's own locator.
    static func cl100k() async throws -> Encoding {
        try await EncodingStore.shared.encoding(.cl100kBase, locator: RankFileLocator())
    }

    /// The dev corpus documents (JSON string literals, one a line).
    static func corpus() throws -> [String] {
        let text = try String(contentsOfFile: corpusPath, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
    }
}

/// Generated Markdown and source code with every structure the chunker knows.
enum GeneratedDocuments {
    static let words = ["the", "queue", "embeds", "long", "documents", "naïve", "café", "token", "chunk", "boundary",
                        "über", "日本語", "fence", "heading", "résumé", "vector", "SQLite", "offset", "🎉", "tiktoken"]

    static func sentence(_ random: inout SplitMix64) -> String {
        let count = Int.random(in: 3...14, using: &random)
        var text = (0..<count).map { _ in words.randomElement(using: &random)! }.joined(separator: " ")
        text = text.prefix(1).uppercased() + text.dropFirst()
        return text + [".", "!", "?", ".\"", ".)"].randomElement(using: &random)!
    }

    static func paragraph(_ random: inout SplitMix64) -> String {
        (0..<Int.random(in: 1...8, using: &random)).map { _ in sentence(&random) }.joined(separator: " ")
    }

    static func fence(_ random: inout SplitMix64) -> String {
        var lines = ["```swift"]
        for index in 0..<Int.random(in: 2...14, using: &random) {
            lines.append(index % 4 == 0 ? "# not a heading \(index)" : "    let value\(index) = compute(\(index)) // \(words.randomElement(using: &random)!)")
            if index % 5 == 3 { lines.append("") }
        }
        lines.append("```")
        return lines.joined(separator: "\n")
    }

    /// A Markdown document: headings of every level, paragraphs, fences, lists.
    static func markdown(seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        var blocks: [String] = []
        for _ in 0..<Int.random(in: 5...40, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1: blocks.append(String(repeating: "#", count: Int.random(in: 1...6, using: &random)) + " " + sentence(&random))
            case 2: blocks.append(fence(&random))
            case 3: blocks.append((0..<Int.random(in: 2...6, using: &random)).map { _ in "- " + sentence(&random) }.joined(separator: "\n"))
            default: blocks.append(paragraph(&random))
            }
        }
        return blocks.joined(separator: Bool.random(using: &random) ? "\n\n" : "\n\n\n") + "\n"
    }

    /// Source code: functions separated by blank lines, long lines, comments.
    static func code(seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        var text = "import Foundation\n\n"
        for function in 0..<Int.random(in: 3...30, using: &random) {
            text += "/// \(sentence(&random))\nfunc f\(function)(x: Int) -> Int {\n"
            for line in 0..<Int.random(in: 1...12, using: &random) {
                text += "    let v\(line) = x * \(line) + \(Int.random(in: 0...9999, using: &random)) // \(words.randomElement(using: &random)!)\n"
            }
            text += "    return x\n}\n\n"
        }
        return text
    }
}
