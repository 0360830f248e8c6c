#if canImport(Glibc)
import CMalloc
import Glibc
#endif

#if canImport(Glibc)
// A run holds a few multi-megabyte buffers at a time (a 512-vector response body is about
// 4 MiB, its packed vectors 3 MiB). glibc's adaptive threshold soon serves such sizes from
// its arenas, where freed blocks fragment and RSS creeps up over a long run; a fixed
// threshold keeps every block of 2 MiB or more in its own mapping, returned on free, so
// RSS stays flat however many jobs a run processes.
_ = mallopt(M_MMAP_THRESHOLD, 2 << 20)
#endif

// The entry point: parse, run, and turn every outcome into DESIGN's exit codes.
// ArgumentParser's own usage errors exit 64; llmq's contract says 2, so they are
// remapped in `LLMQ.runMain`. `exit` flushes stdout.
let status = await LLMQ.runMain(CommandLine.arguments.dropFirst().map { $0 })
exit(status.rawValue)
