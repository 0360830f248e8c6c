import ArgumentParser

/// `bench`: llmq's benchmarks. Each subcommand prints its figures; BENCHMARKS.md records
/// them with the command that produced them.
@main struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "llmq benchmarks.", subcommands: [FakeRunBenchmark.self, TokensBenchmark.self, ChunkBenchmark.self, JSONBenchmark.self])
}
