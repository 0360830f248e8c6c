import Testing
import Tokenizer

struct ChatTokenCountTests {
    /// Figures from tiktoken 0.14.0 with the OpenAI cookbook's `num_tokens_from_messages`
    /// (gpt-4o family): 3 per message + role + content, + 3 for the reply.
    @Test func chatCountFollowsTheCookbookConventionForGpt4o() throws {
        let counter = TokenCounter(encoding: try TestData.encoding(.o200kBase))
        let messages = [(role: "system", content: "You are terse."), (role: "user", content: "What is a JSONL file?")]
        #expect(counter.countChat(messages) == TokenCount(tokens: 22, isExact: true))
        #expect(counter.countChat([(role: "user", content: "Translate to French: good morning")]).tokens == 13)
    }

    @Test func chatCountWithoutRankFilesIsAnUpperBound() {
        let count = TokenCounter.upperBound.countChat([(role: "user", content: "hello")])
        #expect(count == TokenCount(tokens: 3 + 3 + 4 + 5, isExact: false))
    }
}
