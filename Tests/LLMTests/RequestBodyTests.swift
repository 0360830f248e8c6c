import LLM
import NIOCore
import Testing

/// The request bodies leave unset optional fields out (vLLM, TEI and infinity refuse `null`)
/// and carry the `encoding_format` asked for.
struct RequestBodyTests {
    func text(_ body: ByteBuffer) -> String { String(buffer: body) }

    @Test func embeddingsBodyOmitsUnsetDimensionsAndCarriesTheEncoding() throws {
        let plain = text(OpenAIRequestBody.embeddings(["a"], model: "m", dimensions: nil))
        #expect(!plain.contains("dimensions"))
        #expect(!plain.contains("null"))
        #expect(plain.contains(#""encoding_format":"base64""#))
        let float = text(OpenAIRequestBody.embeddings(["a"], model: "m", dimensions: 256, encoding: .float))
        #expect(float.contains(#""encoding_format":"float""#))
        #expect(float.contains(#""dimensions":256"#))
    }

    @Test func chatBodyHasNoNull() throws {
        let body = text(OpenAIRequestBody.chat(ChatRequest(messages: [.user("hi")]), defaultModel: "gpt-4o-mini"))
        #expect(!body.contains("null"), "body: \(body)")
        #expect(body.contains(#""model":"gpt-4o-mini""#))
    }
}
