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
            do {
                sources.append(try openOne(path, usedStdin: &usedStdin))
            } catch let error as UnreadableJobFile {
                closeAll(sources)
                throw CLIError(.usage, error.message)
            } catch {
                closeAll(sources)
                throw error
            }
        }
        return sources
    }

    /// Opens the inputs that can be opened (the cron path of `run FILE...`): each one that
    /// cannot is reported on stderr and left out, so one missing file blocks neither the
    /// others nor the queue. A name with glob characters that does not exist is a pattern
    /// the shell matched to nothing (`new-docs/*.jsonl` on a night without new files): a
    /// note, not counted as unreadable.
    /// - Returns: the open sources and how many files could not be read.
    func openReadableSources() throws -> (sources: [JobSource], unreadable: Int) {
        var sources: [JobSource] = []
        var unreadable = 0
        var usedStdin = false
        for path in paths {
            do {
                sources.append(try openOne(path, usedStdin: &usedStdin))
            } catch let error as UnreadableJobFile {
                if error.errorNumber == ENOENT, path.contains(where: { "*?[".contains($0) }) {
                    printError("llmq: note: no job file matches \(path); nothing new to enqueue from it")
                } else {
                    printError("llmq: \(error.message); skipped (the other files and the queue are still run)")
                    unreadable += 1
                }
            }
        }
        return (sources, unreadable)
    }

    /// Opens one input; `-` is standard input, which may be named once.
    private func openOne(_ path: String, usedStdin: inout Bool) throws -> JobSource {
        if path == "-" {
            guard !usedStdin else { throw CLIError(.usage, "standard input ('-') can be named only once") }
            usedStdin = true
            return JobSource(name: "<stdin>", fd: 0)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw UnreadableJobFile(message: "\(path): is a directory, not a job file", errorNumber: EISDIR)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let number = errno
            throw UnreadableJobFile(message: "cannot read job file \(path): \(String(cString: strerror(number)))", errorNumber: number)
        }
        return JobSource(name: path, fd: fd)
    }

    /// Streams every source into `store`; returns the summed counts.
    func run(into store: JobStore, sources: [JobSource]) throws -> EnqueueCounts {
        defer { closeAll(sources) }
        let ingestID = try store.beginIngest(sources: sources.map(\.name))
        var total = EnqueueCounts()
        let printer = DiagnosticPrinter()
        for source in sources {
            let counts = try store.enqueue(source, ingestID: ingestID, parser: parser, maxLineBytes: maxLineBytes) { diagnostic in
                printer.report(diagnostic)
            }
            printer.finishFile()
            total.add(counts)
        }
        return total
    }

    /// A job file that cannot be opened: the message for stderr and the errno.
    struct UnreadableJobFile: Error, CustomStringConvertible {
        var message: String
        var errorNumber: Int32
        var description: String { message }
    }

    /// Closes the descriptors `openSources` opened (standard input stays open).
    func closeAll(_ sources: [JobSource]) {
        for source in sources where source.fd > 0 { close(source.fd) }
    }
}
