#if canImport(Glibc)
import Glibc
#endif

// The entry point: parse, run, and turn every outcome into DESIGN's exit codes.
// ArgumentParser's own usage errors exit 64; llmq's contract says 2, so they are
// remapped in `LLMQ.runMain`. `exit` flushes stdout.
let status = await LLMQ.runMain(CommandLine.arguments.dropFirst().map { $0 })
exit(status.rawValue)
