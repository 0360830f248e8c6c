import Foundation
import JobQueue
import LLM
import Search
import Tokenizer

/// The vector a search looks for: a stored one (`--like`) or a text's, and its kind.
struct SearchQuery {
    var vector: [Float]
    var kind: VectorKind
    /// The stored vector itself, left out of its own hits.
    var excluding: VectorKey?

    /// The one kind of stored vectors that `model` and `dimensions` (when given) select.
    /// - Throws: `CLIError(.usage)` listing the stored kinds when none or several match.
    static func chooseKind(_ kinds: [VectorKind: Int], model: String?, dimensions: Int?) throws -> VectorKind {
        let matching = kinds.keys.filter { (model == nil || $0.model == model) && (dimensions == nil || $0.dimensions == dimensions) }
        if matching.count == 1 { return matching[0] }
        let stored = kinds.sorted { ($0.key.model, $0.key.dimensions) < ($1.key.model, $1.key.dimensions) }
            .map { "\($0.key.model) at \($0.key.dimensions) dims (\($0.value) vectors)" }.joined(separator: ", ")
        if matching.isEmpty {
            let asked = [model.map { "model \($0)" }, dimensions.map { "\($0) dims" }].compactMap { $0 }.joined(separator: ", ")
            throw CLIError(.usage, "no stored vectors of \(asked); stored: \(stored)")
        }
        throw CLIError(.usage, "several kinds of vectors are stored: \(stored); choose one with --model and --dimensions")
    }

    /// The stored vector of `reference` (`ID` for its first chunk, `ID#N` for chunk N).
    /// - Throws: `CLIError(.usage)` for an unknown id, a job without a vector, a chunk it
    ///   does not have, or a vector of another kind than `model`/`dimensions` ask for.
    static func stored(_ reference: String, rows: StoredVectors, kinds: [VectorKind: Int], model: String?, dimensions: Int?) throws -> SearchQuery {
        var customID = reference
        var chunk: Int32 = 0
        var job = try rows.job(customID: reference)
        if job == nil, let hash = reference.lastIndex(of: "#"), let number = Int32(reference[reference.index(after: hash)...]), number >= 0 {
            customID = String(reference[..<hash])
            chunk = number
            job = try rows.job(customID: customID)
        }
        guard let job else { throw CLIError(.usage, "--like: no job with id \"\(customID)\" in \(rows.db.path)") }
        let key = VectorKey(jobID: job.id, chunk: chunk)
        guard let found = try rows.vector(of: key) else {
            let chunks = try rows.vectorCount(ofJob: job.id)
            if chunks == 0 {
                throw CLIError(.usage, "--like: job \"\(customID)\" has no stored vector (its status is \(job.status); only embed jobs that succeeded have one)")
            }
            throw CLIError(.usage, "--like: job \"\(customID)\" has no chunk \(chunk) (it has \(chunks), numbered from 0)")
        }
        if (model != nil && model != found.kind.model) || (dimensions != nil && dimensions != found.kind.dimensions) {
            throw CLIError(.usage, "--like: the vector of \"\(reference)\" is \(found.kind), not what --model/--dimensions ask for")
        }
        return SearchQuery(vector: found.vector, kind: found.kind, excluding: key)
    }

    /// The vector of `text` as `kind`: stored before (by a job or an earlier search), or
    /// embedded now with one request and kept for next time.
    /// - Throws: `CLIError(.usage)` for a text over the model's input limit or a missing
    ///   API key; `CLIError(.credentials)` when the API refuses the key or account.
    static func embedded(_ text: String, kind: VectorKind, rows: StoredVectors, tokenizer: TokenizerOptions, timeout: Double,
                         provider: String) async throws -> SearchQuery {
        let sent = try rows.sentDimensions(for: kind)
        if let vector = try rows.storedQueryVector(text: text, kind: kind, sentDimensions: sent) {
            return SearchQuery(vector: vector, kind: kind, excluding: nil)
        }
        let counter = try await tokenizer.counters(for: [kind.model], quiet: true)[kind.model] ?? .upperBound
        let count = counter.count(text)
        let limit = ModelCatalog.maxEmbeddingInputTokens
        if count.isExact, count.tokens > limit {
            throw CLIError(.usage, "the search text is \(count.tokens) tokens, over the \(limit)-token input limit of \(kind.model): shorten it")
        }
        let config = try ProviderOptions.config(
            provider: provider, environment: ProcessInfo.processInfo.environment,
            openAIKeyHint: "a TEXT search embeds the text (or search with --like ID, which needs no API call)", timeout: timeout, maxConnections: 1)
        let provider: OpenAIProvider
        do {
            provider = try OpenAIProvider(config: config)
        } catch {
            throw CLIError(.usage, error.message)
        }
        let response: EmbeddingResponse
        do {
            response = try await provider.embed([text], model: kind.model, dimensions: sent)
            try? await provider.shutdown()
        } catch let error as LLMError {
            try? await provider.shutdown()
            throw CLIError(error.isFatalForRun ? .credentials : .usage, "embedding the search text failed: \(error)")
        }
        guard let vector = response.vectors.first, vector.count == kind.dimensions else {
            throw CLIError(.usage, "the API answered the search text with \(response.vectors.first?.count ?? 0) values, not the \(kind.dimensions) of the stored \(kind)")
        }
        try rows.storeQueryVector(vector, text: text, kind: kind, sentDimensions: sent, now: JobStore.systemNow())
        return SearchQuery(vector: vector, kind: kind, excluding: nil)
    }
}
