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

    @Test func aWrongKeyOrABearerKeyIsA401OnTheClassicAPI() throws {
        let reply = try answer("/openai/deployments/emb/embeddings", headers: ["api-key": "k2"])
        #expect(reply.status == 401)
        #expect(reply.body.hasPrefix(#"{"error":{"code":"401","message":"Access denied due to invalid subscription key"#))
        #expect(try answer("/openai/deployments/emb/embeddings", headers: [:]).body == reply.body)
        // The key as Bearer is no Entra token.
        let tokenChecked = FakeOpenAIEngine(options: FakeOpenAIOptions(azure: FakeAzureOptions(apiKey: "k1", entraToken: "t1")))
        let request = FakeRequest(method: "POST", path: "/openai/deployments/emb/embeddings", headers: ["authorization": "Bearer k1"],
                                  body: body, query: ["api-version": "2024-10-21"])
        guard case .respond(let bearerKey, _) = tokenChecked.handle(request) else { throw CancellationError() }
        #expect(bearerKey.status == 401)
    }

    @Test func anEntraTokenAsBearerIsAcceptedOnBothAPIsAndAWrongOneIsAzuresTokenRefusal() throws {
        let engine = FakeOpenAIEngine(options: FakeOpenAIOptions(azure: FakeAzureOptions(apiKey: "k1", entraToken: "t1")))
        func status(_ path: String, _ authorization: String, query: [String: String] = ["api-version": "2024-10-21"]) throws -> (Int, String) {
            let v1 = ByteBuffer(string: #"{"model": "emb", "input": ["hello"], "encoding_format": "float"}"#)
            let request = FakeRequest(method: "POST", path: path, headers: ["authorization": authorization], body: v1, query: query)
            guard case .respond(let response, _) = engine.handle(request) else { throw CancellationError() }
            return (response.status, String(buffer: response.body))
        }
        #expect(try status("/openai/deployments/emb/embeddings", "Bearer t1").0 == 200)
        #expect(try status("/openai/v1/embeddings", "Bearer t1", query: [:]).0 == 200)
        #expect(try status("/openai/v1/embeddings", "Bearer k1", query: [:]).0 == 200)
        for wrong in ["Bearer t2", "Bearer "] {
            let (code, body) = try status("/openai/deployments/emb/embeddings", wrong)
            #expect(code == 401)
            #expect(body == #"{"error":{"code":"401","message":"Unauthorized. Access token is missing, invalid, audience is incorrect "#
                + #"(https://cognitiveservices.azure.com), or have expired."}}"#)
        }
    }
}
