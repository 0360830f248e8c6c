import ArgumentParser
@main struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "llmq benchmarks.", subcommands: [TokensBenchmark.self])
}
