import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// The exact text of every `--json` output (a public format): keys, their order (sorted by
/// their UTF-8 bytes), value types, `null` where a value is unknown and members left out
/// where README says so. These texts are the ones Foundation's `JSONEncoder` and
/// `JSONSerialization` printed before the project's own writer replaced them, except that `/`
/// is no longer escaped as `\/` (the same JSON value; `search --json` and `export` never escaped it).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct JSONOutputTests {
    private let example = jobsFolder.appendingPathComponent("example.jsonl").path

    /// `text` with the value of `"seconds"` (a run's duration) replaced by `S`.
    private func withoutSeconds(_ text: String) -> String {
        text.replacing(/"seconds":[0-9.e+-]+/, with: #""seconds":S"#)
    }

    /// `llmq run --db DB --json --quiet FLAGS CORPUS` over three embed jobs against a fake
    /// server with `options`; also the database's path (in `dir`, kept until the caller is done).
    private func runThreeJobs(_ options: FakeOpenAIOptions = FakeOpenAIOptions(), _ flags: [String] = [])
        async throws -> (result: ProcessResult, db: String, dir: TemporaryDirectory)
    {
        let server = try await FakeOpenAIServer.start(options)
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let corpus = dir.path("c.jsonl")
        try writeEmbedCorpus(corpus, count: 3)
        let db = dir.path("q.sqlite")
        let result = try await runLLMQInBackground(["run", "--db", db, "--json", "--quiet"] + flags + [corpus],
                                                   environment: fakeEnvironment(server))
        return (result, db, dir)
    }

    @Test func tokensJSONIsPinnedWithCostsAsShortDecimals() throws {
        let result = try runLLMQ(["tokens", "--json", example])
        #expect(result.status == 0)
        #expect(result.stdout == #"""
            {"cost_is_upper_bound":true,"cost_usd":0.00019575,"exact":true,"jobs":14,"models":[{"chunks":9,"cost_is_upper_bound":false,"cost_usd":0.0000036,"exact":true,"jobs":9,"kind":"embed","model":"text-embedding-3-small","over_limit":0,"requests":2,"tokens":180},{"cost_is_upper_bound":true,"cost_usd":0.00019215,"exact":true,"jobs":5,"kind":"generate","max_output_tokens":285,"model":"gpt-4o-mini","requests":5,"tokens":141}],"rejected":0,"requests":7,"tokens":321,"unpriced_models":[]}

            """#)
    }

    @Test func tokensJSONIsPinnedWithNullCostsForUnpricedModels() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("u.jsonl")
        try """
            {"id":"a","type":"embed","input":"hello","model":"my-embedder"}
            {"id":"b","type":"generate","prompt":"hi /x","model":"my-chat","max_tokens":10}

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runLLMQ(["tokens", "--json", file])
        #expect(result.status == 0)
        #expect(result.stdout == #"""
            {"cost_is_upper_bound":true,"cost_usd":0,"exact":false,"jobs":2,"models":[{"chunks":1,"cost_is_upper_bound":false,"cost_usd":null,"exact":false,"jobs":1,"kind":"embed","model":"my-embedder","over_limit":0,"requests":1,"tokens":5},{"cost_is_upper_bound":true,"cost_usd":null,"exact":false,"jobs":1,"kind":"generate","max_output_tokens":10,"model":"my-chat","requests":1,"tokens":15}],"rejected":0,"requests":2,"tokens":20,"unpriced_models":["my-chat","my-embedder"]}

            """#)
    }

    @Test func statusJSONIsPinned() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        _ = try runLLMQ(["enqueue", "--db", db, example])
        try Connection(path: db).execute("""
            UPDATE jobs SET created_at = 1767225600 + id;
            UPDATE jobs SET status = 'failed', last_error = 'HTTP 400: "bad" / input é' WHERE custom_id IN ('doc-0002', 'doc-0003');
            """)
        let result = try runLLMQ(["status", "--db", db, "--json"])
        #expect(result.status == 0)
        #expect(result.stdout == #"""
            {"in_batches":{"batches":0,"jobs":0},"jobs":{"embed":{"failed":2,"pending":7,"running":0,"succeeded":0},"generate":{"failed":0,"pending":5,"running":0,"succeeded":0}},"oldest_pending":{"custom_id":"doc-0001","enqueued_at":"2026-01-01T00:00:01Z"},"reused_vectors":0,"tokens":{"embed":0,"generate_input":0,"generate_output":0},"top_errors":[{"jobs":2,"message":"HTTP 400: \"bad\" / input é"}],"total":{"all":14,"failed":2,"pending":12,"running":0,"succeeded":0}}

            """#)
    }

    @Test func statusJSONLeavesOutTheOldestPendingWhenNoneIs() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        _ = try runLLMQ(["enqueue", "--db", db, example])
        try Connection(path: db).execute("UPDATE jobs SET status = 'succeeded'")
        let result = try runLLMQ(["status", "--db", db, "--json"])
        #expect(result.status == 0)
        #expect(result.stdout == #"""
            {"in_batches":{"batches":0,"jobs":0},"jobs":{"embed":{"failed":0,"pending":0,"running":0,"succeeded":9},"generate":{"failed":0,"pending":0,"running":0,"succeeded":5}},"reused_vectors":0,"tokens":{"embed":0,"generate_input":0,"generate_output":0},"top_errors":[],"total":{"all":14,"failed":0,"pending":0,"running":0,"succeeded":14}}

            """#)
    }

    @Test func runJSONIsPinned() async throws {
        let (result, _, dir) = try await runThreeJobs()
        defer { withExtendedLifetime(dir) {} }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(withoutSeconds(result.stdout) == #"""
            {"embed_tokens":42,"embed_tokens_estimated":0,"end":"drained","failed":0,"input_tokens":0,"output_tokens":0,"pending_left":0,"rate_limited":0,"request_outcomes":{"ok":1},"requests":1,"retried":0,"reused_vectors":0,"seconds":S,"succeeded":3}

            """#)
        #expect(result.stdout.contains(/"seconds":[0-9]+(\.[0-9]+)?(e-?[0-9]+)?,/))
    }

    @Test func runJSONIsPinnedWithTheFatalError() async throws {
        let (result, _, dir) = try await runThreeJobs(FakeOpenAIOptions(requiredAPIKey: "sk-the-right-key"))
        defer { withExtendedLifetime(dir) {} }
        #expect(result.status == 77, "stderr: \(result.stderr)")
        #expect(withoutSeconds(result.stdout) == #"""
            {"embed_tokens":0,"embed_tokens_estimated":0,"end":"fatal","failed":0,"fatal_error":"The API rejected the credentials (HTTP 401, code invalid_api_key): Incorrect API key provided: sk-...fake. You can find your API key at https://platform.openai.com/account/api-keys. Check OPENAI_API_KEY (and OPENAI_ORG_ID / OPENAI_PROJECT_ID).","input_tokens":0,"output_tokens":0,"pending_left":3,"rate_limited":0,"request_outcomes":{"HTTP 401":1},"requests":1,"retried":3,"reused_vectors":0,"seconds":S,"succeeded":0}

            """#)
    }

    @Test func batchRunJSONAndBatchesJSONArePinned() async throws {
        let (result, db, dir) = try await runThreeJobs(FakeOpenAIOptions(), ["--batch-api", "--wait", "--poll-interval", "0.02"])
        defer { withExtendedLifetime(dir) {} }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == #"""
            {"collected":1,"duplicate_lines":0,"end":"drained","failed":0,"in_flight":0,"pending_left":0,"requeued":0,"reused_vectors":0,"submitted":1,"succeeded":3,"unknown_lines":0,"unreadable_lines":0}

            """#)
        let connection = try Connection(path: db)
        let id = try #require(try connection.rows("SELECT id FROM batches").first?.first.flatMap { value -> String? in
            if case .text(let text) = value { return text } else { return nil }
        })
        try connection.execute("""
            UPDATE batches SET created_at = 1767225600.75, expires_at = 1767312000.25;
            INSERT INTO batch_submissions (id, state, kind, endpoint, model, created_at, updated_at)
                VALUES (99, 'submitted', 'generate', '/v1/chat/completions', 'gpt-4o-mini', 0, 0);
            INSERT INTO batches (id, submission_id, status, endpoint, model, input_file_id, request_total, created_at, errors)
                VALUES ('batch_zz', 99, 'failed', '/v1/chat/completions', 'gpt-4o-mini', 'file-1', 2, 1767225700, 'line 1: "bad"');
            """)
        // Newest first.
        let listed = try runLLMQ(["batches", "--db", db, "--json"])
        #expect(listed.status == 0)
        #expect(listed.stdout == #"""
            {"collected":false,"created_at":1767225700,"endpoint":"/v1/chat/completions","errors":"line 1: \"bad\"","expires_at":null,"id":"batch_zz","model":"gpt-4o-mini","request_completed":0,"request_failed":0,"request_total":2,"status":"failed"}
            {"collected":true,"created_at":1767225600,"endpoint":"/v1/embeddings","errors":null,"expires_at":1767312000,"id":"\#(id)","model":"text-embedding-3-small","request_completed":1,"request_failed":0,"request_total":1,"status":"completed"}

            """#)
    }

    @Test func batchRunJSONIsPinnedWithTheError() async throws {
        let (result, _, dir) = try await runThreeJobs(FakeOpenAIOptions(requiredAPIKey: "sk-the-right-key"), ["--batch-api"])
        defer { withExtendedLifetime(dir) {} }
        #expect(result.status == 77, "stderr: \(result.stderr)")
        #expect(result.stdout == #"""
            {"collected":0,"duplicate_lines":0,"end":"fatal","error":"The API rejected the credentials (HTTP 401, code invalid_api_key): Incorrect API key provided: sk-...fake. You can find your API key at https://platform.openai.com/account/api-keys. Check OPENAI_API_KEY (and OPENAI_ORG_ID / OPENAI_PROJECT_ID).","failed":0,"in_flight":0,"pending_left":3,"requeued":0,"reused_vectors":0,"submitted":0,"succeeded":0,"unknown_lines":0,"unreadable_lines":0}

            """#)
    }
}
