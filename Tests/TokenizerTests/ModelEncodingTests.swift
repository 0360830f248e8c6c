import Testing
import Tokenizer

/// The model → encoding map (exact name, then prefix, as tiktoken/model.py).
struct ModelEncodingTests {
    @Test(arguments: [
        ("text-embedding-3-small", EncodingName.cl100kBase),
        ("text-embedding-3-large", .cl100kBase),
        ("text-embedding-ada-002", .cl100kBase),
        ("gpt-4", .cl100kBase),
        ("gpt-4-0613", .cl100kBase),
        ("gpt-3.5-turbo-0125", .cl100kBase),
        ("gpt-4o", .o200kBase),
        ("gpt-4o-mini", .o200kBase),
        ("gpt-4o-mini-2024-07-18", .o200kBase),
        ("gpt-4.1-mini", .o200kBase),
        ("o3-mini", .o200kBase),
        ("ft:gpt-4o-mini:org::abc", .o200kBase),
        ("ft:gpt-4-0613:org::abc", .cl100kBase),
    ])
    func modelsMapToTheirTiktokenEncoding(_ model: String, _ expected: EncodingName) throws {
        #expect(try EncodingName.forModel(model) == expected)
    }

    @Test func anUnknownModelIsAnError() {
        #expect {
            try EncodingName.forModel("my-local-llama")
        } throws: { error in
            (error as? TokenizerError)?.code == .unknownModel
        }
    }
}
