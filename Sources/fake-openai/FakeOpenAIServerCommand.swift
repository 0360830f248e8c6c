import ArgumentParser
@main struct FakeOpenAIServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fake-openai", abstract: "Runs the fake OpenAI server on loopback.")
}
