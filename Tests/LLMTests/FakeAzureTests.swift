@testable import FakeOpenAI
import Foundation
import NIOCore
import Testing

/// The fake's Azure mode answers only the classic routes, with `api-version` and `api-key`,
/// and in Azure's shapes otherwise.
struct FakeAzureTests {
    private let engine = FakeOpenAIEngine(options: FakeOpenAIOptions(azure: FakeAzureOptions(apiKey: "k1")))
    private let body = ByteBuffer(string: #"{"input": ["hello"], "encoding_format": "float"}"#)

    private func answer(_ path: String, method: String = "POST", query: [String: String] = ["api-version": "2024-10-21"],
                        headers: [String: String] = ["api-key": "k1"], body: ByteBuffer? = nil) throws -> (status: Int, headers: [String: String], body: String) {
        let request = FakeRequest(method: method, path: path, headers: headers, body: body ?? self.body, query: query)
        guard case .respond(let response, _) = engine.handle(request)
        else { throw CancellationError() }
        return (response.status, Dictionary(response.headers, uniquingKeysWith: { $1 }), String(buffer: response.body))
    }

    private let notFound = #"{"error":{"code":"404","message":"Resource not found"}}"#

    @Test func theClassicRouteAnswersWithOnlyTheRemainingHeaders() throws {
        let reply = try answer("/openai/deployments/emb/embeddings")
        #expect(reply.status == 200)
        #expect(reply.body.contains(#""model":"emb""#))
        let rateHeaders = reply.headers.keys.filter { $0.hasPrefix("x-ratelimit") }.sorted()
        #expect(rateHeaders == ["x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens"])
    }

    @Test func otherRoutesAndAMissingOrMangledVersionAre404sInAzuresShape() throws {
        #expect(try answer("/v1/embeddings").body == notFound)
        #expect(try answer("/openai/deployments/emb/embeddings", query: [:]).status == 404)
        #expect(try answer("/openai/deployments/emb/embeddings", query: [:]).body == notFound)
        // The issue's URL: the path appended after the query.
        #expect(try answer("/openai/deployments/emb", query: ["api-version": "2024-02-01/embeddings"]).body == notFound)
        #expect(try answer("/openai/deployments/emb/embeddings", method: "GET").status == 404)
    }

    @Test func theV1APITakesTheBodysModelAndABearerKeyWithoutAVersion() throws {
        let v1 = ByteBuffer(string: #"{"model": "emb", "input": ["hello"], "encoding_format": "float"}"#)
        let reply = try answer("/openai/v1/embeddings", query: [:], headers: ["authorization": "Bearer k1"], body: v1)
        #expect(reply.status == 200)
        #expect(reply.body.contains(#""model":"emb""#))
        #expect(try answer("/openai/v1/embeddings", query: [:], headers: ["authorization": "Bearer k2"], body: v1).status == 401)
        #expect(try answer("/openai/v1/embeddings", query: ["api-version": "2024-10-21"], body: v1).body == notFound)
    }

    @Test func aBearerTokenInsteadOfApiKeyIsA401OnTheClassicAPI() throws {
        let reply = try answer("/openai/deployments/emb/embeddings", headers: ["authorization": "Bearer k1"])
        #expect(reply.status == 401)
        #expect(reply.body.hasPrefix(#"{"error":{"code":"401","message":"Access denied due to invalid subscription key"#))
        #expect(try answer("/openai/deployments/emb/embeddings", headers: ["api-key": "k2"]).status == 401)
    }
}
