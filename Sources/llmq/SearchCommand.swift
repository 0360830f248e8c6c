import ArgumentParser
import Foundation
import JobQueue
import LLM
import Search

/// `llmq search TEXT | --like ID[#CHUNK]`: the stored chunks most similar to a text or
/// to a stored vector, by cosine similarity, exact.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the stored chunks most similar to TEXT (or to a stored job's vector), by exact cosine similarity.",
        discussion: """
            Examples: llmq search "how do leases expire" -k 5
                      llmq search --like doc-42 --json

            TEXT is embedded with the model and dimensions of the stored vectors (one API
            call, needing OPENAI_API_KEY, or with --provider azure the variables `llmq run`
            names; a text embedded before, by a job or an earlier search, is not paid for
            again). --like uses a stored vector (the job's first
            chunk, or ID#CHUNK) and leaves that vector out of the hits. Ties are broken by
            id, then chunk. The vectors are scanned from DB-search, a file beside the
            database kept in step with it (rebuilt whenever it does not match).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tokenizer: TokenizerOptions
    @OptionGroup var providerOptions: ProviderOptions

    @Argument(help: ArgumentHelp("The text to search for.", valueName: "text"))
    var text: String?

    @Option(help: ArgumentHelp("Search with the stored vector of job ID (its first chunk, or chunk N with ID#N) instead of a text.", valueName: "id"))
    var like: String?

    @Option(name: .short, help: ArgumentHelp("How many hits to show.", valueName: "n"))
    var k = 10

    @Flag(help: "Print one JSON object per hit: rank, score, custom_id, chunk, start, end, text.")
    var json = false

    @Option(help: ArgumentHelp("Leave out hits scoring below this cosine similarity.", valueName: "score"))
    var minScore: Float?

    @Option(help: ArgumentHelp("Only search jobs whose id starts with this.", valueName: "prefix"))
    var prefix: String?

    @Option(help: ArgumentHelp("The embedding model of the vectors to search, when several are stored.", valueName: "model"))
    var model: String?

    @Option(help: ArgumentHelp("The dimensions of the vectors to search, when several sizes are stored.", valueName: "n"))
    var dimensions: Int?

    @Option(help: ArgumentHelp("Per-request timeout in seconds when TEXT is embedded.", valueName: "seconds"))
    var timeout: Double = 60

    func validate() throws {
        if (text == nil) == (like == nil) {
            throw ValidationError("give either a TEXT to search for or --like ID, not \(text == nil ? "neither" : "both")")
        }
        if let text, text.isEmpty { throw ValidationError("the search text is empty") }
        if k < 1 { throw ValidationError("-k must be at least 1 (got \(k))") }
        if let minScore, minScore.isNaN { throw ValidationError("--min-score must be a number") }
        if let dimensions, dimensions < 1 { throw ValidationError("--dimensions must be at least 1 (got \(dimensions))") }
        if timeout <= 0 { throw ValidationError("--timeout must be more than 0 seconds (got \(timeout))") }
    }

    func run() async throws {
        let store = try database.openExistingStore()
        let rows = StoredVectors(store)
        let search = VectorSearch(store: ScanFileStore(rows: rows, note: { printError("llmq: note: \($0)") }))
        do {
            let kinds = try search.kinds()
            guard !kinds.isEmpty else {
                throw CLIError(.usage, "no vectors stored yet in \(database.path): run embed jobs first (llmq run)")
            }
            let query: SearchQuery
            if let like {
                query = try SearchQuery.stored(like, rows: rows, kinds: kinds, model: model, dimensions: dimensions)
            } else {
                let kind = try SearchQuery.chooseKind(kinds, model: model, dimensions: dimensions)
                query = try await SearchQuery.embedded(text ?? "", kind: kind, rows: rows, tokenizer: tokenizer, timeout: timeout,
                                                     provider: try providerOptions.name())
            }
            let options = SearchOptions(k: k, minScore: minScore ?? -.infinity, idPrefix: prefix, excluding: query.excluding)
            let hits = try await search.search(query.vector, kind: query.kind, options: options)
            try SearchOutput.print(hits, json: json)
        } catch let error as SearchError {
            throw CLIError(.usage, error.description)
        }
    }
}
