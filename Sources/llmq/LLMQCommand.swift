import ArgumentParser
@main struct LLMQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "llmq", abstract: "Batch job processor for LLM work.")
}
