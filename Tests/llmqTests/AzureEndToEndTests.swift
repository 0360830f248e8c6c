import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// The key the Azure end-to-end runs send.
private let azureKey = "azure-test-key-0123456789"

/// The Entra ID token the Azure end-to-end runs send when they use no key.
private let entraToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.entra-test-token"

/// The SDK's variables pointing `llmq run --provider azure` at a fake serving Azure's classic API.
private func azureEnvironment(_ server: FakeOpenAIServer, key: String = azureKey) -> [String: String] {
    ["AZURE_OPENAI_ENDPOINT": server.azureEndpoint, "AZURE_OPENAI_API_KEY": key, "OPENAI_API_VERSION": "2024-10-21"]
}

/// Writes `count` embed jobs for the deployment `emb` (`az-0` …) and returns their inputs by id.
private func writeAzureCorpus(_ path: String, count: Int, chat: Int = 0) throws -> [String: String] {
    var inputs: [String: String] = [:]
    var text = ""
    for i in 0..<count {
        inputs["az-\(i)"] = "azure document \(i): deployment, api-version, api-key"
        text += #"{"id": "az-\#(i)", "type": "embed", "model": "emb", "input": "\#(inputs["az-\(i)"]!)"}"# + "\n"
    }
    for i in 0..<chat {
        text += #"{"id": "chat-\#(i)", "type": "generate", "model": "chat", "prompt": "say hi \#(i)", "max_tokens": 16}"# + "\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return inputs
}

/// The flag that selects Azure's classic API.
private let azureFlag = ["--provider", "azure"]

/// `llmq run --provider azure` as a real process against the fake in its Azure mode.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AzureEndToEndTests {
    @Test func aRunThroughProviderAzureStoresExactVectorsFromTheDeployment() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(knownModels: ["emb", "chat"], azure: FakeAzureOptions(apiKey: azureKey)))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("jobs.jsonl")
        let inputs = try writeAzureCorpus(corpus, count: 20, chat: 2)
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--provider", "azure", "--batch-size", "8", corpus],
                                                   environment: azureEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 22])
        let rows = try Connection(path: db).rows("""
            SELECT jobs.custom_id, embeddings.model, embeddings.dimensions, embeddings.vector
            FROM jobs JOIN embeddings ON embeddings.job_id = jobs.id
            """)
        #expect(rows.count == 20)
        for row in rows {
            guard case .text(let id) = row[0], case .text(let model) = row[1], case .integer(let dims) = row[2],
                  case .blob(let bytes) = row[3], let input = inputs[id] else {
                Issue.record("unexpected row \(row)")
                continue
            }
            #expect(model == "emb")
            #expect(dims == 1536)
            #expect(bytes == littleEndian(FakeOpenAIServer.embedding(for: input, model: "emb", dimensions: 1536)))
        }
        let requests = server.recordedRequests()
        #expect(Set(requests.map(\.path)) == ["/openai/deployments/emb/embeddings", "/openai/deployments/chat/chat/completions"])
        for request in requests {
            #expect(request.query == ["api-version": "2024-10-21"])
            #expect(request.headers["api-key"] == azureKey)
            #expect(request.headers["authorization"] == nil)
        }
        // A TEXT search embeds its text through the same deployment.
        let search = try await runLLMQInBackground(["search", "--db", db, "--provider", "azure", "-k", "3", "which deployment answers?"],
                                                   environment: azureEnvironment(server))
        #expect(search.status == 0, "stderr: \(search.stderr)")
        #expect(search.stdout.contains("az-"))
        let query = try #require(server.recordedRequests().last)
        #expect(query.path == "/openai/deployments/emb/embeddings")
        #expect(query.body?["input"] == .array([.string("which deployment answers?")]))
        #expect(query.headers["api-key"] == azureKey && query.query["api-version"] == "2024-10-21")
    }

    @Test func a429StormWithOnlyRemainingHeadersIsRiddenOutWithNoJobFailed() async throws {
        // Four requests a second (240 a minute counted over 1 s windows), and a storm of
        // Azure-worded 429s with retry-after-ms and only the remainders first.
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(
            requestsPerMinute: 240, azure: FakeAzureOptions(apiKey: azureKey, requestWindow: .seconds(1))))
        defer { Task { await server.shutdown() } }
        let body = #"{"error":{"code":"429","message":"Requests to the Embeddings_Create Operation under Azure OpenAI API version "#
            + #"2024-10-21 have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second."}}"#
        let storm = FakeFault.custom(status: 429, headers: [
            "retry-after-ms": "300", "retry-after": "1", "x-ratelimit-remaining-requests": "0", "x-ratelimit-remaining-tokens": "9000",
        ], body: body)
        server.enqueueFaults(Array(repeating: storm, count: 6))
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("jobs.jsonl")
        _ = try writeAzureCorpus(corpus, count: 40)
        var environment = azureEnvironment(server)
        environment["LLMQ_PROVIDER"] = "azure"
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--batch-size", "4", "--concurrency", "8", corpus],
                                                   environment: environment)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 40])
        let stats = server.stats()
        #expect(stats.rateLimited >= 6)
        #expect(stats.embeddingInputs == 40, "no input sent twice")
        // After the first 429 nothing arrived before its retry-after-ms had passed.
        let requests = server.recordedRequests()
        let first = try #require(requests.first)
        for request in requests.dropFirst() {
            #expect(request.receivedAtNanos >= first.receivedAtNanos + 290_000_000)
        }
        #expect(requests.allSatisfy { $0.headers["api-key"] == azureKey && $0.query["api-version"] == "2024-10-21" })
        #expect(result.stdout.contains("\(stats.rateLimited) 429s"), "stdout: \(result.stdout)")
    }

    @Test func aWrongKeyExits77NamingAzuresVariableWithNoJobFailed() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(azure: FakeAzureOptions(apiKey: azureKey)))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("jobs.jsonl")
        _ = try writeAzureCorpus(corpus, count: 4)
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--provider", "azure", corpus],
                                                   environment: azureEnvironment(server, key: "wrong-key-4711"))
        #expect(result.status == 77, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["pending": 4])
        #expect(result.stderr.contains("Access denied due to invalid subscription key"))
        #expect(result.stderr.contains("Check AZURE_OPENAI_API_KEY"))
        #expect(!result.stderr.contains("wrong-key-4711"))
    }

    @Test func anEntraTokenWithoutAKeyGoesAsBearerAndAWrongOneExits77NamingItsVariableNeverTheToken() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(azure: FakeAzureOptions(apiKey: azureKey, entraToken: entraToken)))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("jobs.jsonl")
        _ = try writeAzureCorpus(corpus, count: 6)
        var environment = azureEnvironment(server)
        environment["AZURE_OPENAI_API_KEY"] = nil
        environment["AZURE_OPENAI_AD_TOKEN"] = "expired-token-0815"
        let refused = try await runLLMQInBackground(["run", "--db", db, "--provider", "azure", corpus], environment: environment)
        #expect(refused.status == 77, "stderr: \(refused.stderr)")
        #expect(try statusCounts(db) == ["pending": 6])
        #expect(refused.stderr.contains("Unauthorized. Access token is missing, invalid"))
        #expect(refused.stderr.contains("Check AZURE_OPENAI_AD_TOKEN"))
        #expect(!refused.stderr.contains("expired-token-0815") && !refused.stdout.contains("expired-token-0815"))
        #expect(server.recordedRequests().allSatisfy { $0.headers["authorization"] == "Bearer expired-token-0815" && $0.headers["api-key"] == nil })

        environment["AZURE_OPENAI_AD_TOKEN"] = entraToken
        let before = server.recordedRequests().count
        let result = try await runLLMQInBackground(["run", "--db", db, "--provider", "azure", corpus], environment: environment)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 6])
        #expect(!result.stderr.contains(entraToken) && !result.stdout.contains(entraToken))
        // Azure counts tokens: its usage is the summary's figure, not llmq's upper bound.
        #expect(result.stdout.contains(" tokens, ") && !result.stdout.contains("≤"), "stdout: \(result.stdout)")
        let sent = server.recordedRequests().dropFirst(before)
        #expect(!sent.isEmpty)
        #expect(sent.allSatisfy { $0.headers["authorization"] == "Bearer \(entraToken)" && $0.headers["api-key"] == nil })
    }

    /// The commands of the README's Azure block, one script per route (a comment line
    /// starts the next), made to run here: the fake's endpoint, key and the built binary.
    private func readmeAzureScripts(endpoint: String) throws -> [String] {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let block = try #require(readme.components(separatedBy: "```sh\n").first { $0.contains("--provider azure") })
        var scripts: [String] = []
        for line in block.components(separatedBy: "```")[0].split(separator: "\n") {
            if line.hasPrefix("#") {
                scripts.append("")
            } else if !scripts.isEmpty {
                scripts[scripts.count - 1] += line.replacingOccurrences(of: "https://NAME.openai.azure.com", with: endpoint)
                    .replacingOccurrences(of: "<azure key>", with: azureKey)
                    .replacingOccurrences(of: "<entra token>", with: entraToken)
                    .replacingOccurrences(of: "llmq run", with: "'\(llmqBinary().path)' run --quiet") + "\n"
            }
        }
        return scripts
    }

    @Test func theReadmesAzureRoutesWorkAsWritten() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(azure: FakeAzureOptions(apiKey: azureKey, entraToken: entraToken)))
        defer { Task { await server.shutdown() } }
        let scripts = try readmeAzureScripts(endpoint: server.azureEndpoint)
        try #require(scripts.count == 3, "the README's Azure block shows the v1 route and the classic one with a key and with a token")
        var paths: [Set<String>] = []
        var credentials: [Set<String>] = []
        for script in scripts {
            let dir = try TemporaryDirectory()
            let inputs = try writeAzureCorpus(dir.path("jobs.jsonl"), count: 3)
            let before = server.recordedRequests().count
            let result = try await runLLMQInBackground(
                ["-c", "cd '\(dir.url.path)' && " + script], environment: ["LLMQ_DB": dir.path("q.sqlite")],
                executable: URL(fileURLWithPath: "/bin/sh"))
            #expect(result.status == 0, "\(script)\nstderr: \(result.stderr)")
            #expect(try statusCounts(dir.path("q.sqlite")) == ["succeeded": inputs.count])
            let sent = server.recordedRequests().dropFirst(before)
            paths.append(Set(sent.map(\.path)))
            credentials.append(Set(sent.map { $0.headers["api-key"].map { "api-key: \($0)" } ?? $0.headers["authorization"] ?? "none" }))
        }
        #expect(paths == [["/openai/v1/embeddings"], ["/openai/deployments/emb/embeddings"], ["/openai/deployments/emb/embeddings"]])
        #expect(credentials == [["Bearer \(azureKey)"], ["api-key: \(azureKey)"], ["Bearer \(entraToken)"]])
    }

    /// Each bad setting, the exact message, exit 2, and nothing enqueued (no database made).
    @Test(arguments: [
        (["AZURE_OPENAI_ENDPOINT": ""], azureFlag,
         "AZURE_OPENAI_ENDPOINT is not set: export your Azure OpenAI resource's endpoint, e.g. https://NAME.openai.azure.com (needed by --provider azure)"),
        (["AZURE_OPENAI_API_KEY": ""], azureFlag,
         "AZURE_OPENAI_API_KEY and AZURE_OPENAI_AD_TOKEN are not set: export a key of the Azure OpenAI resource (Keys and Endpoint "
            + "in the Azure portal) as AZURE_OPENAI_API_KEY, or a Microsoft Entra ID token for "
            + "https://cognitiveservices.azure.com/.default as AZURE_OPENAI_AD_TOKEN (needed by --provider azure)"),
        (["OPENAI_API_VERSION": ""], azureFlag,
         "OPENAI_API_VERSION is not set: export the Azure OpenAI API version, e.g. 2024-10-21 (required by --provider azure, as by the official SDK)"),
        (["AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com/openai/deployments/emb?api-version=2024-02-01"], azureFlag,
         "AZURE_OPENAI_ENDPOINT 'https://res.openai.azure.com/openai/deployments/emb?api-version=2024-02-01' has a query or fragment: "
            + "give the resource URL alone, e.g. https://NAME.openai.azure.com, and the API version in OPENAI_API_VERSION"),
        (["AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com/openai"], azureFlag,
         "AZURE_OPENAI_ENDPOINT 'https://res.openai.azure.com/openai' already goes into /openai: give the resource URL alone, e.g. "
            + "https://NAME.openai.azure.com (llmq adds /openai/deployments/{model}/…); for Azure's v1 API use "
            + "OPENAI_BASE_URL={endpoint}/openai/v1 without --provider azure"),
        (["AZURE_OPENAI_ENDPOINT": "res.openai.azure.com"], azureFlag,
         "AZURE_OPENAI_ENDPOINT 'res.openai.azure.com' is not an http(s) URL such as https://NAME.openai.azure.com"),
        ([:], azureFlag + ["--batch-api"],
         "--batch-api is not supported with --provider azure (Azure's Batch API needs a Global Batch deployment of its own): run without --batch-api"),
        ([:], ["--provider", "azur"], "--provider: unknown provider 'azur' (known: azure, openai)"),
        (["LLMQ_PROVIDER": "nope"], [], "LLMQ_PROVIDER: unknown provider 'nope' (known: azure, openai)"),
    ])
    func aBadSettingExits2WithItsMessageBeforeAnythingIsEnqueued(overrides: [String: String], flags: [String], message: String) throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let corpus = dir.path("jobs.jsonl")
        _ = try writeAzureCorpus(corpus, count: 2)
        var environment = ["AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com", "AZURE_OPENAI_API_KEY": azureKey,
                           "OPENAI_API_VERSION": "2024-10-21"]
        environment.merge(overrides) { $1 }
        let result = try runLLMQ(["run", "--db", db] + flags + [corpus], environment: environment)
        #expect(result.status == 2)
        #expect(unstamped(result.stderr) == "llmq: error: \(message)\n")
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}
