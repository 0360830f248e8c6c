import FakeOpenAI
import Foundation
import LLM
import Testing
import TestSupport

/// The Files and Batches API calls of `OpenAIProvider` against the fake server's
/// `/v1/files` and `/v1/batches`.
struct BatchAPITests {
    /// Writes JSONL lines to a file in `dir`; returns its path.
    func inputFile(_ lines: [String], in dir: TemporaryDirectory, name: String = "in.jsonl") throws -> String {
        let path = dir.path(name)
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func embedLine(_ id: String, _ inputs: [String]) -> String {
        let quoted = inputs.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"custom_id":"\#(id)","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":[\#(quoted)],"encoding_format":"base64"}}"#
    }

    /// Reads every line of a downloaded file with `BatchOutputLine`.
    func readLines(_ path: String, endpoint: String, counts: [String: Int]) throws -> [(String, BatchLineOutcome?)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try Array(line.utf8).withUnsafeBytes { raw in
                try BatchOutputLine.read(raw, endpoint: endpoint) { id in counts[id].map { ($0, nil) } }
            }
        }
    }

    @Test func uploadCreatePollDownloadAndDeleteRoundTrip() async throws {
        try await withFakeProvider { fake in
            let dir = try TemporaryDirectory()
            let path = try inputFile([embedLine("a", ["one", "two"]), embedLine("b", ["three"])], in: dir)
            let file = try await fake.provider.uploadBatchFile(path: path, filename: "llmq-test-1.jsonl")
            #expect(file.purpose == "batch")
            #expect(file.filename == "llmq-test-1.jsonl")
            let created = try await fake.provider.createBatch(inputFileID: file.id, endpoint: "/v1/embeddings",
                                                              metadata: ["llmq_db": "abc", "llmq_submission": "1"])
            #expect(created.status == "validating")
            #expect(created.metadata["llmq_submission"] == "1")
            #expect(created.outputFileID == nil)
            let done = try await fake.provider.retrieveBatch(id: created.id)
            #expect(done.status == "completed")
            #expect(done.total == 2 && done.completed == 2 && done.failed == 0)
            let output = try #require(done.outputFileID)
            #expect(done.errorFileID == nil)
            let download = dir.path("out.jsonl")
            let bytes = try await fake.provider.downloadFile(id: output, to: download)
            #expect(bytes > 0)
            let lines = try readLines(download, endpoint: "/v1/embeddings", counts: ["a": 2, "b": 1])
            #expect(Set(lines.map(\.0)) == ["a", "b"])
            for (id, outcome) in lines {
                guard case .embeddings(let response)? = outcome else {
                    Issue.record("line \(id) is not an embeddings answer: \(String(describing: outcome))")
                    continue
                }
                let inputs = id == "a" ? ["one", "two"] : ["three"]
                #expect(response.vectors == inputs.map { FakeOpenAIServer.embedding(for: $0, model: "text-embedding-3-small", dimensions: 1536) })
            }
            try await fake.provider.deleteFile(id: output)
            try await fake.provider.deleteFile(id: file.id)
            try await fake.provider.deleteFile(id: file.id)  // already gone: not an error
            #expect(!fake.server.fileIDs().contains(file.id))
            #expect(fake.server.stats().embeddingInputs == 0)
        }
    }

    @Test func batchesAreListedNewestFirstPageByPage() async throws {
        try await withFakeProvider { fake in
            let dir = try TemporaryDirectory()
            let file = try await fake.provider.uploadBatchFile(path: try inputFile([embedLine("a", ["x"])], in: dir), filename: "f.jsonl")
            var ids: [String] = []
            for n in 0..<3 {
                ids.append(try await fake.provider.createBatch(inputFileID: file.id, endpoint: "/v1/embeddings",
                                                               metadata: ["n": "\(n)"]).id)
            }
            let first = try await fake.provider.listBatches(after: nil, limit: 2)
            #expect(first.items.map(\.id) == [ids[2], ids[1]])
            #expect(first.hasMore)
            let second = try await fake.provider.listBatches(after: first.lastID, limit: 2)
            #expect(second.items.map(\.id) == [ids[0]])
            #expect(!second.hasMore)
            let files = try await fake.provider.listFiles(purpose: "batch", after: nil, limit: 100)
            #expect(files.items.map(\.id) == [file.id])
        }
    }

    @Test func aGzipDownloadLargerThanTheReplyLimitIsStreamedToDiskWhole() async throws {
        // Replies are held to 64 KB here; a download is not (it goes to disk), compressed or not.
        try await withFakeProvider(server: FakeOpenAIOptions(gzipFileContent: true), configure: { $0.maxResponseBytes = 64 << 10 }) { fake in
            let dir = try TemporaryDirectory()
            let path = try inputFile((0..<5_000).map { embedLine("l\($0)", ["input number \($0)"]) }, in: dir)
            let uploaded = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(uploaded.count > 8 * (64 << 10))
            let file = try await fake.provider.uploadBatchFile(path: path, filename: "big.jsonl")
            let copy = dir.path("copy.jsonl")
            let bytes = try await fake.provider.downloadFile(id: file.id, to: copy)
            #expect(bytes == uploaded.count)
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == uploaded)
            // A reply is still held to the limit: ten vectors of 8 KB of base64 are over it.
            let tooLarge = await captureLLMError {
                try await fake.provider.embed(EmbeddingRequest(inputs: (0..<10).map { "x\($0)" }, model: "text-embedding-3-small",
                                                               dimensions: nil, estimatedTokens: 10))
            }
            #expect(tooLarge != nil)
        }
    }

    @Test func oversizedUploadIsRefusedWithTheAPIsMessage() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(maxBatchFileBytes: 64)) { fake in
            let dir = try TemporaryDirectory()
            let path = try inputFile([embedLine("a", [String(repeating: "x", count: 100)])], in: dir)
            let error = await captureLLMError { try await fake.provider.uploadBatchFile(path: path, filename: "big.jsonl") }
            #expect(error?.status == 400)
            #expect(error?.description.contains("File is too large") == true)
            #expect(error?.description.contains(testAPIKey) == false)
            let wrongName = await captureLLMError { try await fake.provider.uploadBatchFile(path: path, filename: "big.txt") }
            #expect(wrongName?.description.contains("Must be .jsonl") == true)
        }
    }

    @Test func createIsSentOnceEvenWhenTheServerFails() async throws {
        try await withFakeProvider { fake in
            let dir = try TemporaryDirectory()
            let file = try await fake.provider.uploadBatchFile(path: try inputFile([embedLine("a", ["x"])], in: dir), filename: "f.jsonl")
            fake.server.enqueueFaults([.serverError(status: 500)], path: "/v1/batches")
            let error = await captureLLMError {
                try await fake.provider.createBatch(inputFileID: file.id, endpoint: "/v1/embeddings", metadata: [:])
            }
            #expect(error?.status == 500)
            #expect(fake.server.recordedRequests().filter { $0.path == "/v1/batches" }.count == 1)
            #expect(fake.sleeper.delays.isEmpty)
            let unknown = await captureLLMError {
                try await fake.provider.createBatch(inputFileID: "file-nope", endpoint: "/v1/embeddings", metadata: [:])
            }
            #expect(unknown?.description.contains("Cannot find file file-nope") == true)
        }
    }

    @Test func expiredBatchKeepsFinishedLinesAndMarksTheRestExpired() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(batchCompletionSeconds: 172_800)) { fake in
            let dir = try TemporaryDirectory()
            let lines = (0..<10).map { embedLine("l\($0)", ["input \($0)"]) }
            let file = try await fake.provider.uploadBatchFile(path: try inputFile(lines, in: dir), filename: "f.jsonl")
            let batch = try await fake.provider.createBatch(inputFileID: file.id, endpoint: "/v1/embeddings", metadata: [:])
            #expect(try await fake.provider.retrieveBatch(id: batch.id).status == "in_progress")
            fake.server.advanceBatchClock(by: 86_400)
            let expired = try await fake.provider.retrieveBatch(id: batch.id)
            #expect(expired.status == "expired")
            #expect(expired.completed == 5 && expired.failed == 5)
            let counts = Dictionary(uniqueKeysWithValues: (0..<10).map { ("l\($0)", 1) })
            let output = dir.path("out.jsonl")
            _ = try await fake.provider.downloadFile(id: try #require(expired.outputFileID), to: output)
            let errors = dir.path("err.jsonl")
            _ = try await fake.provider.downloadFile(id: try #require(expired.errorFileID), to: errors)
            let done = try readLines(output, endpoint: "/v1/embeddings", counts: counts)
            let notRun = try readLines(errors, endpoint: "/v1/embeddings", counts: counts)
            #expect(done.count == 5 && notRun.count == 5)
            #expect(Set(done.map(\.0)).isDisjoint(with: notRun.map(\.0)))
            for (_, outcome) in notRun {
                guard case .notRun(let code, let message)? = outcome else {
                    Issue.record("expected a batch_expired line, got \(String(describing: outcome))")
                    continue
                }
                #expect(code == "batch_expired")
                #expect(message.contains("completion window expired"))
            }
            // The output does not come in input order.
            #expect(done.map(\.0) != done.map(\.0).sorted())
        }
    }

    @Test func cancelledBatchGoesCancellingThenCancelled() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(batchCompletionSeconds: 3_600)) { fake in
            let dir = try TemporaryDirectory()
            let file = try await fake.provider.uploadBatchFile(path: try inputFile([embedLine("a", ["x"])], in: dir), filename: "f.jsonl")
            let batch = try await fake.provider.createBatch(inputFileID: file.id, endpoint: "/v1/embeddings", metadata: [:])
            #expect(try await fake.provider.cancelBatch(id: batch.id).status == "cancelling")
            let cancelled = try await fake.provider.retrieveBatch(id: batch.id)
            #expect(cancelled.status == "cancelled")
            #expect(cancelled.outputFileID == nil && cancelled.errorFileID == nil)
            let again = await captureLLMError { try await fake.provider.cancelBatch(id: batch.id) }
            #expect(again?.description.contains("Cannot cancel a batch with status 'cancelled'") == true)
        }
    }

    @Test func validationAndTokenLimitFailuresArriveAsAFailedBatch() async throws {
        try await withFakeProvider(server: FakeOpenAIOptions(enqueuedTokenLimit: 5)) { fake in
            let dir = try TemporaryDirectory()
            let bad = try inputFile([embedLine("a", ["x"]), "not json", embedLine("a", ["y"])], in: dir, name: "bad.jsonl")
            let badFile = try await fake.provider.uploadBatchFile(path: bad, filename: "bad.jsonl")
            let invalid = try await fake.provider.createBatch(inputFileID: badFile.id, endpoint: "/v1/embeddings", metadata: [:])
            let failed = try await fake.provider.retrieveBatch(id: invalid.id)
            #expect(failed.status == "failed")
            #expect(failed.errors.map(\.code) == ["invalid_json_line", "duplicate_custom_id"])
            #expect(failed.errors.map(\.line) == [2, 3])
            let big = try inputFile([embedLine("a", [String(repeating: "word ", count: 20)])], in: dir, name: "big.jsonl")
            let bigFile = try await fake.provider.uploadBatchFile(path: big, filename: "big.jsonl")
            let overLimit = try await fake.provider.createBatch(inputFileID: bigFile.id, endpoint: "/v1/embeddings", metadata: [:])
            let limited = try await fake.provider.retrieveBatch(id: overLimit.id)
            #expect(limited.status == "failed")
            #expect(limited.errors.first?.code == "token_limit_exceeded")
            #expect(limited.errors.first?.message?.contains("Enqueued token limit reached for text-embedding-3-small") == true)
        }
    }

    @Test func downloadCutOffByABadGatewayIsRetried() async throws {
        try await withFakeProvider { fake in
            let dir = try TemporaryDirectory()
            let file = try await fake.provider.uploadBatchFile(path: try inputFile([embedLine("a", ["x"])], in: dir), filename: "f.jsonl")
            fake.server.enqueueFaults([.htmlBadGateway], path: "/v1/files/\(file.id)/content")
            let target = dir.path("copy.jsonl")
            let bytes = try await fake.provider.downloadFile(id: file.id, to: target)
            #expect(try String(contentsOfFile: target, encoding: .utf8) == embedLine("a", ["x"]) + "\n")
            #expect(bytes == embedLine("a", ["x"]).utf8.count + 1)
            #expect(fake.sleeper.delays.count == 1)
        }
    }

    @Test func outputLinesOfEveryShapeAreRead() throws {
        func read(_ line: String, endpoint: String = "/v1/chat/completions") throws -> (String, BatchLineOutcome?) {
            try Array(line.utf8).withUnsafeBytes { raw in
                try BatchOutputLine.read(raw, endpoint: endpoint) { _ in (1, nil) }
            }
        }
        let chat = try read(#"{"id":"r1","custom_id":"c1","response":{"status_code":200,"request_id":"req_1","body":{"model":"gpt-4o-mini","choices":[{"message":{"content":"hi","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}},"error":null}"#)
        guard case .chat(let reply)? = chat.1 else { Issue.record("not a chat answer"); return }
        #expect(chat.0 == "c1" && reply.content == "hi" && reply.inputTokens == 3 && reply.finishReason == "stop")
        let http = try read(#"{"id":"r2","custom_id":"c2","response":{"status_code":400,"request_id":"req_2","body":{"error":{"message":"Invalid 'temperature'","type":"invalid_request_error","param":"temperature","code":null}}},"error":null}"#)
        guard case .failed(let error)? = http.1 else { Issue.record("not a failed line"); return }
        #expect(error.status == 400)
        #expect(error.description.contains("Invalid 'temperature'"))
        let expired = try read(#"{"id":"r3","custom_id":"c3","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}"#)
        guard case .notRun(let code, _)? = expired.1 else { Issue.record("not an expired line"); return }
        #expect(code == "batch_expired")
        #expect(throws: BatchOutputLine.Unreadable.self) { try read(#"{"id": <<garbage>>"#) }
        #expect(throws: BatchOutputLine.Unreadable.self) { try read(#"{"id":"r4","response":null}"#) }
        do {
            _ = try read(#"{"id":"r5","custom_id":"c5","response":{"status_code":200,"body":{"object":"list","data":[],"model":"m"}}}"#, endpoint: "/v1/embeddings")
            Issue.record("an embeddings answer without its vector was accepted")
        } catch {
            #expect("\(error)".contains("line c5"))
        }
    }
}
