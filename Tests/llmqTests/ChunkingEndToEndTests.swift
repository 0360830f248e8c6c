import FakeOpenAI
import Foundation
import SQLite
import Testing
import TestSupport

/// Chunked embed jobs and folders of files, as a real `llmq` process against the fake server.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ChunkingEndToEndTests {
    private func bytes(_ floats: [Float]) -> [UInt8] { floats.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) } }

    @Test func aFolderOfLongDocumentsIsChunkedAndEveryChunksVectorIsBitExactForItsText() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let folder = try writeDocumentFolder(dir)
        let result = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--files", folder, "--chunk-tokens", "120", "--batch-size", "16"],
                                                   environment: fakeEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 3])
        let encoding = try await testCL100k()
        let chunks = try storedChunks(db)
        #expect(Set(chunks.map(\.customID)) == ["alpha.md", "guide/beta.md", "note.txt"])
        #expect(chunks.filter { $0.customID == "alpha.md" }.count > 10)
        for id in Set(chunks.map(\.customID)) {
            let own = chunks.filter { $0.customID == id }
            #expect(own.map(\.chunk) == Array(0..<own.count))
            #expect(own.map(\.text).joined() == own[0].input, "the chunks of \(id) concatenate to its file")
            let onDisk = try String(contentsOfFile: folder + "/" + id, encoding: .utf8)
            #expect(own[0].input == onDisk)
        }
        for chunk in chunks {
            #expect(codePoints(chunk.input, chunk.start, chunk.end) == chunk.text)
            #expect(encoding.count(chunk.text) <= 120)
            #expect(chunk.vector == bytes(FakeOpenAIServer.embedding(for: chunk.text, model: chunk.model, dimensions: chunk.dimensions)))
        }
        // Every chunk was sent (a retry after a timeout on a loaded machine may send one twice).
        #expect(Set(sentEmbeddingInputs(server)) == Set(chunks.map(\.text)))
        let metadata = try Connection(path: db).rows("SELECT json_extract(metadata, '$.path'), json_extract(metadata, '$.bytes') FROM jobs WHERE custom_id = 'note.txt'")
        #expect(metadata == [[.text(folder + "/note.txt"), .integer(14)]])
        // export writes every chunk with its index, span, text and vector.
        let exported = try await runLLMQInBackground(["export", "--db", db])
        let line = try #require(exported.stdout.split(separator: "\n").first { $0.contains(#""custom_id":"note.txt""#) })
        #expect(line.contains(#""chunks":[{"chunk":0,"start":0,"end":14,"text":"A short note.\n","embedding":["#))
    }

    /// The second run synchronous, or through the Batch API (`batchAPI`): the same chunks are sent, each once.
    @Test(arguments: [false, true])
    func aReRunOfAnUnchangedFolderReadsNothingAndOneEditedParagraphSendsOnlyTheChangedChunks(batchAPI: Bool) async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let folder = try writeDocumentFolder(dir)
        let flags = ["--db", db, "--quiet", "--files", folder, "--chunk-tokens", "100"]
        var result = try await runLLMQInBackground(["run"] + flags, environment: fakeEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let before = Set(try storedChunks(db).map(\.text))
        let fileJobs = { try Connection(path: db).rows("SELECT job_id, root, signature, ingest_id FROM file_jobs ORDER BY job_id") }
        let fileJobsBefore = try fileJobs()
        let enqueued = try await runLLMQInBackground(["enqueue", "--db", db, "--files", folder, "--chunk-tokens", "100"])
        #expect(enqueued.stdout.contains("added 0, updated 0, unchanged 3, rejected 0"), "\(enqueued.stdout)")
        #expect(try fileJobs() == fileJobsBefore, "an unchanged file writes nothing")

        _ = try writeDocumentFolder(dir, edited: 13)
        let sentBefore = server.recordedRequests().count
        let mode = batchAPI ? ["--batch-api", "--wait", "--poll-interval", "0.02"] : []
        result = try await runLLMQInBackground(["run"] + mode + flags, environment: fakeEnvironment(server))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let sent = batchAPI ? server.batchEmbeddedInputs() : sentEmbeddingInputs(server, from: sentBefore)
        if batchAPI {
            #expect(sent.count == Set(sent).count, "each changed chunk is sent once")
            #expect(sentEmbeddingInputs(server, from: sentBefore).isEmpty)
        }
        try expectOnlyChangedChunksSent(db, before: before, sent: sent, edited: 13)
    }

    @Test func pruneDeletesTheJobsAndVectorsOfVanishedFilesAndSaysHowMany() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let folder = try writeDocumentFolder(dir)
        let first = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--files", folder, "--chunk-tokens", "200"], environment: fakeEnvironment(server))
        #expect(first.status == 0, "stderr: \(first.stderr)")
        try FileManager.default.removeItem(atPath: folder + "/guide/beta.md")
        let kept = try await runLLMQInBackground(["enqueue", "--db", db, "--files", folder, "--chunk-tokens", "200", "--glob", "*.md", "--prune"])
        #expect(kept.status == 0, "stderr: \(kept.stderr)")
        #expect(kept.stderr.contains("pruned 1 jobs whose file is gone"), "a file left out by --glob is not gone: \(kept.stderr)")
        let connection = try Connection(path: db)
        #expect(try connection.rows("SELECT custom_id FROM jobs ORDER BY custom_id") == [[.text("alpha.md")], [.text("note.txt")]])
        #expect(try storedChunks(db).allSatisfy { $0.customID != "guide/beta.md" })
    }

    @Test func aKilledRunIsResumedWithoutSendingAStoredChunkAgain() async throws {
        let server = try await FakeOpenAIServer.start(FakeOpenAIOptions(latency: .milliseconds(30)))
        defer { Task { await server.shutdown() } }
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let jobs = dir.path("jobs.jsonl")
        let line = try JSONSerialization.data(withJSONObject: ["id": "book", "type": "embed", "input": longDocument("book", sections: 40),
                                                               "chunk": ["max_tokens": 60]])
        try (String(decoding: line, as: UTF8.self) + "\n").write(toFile: jobs, atomically: true, encoding: .utf8)
        let child = try LLMQChild(["run", "--db", db, "--quiet", "--batch-size", "4", "--concurrency", "1", jobs],
                                  environment: fakeEnvironment(server), in: dir, name: "first")
        await child.untilServer(server, hasReceived: 6)
        child.kill(SIGKILL)
        _ = try await child.finished()
        let stored = Set(try storedChunks(db).map(\.text))
        #expect(stored.count >= 4, "chunks are stored before the job's last one")
        #expect(try statusCounts(db)["succeeded"] == nil)

        let sentBefore = server.recordedRequests().count
        let second = try await runLLMQInBackground(["run", "--db", db, "--quiet", "--batch-size", "16"], environment: fakeEnvironment(server))
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(try statusCounts(db) == ["succeeded": 1])
        let resent = sentEmbeddingInputs(server, from: sentBefore)
        #expect(!resent.isEmpty)
        #expect(Set(resent).isDisjoint(with: stored), "a stored chunk was sent again")
        let chunks = try storedChunks(db)
        #expect(chunks.map(\.text).joined() == longDocument("book", sections: 40))
    }

    @Test func changingTheChunkSettingsReQueuesTheJob() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("q.sqlite")
        let jobs = dir.path("jobs.jsonl")
        try #"{"id": "a", "type": "embed", "input": "some text to embed"}"#.appending("\n").write(toFile: jobs, atomically: true, encoding: .utf8)
        _ = try await runLLMQInBackground(["enqueue", "--db", db, jobs])
        let same = try await runLLMQInBackground(["enqueue", "--db", db, jobs])
        #expect(same.stdout.contains("unchanged 1"))
        let chunked = try await runLLMQInBackground(["enqueue", "--db", db, "--chunk-tokens", "50", jobs])
        #expect(chunked.stdout.contains("updated 1"))
        let overlap = try await runLLMQInBackground(["enqueue", "--db", db, "--chunk-tokens", "50", "--chunk-overlap", "5", jobs])
        #expect(overlap.stdout.contains("updated 1"))
    }

    @Test func badChunkFieldsAreRejectedNamingTheProblem() async throws {
        let dir = try TemporaryDirectory()
        let jobs = dir.path("jobs.jsonl")
        try """
            {"id": "a", "type": "embed", "input": "x", "chunk": 512}
            {"id": "b", "type": "embed", "input": "x", "chunk": {"max_tokens": 0}}
            {"id": "c", "type": "embed", "input": "x", "chunk": {"max_tokens": 9000}}
            {"id": "d", "type": "embed", "input": "x", "chunk": {"max_tokens": 100, "overlap_tokens": 100}}
            {"id": "e", "type": "embed", "input": "x", "chunk": {"max_tokens": "ten"}}
            {"id": "f", "type": "generate", "prompt": "x", "chunk": {"max_tokens": 100}}
            {"id": "g", "type": "embed", "input": "x", "chunk": {"overlap_tokens": 1}}
            {"id": "h", "type": "embed", "input": "x", "chunk": {"max_tokens": 100, "overlap": 1}}
            {"id": "ok", "type": "embed", "input": "x", "chunk": {"max_tokens": 100, "overlap_tokens": 10}}

            """.write(toFile: jobs, atomically: true, encoding: .utf8)
        let result = try await runLLMQInBackground(["enqueue", "--db", dir.path("q.sqlite"), jobs])
        #expect(result.status == 65)
        #expect(result.stdout.contains("added 1, updated 0, unchanged 0, rejected 8"))
        for expected in [
            #"jobs.jsonl:1: "chunk" must be an object like {"max_tokens": 512, "overlap_tokens": 50}, got a number"#,
            #"jobs.jsonl:2: "chunk.max_tokens" must be between 1 and 8192, got 0"#,
            #"jobs.jsonl:3: "chunk.max_tokens" must be between 1 and 8192, got 9000"#,
            #"jobs.jsonl:4: "chunk.overlap_tokens" must be less than max_tokens (100), got 100"#,
            #"jobs.jsonl:5: "chunk.max_tokens" must be an integer, got a string"#,
            #"jobs.jsonl:6: field "chunk" belongs to embed jobs, not to generate jobs"#,
            #"jobs.jsonl:7: missing "chunk.max_tokens""#,
            #"jobs.jsonl:8: unknown field "chunk.overlap" ("chunk" takes "max_tokens" and "overlap_tokens")"#,
        ] {
            #expect(result.stderr.contains(expected), "missing \(expected) in \(result.stderr)")
        }
    }

    @Test func badChunkFlagsExitTwoNamingTheFlag() async throws {
        let dir = try TemporaryDirectory()
        let jobs = dir.path("jobs.jsonl")
        try #"{"id": "a", "type": "embed", "input": "x"}"#.appending("\n").write(toFile: jobs, atomically: true, encoding: .utf8)
        for (flags, message) in [
            (["--chunk-tokens", "0"], "--chunk-tokens must be between 1 and 8192, got 0"),
            (["--chunk-tokens", "8193"], "--chunk-tokens must be between 1 and 8192, got 8193"),
            (["--chunk-tokens", "64", "--chunk-overlap", "64"], "--chunk-overlap must be less than --chunk-tokens (64), got 64"),
            (["--chunk-overlap", "4"], "--chunk-overlap needs --chunk-tokens"),
        ] {
            let result = try await runLLMQInBackground(["enqueue", "--db", dir.path("q.sqlite")] + flags + [jobs])
            #expect(result.status == 2)
            #expect(result.stderr.contains(message), "\(flags): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("q.sqlite")), "nothing is written on a bad flag")
    }

    @Test func filesOnAMissingPathOrAFileExitsTwo() async throws {
        let dir = try TemporaryDirectory()
        try "text".write(toFile: dir.path("plain.txt"), atomically: true, encoding: .utf8)
        let missing = try await runLLMQInBackground(["enqueue", "--db", dir.path("q.sqlite"), "--files", dir.path("nowhere")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("\(dir.path("nowhere")): No such file or directory (--files takes a folder)"), "\(missing.stderr)")
        let file = try await runLLMQInBackground(["enqueue", "--db", dir.path("q.sqlite"), "--files", dir.path("plain.txt")])
        #expect(file.status == 2)
        #expect(file.stderr.contains("\(dir.path("plain.txt")): not a folder (--files takes folders; give job files without --files)"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("q.sqlite")))
    }

    @Test func aFolderWithUnusableFilesReportsEachAndIngestsTheRest() async throws {
        let dir = try TemporaryDirectory()
        let folder = dir.path("mixed")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "good text\n".write(toFile: folder + "/good.md", atomically: true, encoding: .utf8)
        try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]).write(to: URL(fileURLWithPath: folder + "/image.png"))
        try Data([0x61, 0x62, 0xC3, 0x28, 0x63]).write(to: URL(fileURLWithPath: folder + "/latin1.txt"))
        FileManager.default.createFile(atPath: folder + "/empty.txt", contents: Data())
        // 200 MB, sparse: refused by its size before anything is read.
        let huge = open(folder + "/huge.log", O_CREAT | O_WRONLY, 0o644)
        #expect(ftruncate(huge, 200_000_000) == 0)
        close(huge)
        try FileManager.default.createSymbolicLink(atPath: folder + "/outside.txt", withDestinationPath: dir.path("secret.txt"))
        try "secret".write(toFile: dir.path("secret.txt"), atomically: true, encoding: .utf8)
        let unreadable = folder + "/locked.txt"
        try "locked".write(toFile: unreadable, atomically: true, encoding: .utf8)
        chmod(unreadable, 0)
        let isRoot = getuid() == 0
        let result = try await runLLMQInBackground(["enqueue", "--db", dir.path("q.sqlite"), "--files", folder])
        #expect(result.status == 65)
        #expect(result.stderr.contains("\(folder)/image.png: not a text file (a NUL byte at offset 4), skipped"))
        #expect(result.stderr.contains("\(folder)/latin1.txt: not UTF-8 text (invalid byte at offset 2), skipped"))
        #expect(result.stderr.contains("warning: \(folder)/empty.txt: empty file, skipped"))
        #expect(result.stderr.contains("\(folder)/huge.log: 200000000 bytes, over the 8388608-byte limit for one input (--max-line-bytes); split it or raise the limit"))
        #expect(result.stderr.contains("warning: \(folder)/outside.txt: symbolic link to "))
        #expect(result.stderr.contains("not followed"))
        if isRoot {
            print("note: running as root, so a file with mode 000 is still readable; the unreadable-file case is not exercised")
            #expect(result.stdout.contains("added 2, updated 0, unchanged 0, rejected 3"), "\(result.stdout)")
        } else {
            #expect(result.stderr.contains("\(unreadable): cannot read: Permission denied"))
            #expect(result.stdout.contains("added 1, updated 0, unchanged 0, rejected 4"), "\(result.stdout)")
        }
    }

    @Test func aGlobThatMatchesNothingWarnsAndExitsZero() async throws {
        let dir = try TemporaryDirectory()
        let folder = dir.path("notes")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "text\n".write(toFile: folder + "/a.txt", atomically: true, encoding: .utf8)
        let result = try await runLLMQInBackground(["enqueue", "--db", dir.path("q.sqlite"), "--files", folder, "--glob", "*.rst"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("warning: --glob *.rst matched no file under \(folder)"))
        #expect(result.stdout.contains("added 0, updated 0, unchanged 0, rejected 0"))
    }
}
