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
}
