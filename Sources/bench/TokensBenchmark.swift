import ArgumentParser
import Foundation
import Tokenizer

/// `bench tokens`: single-threaded token counting throughput on the dev corpus.
struct TokensBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Count the dev corpus with each encoding, single-threaded; print tokens/s and MB/s.")

    @Option(help: "Corpus file, one JSON string literal per line.")
    var corpus = "Tests/TokenizerTests/Data/dev-corpus.jsonl"

    @Option(help: "Timed repetitions per encoding (the best is reported).")
    var repetitions = 5

    func run() throws {
        let corpusPath = corpus
        guard let data = FileManager.default.contents(atPath: corpusPath) else {
            throw ValidationError("cannot read \(corpusPath)")
        }
        let documents = try corpusDocuments(data)
        let bytes = documents.reduce(0) { $0 + $1.utf8.count }
        print("corpus: \(documents.count) documents, \(bytes) UTF-8 bytes; best of \(repetitions) runs")
        for name in EncodingName.allCases {
            let loadStart = ContinuousClock.now
            let file = try RankFileLocator().locate(name)
            let encoding = try Encoding(name: name, rankFile: file.bytes, path: file.source)
            let load = ContinuousClock.now - loadStart
            var best = Duration.seconds(1_000_000)
            var tokens = 0
            for _ in 0..<max(1, repetitions) {
                let start = ContinuousClock.now
                tokens = 0
                for document in documents { tokens += encoding.count(document) }
                best = min(best, ContinuousClock.now - start)
            }
            let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
            let line = String(
                format: "%@: %d tokens in %.3f s: %.2f M tokens/s, %.2f MB/s (built-in rank file copy + SHA-256 + parse: %.0f ms)",
                name.rawValue, tokens, seconds, Double(tokens) / seconds / 1e6, Double(bytes) / seconds / 1e6,
                Double(load.components.attoseconds) * 1e-15 + Double(load.components.seconds) * 1e3)
            print(line)
        }
    }
}
