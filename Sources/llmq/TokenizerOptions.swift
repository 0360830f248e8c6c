import ArgumentParser
import Foundation
import Tokenizer

/// `--tokenizer-dir`, and the loading of exact token counters for the models a command
/// will count. The rank files are built into llmq; `--tokenizer-dir` (else
/// `LLMQ_TOKENIZER_DIR`) names a folder whose files are used instead when present. Nothing
/// is downloaded.
struct TokenizerOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Folder whose cl100k_base.tiktoken / o200k_base.tiktoken override the built-in copies (default: $LLMQ_TOKENIZER_DIR).",
        valueName: "dir"))
    var tokenizerDir: String?

    /// The rank-file locator these options and the environment describe.
    func locator(environment: [String: String] = ProcessInfo.processInfo.environment) -> RankFileLocator {
        RankFileLocator(tokenizerDirectory: tokenizerDir, environment: environment)
    }

    /// Loads a counter per model (exact for every model whose encoding llmq knows, else
    /// byte upper bounds) and prints, once, why counts are upper bounds when they are.
    /// - Throws: `CLIError(.usage)` for a rank file with the wrong SHA-256 or one that
    ///   does not parse: a corrupt file must not become a silent miscount.
    func counters(for models: Set<String>, quiet: Bool = false) async throws -> [String: TokenCounter] {
        let locator = locator()
        var counters: [String: TokenCounter] = [:]
        var firstNotice: String?
        var inexact: [String] = []
        for model in models.sorted() {
            do {
                let loaded = try await TokenCounter.load(model: model, locator: locator)
                counters[model] = loaded.counter
                if let notice = loaded.notice {
                    inexact.append(model)
                    firstNotice = firstNotice ?? notice
                }
            } catch {
                throw CLIError(.usage, error.description)
            }
        }
        if !quiet, let firstNotice {
            // Said once, for every model it concerns.
            let detail = inexact.count > 1 ? " (also for \(inexact.dropFirst().joined(separator: ", ")))" : ""
            printError("llmq: note: \(firstNotice)\(detail)")
        }
        return counters
    }
}

extension TokenizerOptions {
    /// The exact counter of one encoding (for `llmq tokens --encoding`).
    /// - Throws: `CLIError(.usage)` for an unknown encoding name, or a rank file with the
    ///   wrong SHA-256 or one that does not parse.
    func counter(encodingNamed name: String) async throws -> TokenCounter {
        guard let encoding = EncodingName(rawValue: name) else {
            let known = EncodingName.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIError(.usage, "--encoding must be one of \(known), got \"\(name)\"")
        }
        do {
            return TokenCounter(encoding: try await EncodingStore.shared.encoding(encoding, locator: locator()))
        } catch {
            throw CLIError(.usage, error.description)
        }
    }
}
