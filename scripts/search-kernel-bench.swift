import Foundation
import Glibc

// Standalone release-mode harness (scripts/bench-search-kernel.sh): llmq's Search scan code (compiled with -O) over a
// database made by scripts/make-vector-db.py. Builds the scan file from the database
// (as ScanFileStore.rebuild does), then times queries that each open + map the file and
// scan it on all cores, like one `llmq search --like` process minus process start.
public struct ChangeState: Equatable, Sendable { public var databaseID: [UInt8]; public var seq: Int64; public var nonce: Int64 }
func now() -> Double { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }

let args = CommandLine.arguments
let dbPath = args[1], scanPath = args[2], queries = Int(args[3]) ?? 20
let db = try Connection(path: dbPath)
var t0 = now()
let fd = open(scanPath + ".tmp", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
let writer = ScanFileWriter(fd: fd, name: scanPath, offset: ScanFileLayout.headerSize, blockCount: 0)
let st = try db.prepare("SELECT e.job_id, 0, e.model, e.dimensions, e.vector FROM embeddings e")
var n = 0
while try st.step() {
    let kind = VectorKind(model: st.string(at: 2)!, dimensions: st.int(at: 3))
    try st.withBlob(at: 4) { try writer.add(VectorKey(jobID: st.int64(at: 0), chunk: 0), kind: kind, bytes: $0) }
    n += 1
}
try writer.finish()
let header = ScanFileHeader(databaseID: [UInt8](repeating: 1, count: 16), coveredSeq: 1, coveredNonce: 1, committedLength: UInt64(writer.offset), blockCount: UInt32(writer.blockCount))
try writer.writeAll(header.encoded(), at: 0)
close(fd); rename(scanPath + ".tmp", scanPath)
print(String(format: "scan file built from the database: %d vectors in %.2f s", n, now() - t0))
let kind = VectorKind(model: "text-embedding-3-small", dimensions: 1536)
guard case .success(let warm) = ScanFile.open(path: scanPath) else { fatalError("open") }
var ids: [Int64] = []
var rng = SystemRandomNumberGenerator()
for _ in 0..<queries { ids.append(Int64.random(in: 1...Int64(n), using: &rng)) }
// query vectors from the file itself
var qs: [[Float]] = []
for id in ids {
    let v = try db.rows("SELECT vector FROM embeddings WHERE job_id = ?1", .integer(id))
    guard case .blob(let b) = v[0][0] else { fatalError() }
    qs.append(b.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
}
_ = try await ExactScan.run(file: warm, kind: kind, query: qs[0], k: 10)
for workers in [1, 2] {
    var total = 0.0, open = 0.0
    var r0 = rusage(); getrusage(RUSAGE_SELF.rawValue, &r0)
    for q in qs {
        let a = now()
        guard case .success(let file) = ScanFile.open(path: scanPath) else { fatalError("open") }
        let b = now()
        let hits = try await ExactScan.run(file: file, kind: kind, query: q, k: 10, workers: workers)
        precondition(hits.count >= 10)
        total += now() - a; open += b - a
    }
    let mean = total / Double(qs.count)
    var r1 = rusage(); getrusage(RUSAGE_SELF.rawValue, &r1)
    func sec(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    let cpu = (sec(r1.ru_utime) - sec(r0.ru_utime) + sec(r1.ru_stime) - sec(r0.ru_stime)) / Double(qs.count)
    print(String(format: "scan, %d worker(s): %.1f ms/query wall (open+map %.2f ms), %.1f ms CPU/query, %.2f GB/s of vectors", workers, mean * 1e3, open / Double(qs.count) * 1e3, cpu * 1e3, Double(n * 6144) / mean / 1e9))
}
