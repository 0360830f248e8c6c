import ArgumentParser
import Chunker
import Foundation
import Tokenizer

/// `bench chunk`: single-threaded chunking throughput over a corpus of documents.
struct ChunkBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunk",
        abstract: "Chunk a corpus (one JSON string per line) with cl100k_base, single-threaded; print MB/s and chunks/s.")

    @Option(help: "Corpus file, one JSON string literal per line.")
    var corpus: String

    @Option(help: "Tokens per chunk at most.")
    var maxTokens = 512

    @Option(help: "Timed repetitions (the best is reported).")
    var repetitions = 3

    func run() throws {
        guard let data = FileManager.default.contents(atPath: corpus) else { throw ValidationError("cannot read \(corpus)") }
        let decoder = JSONDecoder()
        let documents = try String(decoding: data, as: UTF8.self)
            .split(separator: "\n").map { try decoder.decode(String.self, from: Data($0.utf8)) }
        let bytes = documents.reduce(0) { $0 + $1.utf8.count }
        let file = try RankFileLocator().locate(.cl100kBase)
        let chunker = Chunker(encoding: try Encoding(name: .cl100kBase, rankFile: file.bytes, path: file.source))
        let limits = try ChunkLimits(maxTokens: maxTokens)
        print("corpus: \(documents.count) documents, \(bytes) UTF-8 bytes; \(maxTokens) tokens per chunk; best of \(repetitions) runs")
        var best = Duration.seconds(1_000_000)
        var bestCPU = Double.infinity
        var chunks = 0
        var largest = 0
        for _ in 0..<max(1, repetitions) {
            let cpuStart = clock()
            let start = ContinuousClock.now
            chunks = 0
            largest = 0
            for document in documents {
                for chunk in chunker.chunks(of: document, limits: limits) {
                    chunks += 1
                    largest = max(largest, chunk.tokens)
                }
            }
            best = min(best, ContinuousClock.now - start)
            bestCPU = min(bestCPU, Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC))
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
        print(String(format: "llmq Chunker: %d chunks (largest %d tokens, each proven by encoding it) in %.2f s wall, %.2f s CPU: %.2f MB/s, %.0f chunks/s (CPU: %.2f MB/s)",
                     chunks, largest, seconds, bestCPU, Double(bytes) / seconds / 1e6, Double(chunks) / seconds, Double(bytes) / bestCPU / 1e6))
    }
}
