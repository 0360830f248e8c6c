import Crypto

/// A deterministic chat answer as the fake server returns it.
public struct FakeChatReply: Sendable, Hashable {
    /// The assistant's text.
    public var content: String
    /// `stop`, or `length` when `maxTokens` cut it short.
    public var finishReason: String
    /// Completion tokens charged (one per word of `content`).
    public var completionTokens: Int
}

extension FakeOpenAIServer {
    /// The exact vector the server returns for `text` under `model` at `dimensions`:
    /// values drawn from a SplitMix64 stream seeded by SHA-256(model, text), L2-normalised.
    /// A shorter `dimensions` is the renormalised prefix of the longer vector, as with the real API.
    public static func embedding(for text: String, model: String, dimensions: Int) -> [Float] {
        guard dimensions > 0 else { return [] }
        var hasher = SHA256()
        hasher.update(data: Array(model.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(text.utf8))
        let digest = Array(hasher.finalize())
        var state = digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        var vector = [Float](repeating: 0, count: dimensions)
        var sumOfSquares: Float = 0
        for index in 0..<dimensions {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let value = Float(Int32(truncatingIfNeeded: z >> 32)) / 2_147_483_648
            vector[index] = value
            sumOfSquares += value * value
        }
        let scale = sumOfSquares > 0 ? 1 / sumOfSquares.squareRoot() : 1
        for index in 0..<dimensions { vector[index] *= scale }
        return vector
    }

    /// The exact reply the server gives to `messages` (role, content pairs) under `model`,
    /// honouring `maxTokens` (one token per word): "Fake reply <hash>: <words of the last user message>".
    public static func chatReply(messages: [(role: String, content: String)], model: String, maxTokens: Int) -> FakeChatReply {
        var hasher = SHA256()
        hasher.update(data: Array(model.utf8))
        for message in messages {
            hasher.update(data: Array(message.role.utf8) + [0] + Array(message.content.utf8) + [0])
        }
        let tag = hasher.finalize().prefix(4).map { byte in
            String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
        let lastUser = messages.last(where: { $0.role == "user" })?.content ?? ""
        let words = ["Fake", "reply", "\(tag):"] + lastUser.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(64).map(String.init)
        let limit = max(1, maxTokens)
        let kept = Array(words.prefix(limit))
        return FakeChatReply(
            content: kept.joined(separator: " "), finishReason: words.count > limit ? "length" : "stop",
            completionTokens: kept.count
        )
    }

    /// The exact reply for llmq's message layout: the system message (when given), then
    /// `Context:\n<context>` as a user message (when given), then the prompt.
    public static func chatReply(
        system: String?, context: String?, user: String, model: String, maxTokens: Int
    ) -> FakeChatReply {
        var messages: [(role: String, content: String)] = []
        if let system { messages.append(("system", system)) }
        if let context { messages.append(("user", "Context:\n\(context)")) }
        messages.append(("user", user))
        return chatReply(messages: messages, model: model, maxTokens: maxTokens)
    }

    /// The server's token estimate for a text: UTF-8 bytes / 4, rounded up, at least 1.
    public static func estimatedTokens(_ text: String) -> Int {
        max(1, (text.utf8.count + 3) / 4)
    }

    /// The native vector length the fake uses for `model`: 3072 for `*-3-large`, 384 for a
    /// MiniLM (`sentence-transformers/all-MiniLM-L6-v2`, as local servers serve it), else 1536.
    public static func nativeDimensions(of model: String) -> Int {
        if model.contains("3-large") { return 3072 }
        return model.lowercased().contains("minilm") ? 384 : 1536
    }
}
