import Foundation
@testable import Search
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The scan file follows the database exactly: appended to when vectors are added,
/// rebuilt when they are replaced or deleted, and never used when it is corrupt,
/// truncated, from another database, or left half-written by a killed build.
struct ScanFileTests {
    private func inode(_ path: String) -> UInt64 {
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_ino) : 0
    }

    @Test func newVectorsAreSeenAfterTheyLandAndAreAppendedInPlace() async throws {
        let fixture = try SearchFixture()
        var random = UnitVectors(seed: 5)
        var stored: [(id: String, vector: [Float])] = []
        for index in 0..<100 { stored.append(("d\(index)", random.vector(48))) }
        for item in stored { try fixture.add(item.id, item.vector) }
        let query = random.vector(48)
        #expect(try await fixture.ids(query, k: 5) == bruteForce(stored, query: query, k: 5))
        let built = inode(fixture.scanPath)

        try fixture.add("exact", query)
        stored.append(("exact", query))
        #expect(try await fixture.ids(query, k: 5) == bruteForce(stored, query: query, k: 5))
        #expect(try await fixture.ids(query, k: 1) == ["exact"])
        #expect(inode(fixture.scanPath) == built, "added vectors are appended to the file, not rebuilt")
        let appended = try fixture.scanStore.upToDate()
        #expect(appended.covered == (try fixture.rows.changeState()))

        // A replaced vector and a deleted job: the file is rebuilt, and search follows.
        let replacement = random.vector(48)
        try fixture.add("exact", replacement)
        try fixture.store.db.run("DELETE FROM jobs WHERE custom_id = 'd0'")
        stored.removeAll { $0.id == "exact" || $0.id == "d0" }
        stored.append(("exact", replacement))
        #expect(try await fixture.ids(query, k: 5) == bruteForce(stored, query: query, k: 5))
        #expect(inode(fixture.scanPath) != built, "a replacement or deletion rebuilds the file")
        #expect(fixture.notes.isEmpty, "routine appends and rebuilds say nothing")
    }

    @Test func anAppendedChunkedJobAddsEachChunkOnce() async throws {
        let fixture = try SearchFixture()
        try fixture.add("single", [1, 0, 0])
        #expect(try await fixture.ids([1, 0, 0], k: 5) == ["single"])
        let built = inode(fixture.scanPath)
        // Three chunks of one job land after the file was made: three change rows.
        let id = try fixture.add("chunked", [0, 1, 0])
        for (chunk, vector) in [(1, [Float(0), 0.8, 0.6]), (2, [Float(0.6), 0.8, 0])] {
            try fixture.store.db.run("""
                INSERT INTO embeddings (job_id, chunk, start, end, text, model, dimensions, vector, input_hash, created_at, job_hash)
                SELECT job_id, ?2, 0, 1, 'c', model, dimensions, ?3, input_hash, 0, job_hash FROM embeddings WHERE job_id = ?1 AND chunk = 0
                """, .integer(id), .integer(Int64(chunk)), .blob(littleEndian(vector)))
        }
        let hits = try await fixture.search.search([0, 1, 0], kind: VectorKind(model: "m", dimensions: 3), options: SearchOptions(k: 10))
        #expect(hits.map { "\($0.text.customID)#\($0.text.chunk)" } == ["chunked#0", "chunked#1", "chunked#2", "single#0"])
        #expect(inode(fixture.scanPath) == built, "appended, not rebuilt")
        #expect(try fixture.scanStore.upToDate().kinds == [VectorKind(model: "m", dimensions: 3): 4])
    }

    @Test func changeLogRecordsAddsReplacementsAndDeletions() throws {
        let fixture = try SearchFixture()
        let id = try fixture.add("a", [1, 0])
        try fixture.add("a", [0, 1])
        try fixture.store.db.run("UPDATE embeddings SET reused = 1")
        try fixture.store.db.run("DELETE FROM embeddings WHERE job_id = ?1", .integer(id))
        let log = try fixture.store.db.rows("SELECT job_id, removed FROM search_changes ORDER BY seq")
        #expect(log == [[.integer(id), .integer(0)], [.integer(id), .integer(1)], [.integer(id), .integer(0)], [.integer(id), .integer(1)]],
                "add, replace (removal then add), an update of no vector column is not logged, delete")
        #expect(try fixture.rows.hasRemovals(after: 1))
        #expect(try !fixture.rows.hasRemovals(after: 4))
    }

    @Test func aKilledRebuildOrAppendLeavesNothingThatIsUsed() async throws {
        let fixture = try SearchFixture()
        var random = UnitVectors(seed: 9)
        var stored: [(id: String, vector: [Float])] = []
        for index in 0..<40 { stored.append(("d\(index)", random.vector(16))) }
        for item in stored { try fixture.add(item.id, item.vector) }
        let query = random.vector(16)
        #expect(try await fixture.ids(query, k: 3) == bruteForce(stored, query: query, k: 3))

        // A rebuild killed half-way leaves its temporary file (the name of a dead process);
        // an append killed half-way leaves bytes past the committed length.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let leftover = "\(fixture.scanPath).tmp-\(dead.processIdentifier)-1"
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixture.scanPath))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: leftover))
        let handle = try #require(FileHandle(forWritingAtPath: fixture.scanPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0xAB, count: 5000))
        try handle.close()

        #expect(try await fixture.ids(query, k: 3) == bruteForce(stored, query: query, k: 3), "the half-written tail is ignored")
        try fixture.add("new", query)
        stored.append(("new", query))
        #expect(try await fixture.ids(query, k: 3) == bruteForce(stored, query: query, k: 3))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: fixture.scanPath)[.size] as? Int)
        #expect(size == Int(try fixture.scanStore.upToDate().header.committedLength), "the next append cut the dead tail off")
        try fixture.scanStore.rebuild()
        #expect(!FileManager.default.fileExists(atPath: leftover), "a rebuild removes a dead build's temporary file")
        #expect(fixture.notes.isEmpty)
    }

    @Test func corruptTruncatedAndForeignFilesAreDetectedAndRebuilt() async throws {
        let fixture = try SearchFixture()
        var random = UnitVectors(seed: 13)
        var stored: [(id: String, vector: [Float])] = []
        for index in 0..<60 { stored.append(("d\(index)", random.vector(32))) }
        for item in stored { try fixture.add(item.id, item.vector) }
        let query = random.vector(32)
        let expected = bruteForce(stored, query: query, k: 4)
        #expect(try await fixture.ids(query, k: 4) == expected)
        let url = URL(fileURLWithPath: fixture.scanPath)
        let good = try Data(contentsOf: url)

        // One flipped bit in the int8 codes, found by the first pass's checksum.
        var flipped = good
        let file = try fixture.scanStore.upToDate()
        let header = file.blocks[0]
        flipped[header.offset + header.header.codesOffset + 7] ^= 0x04
        try flipped.write(to: url)
        #expect(try await fixture.ids(query, k: 4) == expected)
        #expect(fixture.notes.last?.contains("was corrupt (code checksum mismatch in the block at offset") == true, "\(fixture.notes)")

        // One flipped bit in the float32 vector of the best hit, which is rescored: found
        // by that vector's own checksum.
        let best = try requireValue(fixture.store.db.scalarInt("SELECT id FROM jobs WHERE custom_id = ?1", .text(expected[0])))
        let position = try #require((0..<header.header.count).first { file.key($0, of: header).jobID == Int64(best) })
        var floatFlip = good
        floatFlip[header.offset + header.header.vectorsOffset + position * 32 * 4 + 4 * 3] ^= 0x01
        try floatFlip.write(to: url)
        #expect(try await fixture.ids(query, k: 4) == expected)
        #expect(fixture.notes.last?.contains("was corrupt (vector checksum mismatch for vector \(position) of the block at offset") == true,
                "\(fixture.notes)")

        // A file of the previous format (float32 only) is not read: rebuilt.
        var old = good
        old[8] = 1
        try old.write(to: url)
        #expect(try await fixture.ids(query, k: 4) == expected)
        #expect(fixture.notes.last?.contains("was corrupt (format version 1, not 2)") == true, "\(fixture.notes)")

        try good.prefix(good.count - 100).write(to: url)
        #expect(try await fixture.ids(query, k: 4) == expected)
        #expect(fixture.notes.last?.contains("was truncated") == true, "\(fixture.notes)")

        try Data(repeating: 0x42, count: 9000).write(to: url)
        #expect(try await fixture.ids(query, k: 4) == expected)
        #expect(fixture.notes.last?.contains("was corrupt (not an llmq scan file (bad magic))") == true, "\(fixture.notes)")

        var keyFlip = good
        keyFlip[header.offset + header.header.keysOffset] ^= 0x01
        try keyFlip.write(to: url)
        #expect(try await fixture.ids(query, k: 4) == expected)
        #expect(fixture.notes.last?.contains("key checksum mismatch") == true, "\(fixture.notes)")

        // Another database's file at this path (same vectors, other identity).
        let other = try SearchFixture()
        for item in stored { try other.add(item.id, item.vector) }
        _ = try other.scanStore.upToDate()
        try Data(contentsOf: URL(fileURLWithPath: other.scanPath)).write(to: url)
        #expect(try await fixture.ids(query, k: 4) == expected)
        #expect(fixture.notes.last?.contains("was made for another database: rebuilt") == true, "\(fixture.notes)")
        #expect(fixture.notes.count == 7)
    }

    @Test func withoutTheChangeLogTriggersTheFileIsRebuiltForEverySearch() async throws {
        let fixture = try SearchFixture()
        try fixture.add("a", [1, 0])
        #expect(try await fixture.ids([1, 0], k: 5) == ["a"])
        try fixture.store.db.run("DROP TRIGGER search_embedding_added")
        try fixture.add("b", [0.8, 0.6])  // not logged: the file's seq still matches
        #expect(try await fixture.ids([1, 0], k: 5) == ["a", "b"])
        #expect(fixture.notes.last?.contains("the triggers that log changes to embeddings are missing") == true, "\(fixture.notes)")
    }

    @Test func aFileCoveringMoreThanTheDatabaseIsRebuilt() async throws {
        // A database restored from an older copy: the file's seq is past the log's end,
        // or the log reached the same seq with other changes (the nonce tells).
        let fixture = try SearchFixture()
        try fixture.add("a", [1, 0])
        try fixture.add("b", [0, 1])
        _ = try fixture.scanStore.upToDate()
        try fixture.store.db.run("DELETE FROM search_changes WHERE seq = 2")
        try fixture.store.db.run("DELETE FROM jobs WHERE custom_id = 'b'")  // logged as seq 2 again, other nonce
        #expect(try fixture.rows.changeState().seq == 2)
        #expect(try await fixture.ids([0, 1], k: 5) == ["a"])
    }
}
