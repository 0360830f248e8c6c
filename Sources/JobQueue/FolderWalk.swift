#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One regular file found under a folder: where it is (its folder relative to the walked
/// folder, and its name), size and modification time, read from `lstat`/`stat` without
/// opening the file.
public struct FolderEntry: Sendable, Equatable {
    /// The file's folder relative to the walked folder, `/`-separated and ending in `/`;
    /// empty for a file at the top. Every file of one folder shares this string.
    public var folder: String
    /// How many folders down from the walked folder (0: at the top); the walk has one
    /// folder open at each depth, so `(depth, folder)` names the folder being read there.
    public var depth: Int
    /// The folder that holds the file, as reached from the folder as given.
    public var directory: String
    /// The file's name in `directory`.
    public var name: String
    public var bytes: Int
    /// Modification time, unix seconds and nanoseconds.
    public var modifiedSeconds: Int
    public var modifiedNanoseconds: Int

    /// An entry for the file `name` of the folder `folder` (relative, ending in `/`, or
    /// empty), reached as `directory`.
    public init(folder: String, depth: Int, directory: String, name: String, bytes: Int, modifiedSeconds: Int, modifiedNanoseconds: Int) {
        self.folder = folder
        self.depth = depth
        self.directory = directory
        self.name = name
        self.bytes = bytes
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
    }

    /// The path relative to the walked folder, `/`-separated (the job's id): `folder + name`,
    /// built when asked for (an unchanged file never needs it).
    public var relativePath: String { folder + name }

    /// The path to open: the folder as given joined with the file's name (built when asked
    /// for: an unchanged file never needs it).
    public var path: String { FolderWalk.join(directory, name) }
}

/// Walks a folder depth-first in constant memory (one open directory per level, entries
/// handed over as they are read, never collected). Regular files are reported; a symbolic
/// link to a file is followed only when its target lies inside the folder; links to
/// folders are not followed (no loops), and other file types are skipped, each with a
/// notice. Version-control metadata (`.git`, `.hg`, `.svn`, `.bzr`: the folders, or a
/// submodule's `.git` file) is skipped without a notice, whatever `--glob` says: it is the
/// tool's, not the user's documents. Every other file is walked, hidden ones too (the
/// contract's "default every file"). `--glob` patterns (`fnmatch`, `*` also matching `/`) filter relative paths.
public struct FolderWalk: Sendable {
    /// Names of version-control metadata (folders, or a submodule's `.git` file), never walked.
    public static let versionControlNames: Set<String> = [".git", ".hg", ".svn", ".bzr"]

    /// The folder as the user named it.
    public let root: String
    /// The folder's real path (symlinks resolved): the prefix a link target must have.
    public let realRoot: String
    /// Patterns a relative path must match one of; empty: every file.
    public let globs: [String]

    /// A walk of `root`.
    /// - Throws: `JobQueueError(.io)` when `root` is missing, not a folder, or
    ///   cannot be resolved (the message names it).
    public init(root: String, globs: [String] = []) throws {
        var info = stat()
        guard stat(root, &info) == 0 else {
            throw JobQueueError(.io, "\(root): \(String(cString: strerror(errno))) (--files takes a folder)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw JobQueueError(.io, "\(root): not a folder (--files takes folders; give job files without --files)")
        }
        guard let resolved = realpath(root, nil) else {
            throw JobQueueError(.io, "\(root): \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        self.root = root
        self.realRoot = String(cString: resolved)
        self.globs = globs
    }

    /// Calls `file` for every file in the walk and `notice` with `PATH: reason` for what is
    /// skipped (`isError`: an unreadable folder, which makes the ingest exit 65).
    public func forEach(_ file: (FolderEntry) throws -> Void, notice: (String, _ isError: Bool) -> Void) rethrows {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try walk(descriptor, directory: root, folder: "", depth: 0, file, notice)
    }

    /// `directory` and `name` joined with one `/`.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Walks the open folder `descriptor` (closed here; -1: it could not be opened). Entries
    /// are looked up relative to the folder's descriptor, so the kernel resolves one name
    /// per file, not the whole path.
    /// `folder` is the folder's path relative to the root, ending in `/` (empty at the top).
    private func walk(_ descriptor: Int32, directory: String, folder relative: String, depth: Int, _ file: (FolderEntry) throws -> Void,
                      _ notice: (String, Bool) -> Void) rethrows {
        guard descriptor >= 0, let handle = fdopendir(descriptor) else {
            notice("\(directory): cannot read folder: \(String(cString: strerror(errno)))", true)
            if descriptor >= 0 { close(descriptor) }
            return
        }
        defer { closedir(handle) }
        let folder = dirfd(handle)
        while let item = readdir(handle) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." || Self.isVersionControl(name) { continue }
            var info = stat()
            guard fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                notice("\(Self.join(directory, name)): \(String(cString: strerror(errno)))", true)
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                let child = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                try walk(child, directory: Self.join(directory, name), folder: relative + name + "/", depth: depth + 1, file, notice)
            case S_IFREG:
                if matches(relative, name) { try file(entry(relative, depth, directory, name, info)) }
            case S_IFLNK:
                guard matches(relative, name) else { continue }
                let path = Self.join(directory, name)
                guard let target = realpath(path, nil) else {
                    notice("\(path): broken symbolic link, skipped", false)
                    continue
                }
                let resolved = String(cString: target)
                free(target)
                guard resolved.hasPrefix(realRoot + "/") else {
                    notice("\(path): symbolic link to \(resolved), outside \(root), not followed", false)
                    continue
                }
                var targetInfo = stat()
                guard stat(path, &targetInfo) == 0, targetInfo.st_mode & S_IFMT == S_IFREG else {
                    notice("\(path): symbolic link to a folder or special file, not followed", false)
                    continue
                }
                try file(entry(relative, depth, directory, name, targetInfo))
            default:
                if matches(relative, name) { notice("\(Self.join(directory, name)): not a regular file, skipped", false) }
            }
        }
    }

    /// Whether `name` is version-control metadata (checked without hashing most names).
    @inline(__always)
    private static func isVersionControl(_ name: String) -> Bool {
        name.utf8.first == UInt8(ascii: ".") && name.utf8.count <= 4 && versionControlNames.contains(name)
    }

    private func entry(_ folder: String, _ depth: Int, _ directory: String, _ name: String, _ info: stat) -> FolderEntry {
        FolderEntry(folder: folder, depth: depth, directory: directory, name: name, bytes: Int(info.st_size),
                    modifiedSeconds: Int(info.st_mtim.tv_sec), modifiedNanoseconds: Int(info.st_mtim.tv_nsec))
    }

    /// Whether the file `name` of the relative folder `folder` passes `--glob`.
    private func matches(_ folder: String, _ name: String) -> Bool {
        if globs.isEmpty { return true }
        let relativePath = folder + name
        return globs.contains { fnmatch($0, relativePath, 0) == 0 }
    }
}
