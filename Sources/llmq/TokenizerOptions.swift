import ArgumentParser
import AsyncHTTPClient
import Foundation
import Tokenizer

/// `--tokenizer-dir`, and the loading of exact token counters for the models a command
/// will count. Where rank files come from, in order: `--tokenizer-dir`, then
/// `LLMQ_TOKENIZER_DIR`, then tiktoken's own cache, then a one-time download into that
/// cache (turned off with `LLMQ_TOKENIZER_DOWNLOAD=0`).
struct TokenizerOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Folder holding cl100k_base.tiktoken and o200k_base.tiktoken (default: $LLMQ_TOKENIZER_DIR, then tiktoken's cache, then a one-time download).",
        valueName: "dir"))
    var tokenizerDir: String?

    /// The rank-file locator these options and the environment describe.
    func locator(environment: [String: String] = ProcessInfo.processInfo.environment, allowDownload: Bool = true) -> RankFileLocator {
        let download = allowDownload && environment["LLMQ_TOKENIZER_DOWNLOAD"] != "0"
        return RankFileLocator(tokenizerDirectory: tokenizerDir, environment: environment,
                               fetcher: download ? HTTPRankFileFetcher() : nil)
    }

    /// Loads a counter per model (exact where a rank file can be had, else byte upper
    /// bounds) and prints, once, why counts are upper bounds when they are.
    /// - Throws: `CLIError(.usage)` for a rank file with the wrong SHA-256 or one that
    ///   does not parse: a corrupt file must not become a silent miscount.
    func counters(for models: Set<String>, allowDownload: Bool = true, quiet: Bool = false) async throws -> [String: TokenCounter] {
        let locator = locator(allowDownload: allowDownload)
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
    /// The counter of one encoding (for `llmq tokens --encoding`): exact when its rank file
    /// can be had, else byte upper bounds with one notice on stderr.
    /// - Throws: `CLIError(.usage)` for an unknown encoding name, or a rank file with the
    ///   wrong SHA-256 or one that does not parse.
    func counter(encodingNamed name: String, allowDownload: Bool = true) async throws -> TokenCounter {
        guard let encoding = EncodingName(rawValue: name) else {
            let known = EncodingName.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIError(.usage, "--encoding must be one of \(known), got \"\(name)\"")
        }
        do {
            return TokenCounter(encoding: try await EncodingStore.shared.encoding(encoding, locator: locator(allowDownload: allowDownload)))
        } catch where [.rankFileUnavailable, .downloadFailed].contains(error.code) {
            printError("llmq: note: token counts with \(name) are upper bounds (UTF-8 bytes), not exact: \(error)")
            return .upperBound
        } catch {
            throw CLIError(.usage, error.description)
        }
    }
}

/// Downloads a rank file over HTTPS with the shared AsyncHTTPClient (15 seconds and 16 MiB
/// at most, so a machine without internet is not held up for long). The locator checks
/// the SHA-256 of whatever arrives.
struct HTTPRankFileFetcher: RankFileFetcher {
    func fetch(_ url: String) async throws -> [UInt8] {
        let request = HTTPClientRequest(url: url)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
        guard response.status == .ok else {
            throw CLIError(.usage, "downloading \(url) answered HTTP \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: 16 << 20)
        return Array(body.readableBytesView)
    }
}
