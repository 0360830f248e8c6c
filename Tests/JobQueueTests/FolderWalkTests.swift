import Foundation
import Testing
import JobQueue
import TestSupport

/// What `--files DIR` walks: every file, hidden ones too, but never version-control metadata.
struct FolderWalkTests {
    private func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func walked(_ root: String, globs: [String] = []) throws -> (files: [String], notices: [String]) {
        var files: [String] = []
        var notices: [String] = []
        try FolderWalk(root: root, globs: globs).forEach({ files.append($0.relativePath) }, notice: { message, _ in notices.append(message) })
        return (files.sorted(), notices)
    }

    @Test func versionControlFoldersAreSkippedAndOtherHiddenFilesAreWalked() throws {
        let dir = try TemporaryDirectory()
        let root = dir.path("repo")
        try write("# Readme\n", root + "/README.md")
        try write("ref: refs/heads/main\n", root + "/.git/HEAD")
        try write("[core]\n", root + "/.git/config")
        try write("revlog\n", root + "/.hg/store/data")
        try write("entries\n", root + "/.svn/entries")
        try write("branch\n", root + "/.bzr/branch-format")
        try write("gitdir: ../.git/modules/lib\n", root + "/lib/.git")
        try write("let x = 1\n", root + "/lib/main.swift")
        try write("name: ci\n", root + "/.github/workflows/ci.yml")
        try write("TOKEN=placeholder\n", root + "/.env")
        let walk = try walked(root)
        #expect(walk.files == [".env", ".github/workflows/ci.yml", "README.md", "lib/main.swift"])
        #expect(walk.notices.isEmpty, "\(walk.notices)")
        let globbed = try walked(root, globs: ["*"])
        #expect(globbed.files == walk.files, "a glob does not bring version-control metadata back")
    }

    @Test func walkingAheadOnAThreadHandsOverWhatForEachSeesInTheSameOrder() throws {
        let dir = try TemporaryDirectory()
        let root = dir.path("tree")
        for index in 0..<60 { try write("\(index)\n", root + "/d\(index % 7)/\(index % 3 == 0 ? "sub/" : "")f\(index).md") }
        try write("x\n", root + "/top.md")
        mkfifo(root + "/d1/pipe", 0o600)
        let walk = try FolderWalk(root: root)
        var direct: [String] = []
        walk.forEach({ direct.append($0.relativePath) }, notice: { message, _ in direct.append("notice: " + message) })
        var ahead: [String] = []
        try walk.forEachReadAhead(chunkSize: 4, { ahead.append($0.relativePath) }, notice: { message, _ in ahead.append("notice: " + message) })
        #expect(direct.count == 62)
        #expect(direct.contains("notice: \(root)/d1/pipe: not a regular file, skipped"))
        #expect(ahead == direct)
    }

    @Test func anErrorFromTheCallerStopsTheWalkAheadAndIsRethrown() throws {
        struct Stop: Error {}
        let dir = try TemporaryDirectory()
        let root = dir.path("tree")
        for index in 0..<60 { try write("\(index)\n", root + "/d\(index % 3)/f\(index).md") }  // 15 chunks: the walk waits
        var seen = 0
        #expect(throws: Stop.self) {
            try FolderWalk(root: root).forEachReadAhead(chunkSize: 4, { _ in
                seen += 1
                if seen == 6 { throw Stop() }
            }, notice: { _, _ in })
        }
        #expect(seen == 6)
    }
}
