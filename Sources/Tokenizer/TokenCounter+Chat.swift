extension TokenCounter {
    /// Tokens the chat format adds to every message (tiktoken's cookbook figure for the
    /// gpt-4o family and gpt-4: `<|start|>role<|message|>…<|end|>` framing).
    public static let chatTokensPerMessage = 3
    /// Tokens that prime the assistant's reply (`<|start|>assistant<|message|>`).
    public static let chatReplyPrimingTokens = 3

    /// The prompt tokens of a chat request, by the convention of the OpenAI cookbook's
    /// `num_tokens_from_messages` (gpt-4o family): 3 per message, plus the tokens of each
    /// message's role and content, plus 3 for the reply priming. Exact only as far as
    /// that convention matches the API's `usage.prompt_tokens`; an upper bound when this
    /// counter gives upper bounds.
    /// - Parameter messages: the messages in the order they are sent.
    public func countChat(_ messages: some Sequence<(role: String, content: String)>) -> TokenCount {
        var total = TokenCount(tokens: Self.chatReplyPrimingTokens, isExact: isExact)
        for message in messages {
            total.tokens += Self.chatTokensPerMessage + count(message.role).tokens + count(message.content).tokens
        }
        return total
    }
}
