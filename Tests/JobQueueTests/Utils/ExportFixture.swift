import Foundation
@testable import JobQueue
import TestSupport

/// A store holding one job of each kind of outcome, in this id order:
/// 1 `e1` embed succeeded (3 awkward floats, metadata), 2 `g1` generate succeeded,
/// 3 `g2` generate refused, 4 `f1` embed failed, 5 `p1` embed pending.
func exportFixture(in dir: TemporaryDirectory) throws -> JobStore {
    let store = try JobStore(path: dir.path("q.sqlite"), now: { 1_700_000_000.5 })
    _ = try enqueueText("""
        {"id": "e1", "type": "embed", "input": "alpha", "dimensions": 3, "metadata": {"source": "a.txt", "n": 1}}
        {"id": "g1", "type": "generate", "prompt": "hi"}
        {"id": "g2", "type": "generate", "prompt": "forbidden"}
        {"id": "f1", "type": "embed", "input": "beta"}
        {"id": "p1", "type": "embed", "input": "gamma"}

        """, into: store)
    let embed = try store.claim(kind: .embed, limit: 1, owner: "test", leaseSeconds: 60)
    try store.complete(embeddings: embed.map {
        EmbeddingResult(jobID: $0.id, requestHash: $0.requestHash, model: "text-embedding-3-small",
                        vector: EmbeddingResult.littleEndianBytes(awkwardFloats), dimensions: 3, inputTokens: 1, reused: false)
    })
    let chats = try store.claim(kind: .generate, limit: 2, owner: "test", leaseSeconds: 60)
    for chat in chats {
        let refused = chat.customID == "g2"
        try store.complete(generation: GenerationResult(
            jobID: chat.id, requestHash: chat.requestHash, model: "gpt-4o-mini-2024-07-18",
            content: refused ? nil : "Hello.", refusal: refused ? "I can't help with that." : nil,
            finishReason: "stop", inputTokens: 9, outputTokens: 2))
    }
    for job in try store.claim(kind: .embed, limit: 1, owner: "test", leaseSeconds: 60) {
        try store.fail(jobID: job.id, error: "400 bad input")
    }
    return store
}

/// Floats whose text form is easy to get wrong.
let awkwardFloats: [Float] = [0.1, -1e-8, 3.4028235e38]

/// The lines `export` emits, without their trailing newlines; nil when the output does not
/// end with one.
func exportLines(_ store: JobStore, format: ExportFormat = .jsonl, kind: JobKind? = nil, status: JobStatus? = nil) throws -> [String]? {
    var bytes: [UInt8] = []
    try store.export(format: format, kind: kind, status: status) { bytes += $0 }
    guard bytes.isEmpty || bytes.last == UInt8(ascii: "\n") else { return nil }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
}

/// The numbers of the first `"embedding":[…]` array in `line`, each parsed as a Float
/// straight from its text (no detour through Double).
func embeddingFloats(in line: String) -> [Float]? {
    guard let start = line.range(of: #""embedding":["#), let end = line[start.upperBound...].firstIndex(of: "]") else { return nil }
    let body = line[start.upperBound..<end]
    if body.isEmpty { return [] }
    var floats: [Float] = []
    for text in body.split(separator: ",") {
        guard let value = Float(text) else { return nil }
        floats.append(value)
    }
    return floats
}
