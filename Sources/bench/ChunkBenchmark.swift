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

    @Option(help: "Write every chunk's span (document index, UTF-8 byte start and end, tokens) here, one tab-separated line each, for an independent count.")
    var spans: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: corpus) else { throw ValidationError("cannot read \(corpus)") }
        let documents = try corpusDocuments(data)
        let bytes = documents.reduce(0) { $0 + $1.utf8.count }
        let file = try RankFileLocator().locate(.cl100kBase)
        let encoding = try Encoding(name: .cl100kBase, rankFile: file.bytes, path: file.source)
        let chunker = Chunker(encoding: encoding)
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
        print(String(format: "llmq Chunker: %d chunks (largest %d tokens) in %.2f s wall, %.2f s CPU: %.2f MB/s, %.0f chunks/s (CPU: %.2f MB/s)",
                     chunks, largest, seconds, bestCPU, Double(bytes) / seconds / 1e6, Double(chunks) / seconds, Double(bytes) / bestCPU / 1e6))
        try verify(documents, chunker: chunker, encoding: encoding, limits: limits)
    }

    /// After the timed runs: each chunk's text counted again on its own, the spans checked
    /// to tile each document, and (with `--spans`) every span written for a count by
    /// another tokenizer.
    private func verify(_ documents: [String], chunker: Chunker, encoding: Encoding, limits: ChunkLimits) throws {
        var over = 0, miscounted = 0, gaps = 0, largest = 0
        var lines: [UInt8] = []
        for (index, document) in documents.enumerated() {
            var expectedStart = 0
            for chunk in chunker.chunks(of: document, limits: limits) {
                let tokens = encoding.count(chunk.text(in: document))
                largest = max(largest, tokens)
                if tokens > limits.maxTokens { over += 1 }
                if tokens != chunk.tokens { miscounted += 1 }
                if chunk.byteStart != expectedStart { gaps += 1 }
                expectedStart = chunk.byteEnd
                if spans != nil { lines += Array("\(index)\t\(chunk.byteStart)\t\(chunk.byteEnd)\t\(chunk.tokens)\n".utf8) }
            }
            if expectedStart != document.utf8.count { gaps += 1 }
        }
        print("llmq Chunker check: every chunk counted again on its own: largest \(largest) tokens, \(over) over \(limits.maxTokens), "
              + "\(miscounted) counts differing from the chunker's; \(gaps) gaps or overlaps between chunks")
        if let spans { try Data(lines).write(to: URL(fileURLWithPath: spans)) }
    }
}
