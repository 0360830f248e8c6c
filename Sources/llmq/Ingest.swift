import Foundation
import JobQueue

#if canImport(Glibc)
import Glibc
#endif

/// Enqueues job files: opens every file first (so a missing one exits 2 before anything is
/// written), then streams each into the queue, printing every rejected line and warning to
/// stderr as `FILE:LINE: reason`.
struct Ingest {
    var paths: [String]
    var parser: JobLineParser
    var maxLineBytes: Int

    /// Opens the inputs. `-` is standard input (once).
    /// - Throws: `CLIError(.usage)` naming the file that cannot be read.
    func openSources() throws -> [JobSource] {
        var sources: [JobSource] = []
        var usedStdin = false
        for path in paths {
            if path == "-" {
                guard !usedStdin else { throw CLIError(.usage, "standard input ('-') can be named only once") }
                usedStdin = true
                sources.append(JobSource(name: "<stdin>", fd: 0))
                continue
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                closeAll(sources)
                throw CLIError(.usage, "\(path): is a directory, not a job file")
            }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                closeAll(sources)
                throw CLIError(.usage, "cannot read job file \(path): \(reason)")
            }
            sources.append(JobSource(name: path, fd: fd))
        }
        return sources
    }

    /// Streams every source into `store`; returns the summed counts.
    func run(into store: JobStore, sources: [JobSource]) throws -> EnqueueCounts {
        defer { closeAll(sources) }
        let ingestID = try store.beginIngest(sources: sources.map(\.name))
        var total = EnqueueCounts()
        for source in sources {
            let counts = try store.enqueue(source, ingestID: ingestID, parser: parser, maxLineBytes: maxLineBytes) { diagnostic in
                printError(diagnostic.description)
            }
            total.add(counts)
        }
        return total
    }

    /// Closes the descriptors `openSources` opened (standard input stays open).
    func closeAll(_ sources: [JobSource]) {
        for source in sources where source.fd > 0 { close(source.fd) }
    }
}
