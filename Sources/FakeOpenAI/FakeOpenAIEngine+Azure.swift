import Foundation
import JSON
import NIOCore
import NIOFoundationCompat

extension FakeOpenAIEngine {
    /// Answers `request` as Azure OpenAI does (``FakeAzureOptions``): the classic API
    /// (`/openai/deployments/NAME/…?api-version=YYYY-MM-DD`, `api-key`) or the v1 API
    /// (`/openai/v1/…`, `api-version` optional, `api-key` or a Bearer key or token, the body's
    /// model the deployment); the classic API takes an Entra ID token as Bearer too. A route
    /// or API version it does not serve is a 404 "Resource not found", a missing or wrong key
    /// or token a 401, an unknown classic deployment a 404 `DeploymentNotFound`.
    func azure(_ request: FakeRequest, options azure: FakeAzureOptions) -> FakeHTTPResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let notFound = Self.azureError(status: 404, code: "404", message: "Resource not found")
        // "", "openai", then "deployments", NAME or "v1", then "embeddings" or "chat", "completions".
        guard request.method == "POST", parts.count >= 4, parts[1] == "openai", ["deployments", "v1"].contains(parts[2]) else {
            return notFound
        }
        let classic = parts[2] == "deployments"
        let tail = Array(parts.dropFirst(classic ? 4 : 3))
        let operation: String? =
            switch tail {
            case ["embeddings"]: "Embeddings_Create"
            case ["chat", "completions"]: "ChatCompletions_Create"
            default: nil
            }
        let version = request.query["api-version"] ?? (classic ? "" : "v1")
        let deployment = classic ? parts[3].removingPercentEncoding : nil
        let versionServed = classic ? version.wholeMatch(of: /\d{4}-\d\d-\d\d(-preview)?/) != nil : ["v1", "preview"].contains(version)
        guard let operation, versionServed, !classic || deployment?.isEmpty == false else { return notFound }
        if let refusal = Self.azureCredentialRefusal(request.headers, options: azure, classic: classic) { return refusal }
        if let deployment, let known = options.knownModels, !known.contains(deployment) {
            return Self.azureError(
                status: 404, code: "DeploymentNotFound",
                message: "The API deployment for this resource does not exist. If you created the deployment within the last "
                    + "5 minutes, please wait a moment and try again.")
        }
        let route = FakeAzureRoute(deployment: deployment, operation: operation, apiVersion: version)
        return tail == ["embeddings"] ? embeddings(request.body, azure: route) : chatCompletion(request.body, azure: route)
    }

    /// Azure's 401 for a request without a valid credential, nil when it has one: an
    /// `api-key` header with the key, or `Authorization: Bearer` with an Entra ID token
    /// (on the v1 API, the key too). A wrong key and a wrong token are worded as Azure words them.
    static func azureCredentialRefusal(_ headers: [String: String], options azure: FakeAzureOptions, classic: Bool) -> FakeHTTPResponse? {
        func matches(_ given: String, _ expected: String?) -> Bool { !given.isEmpty && (expected == nil || expected == given) }
        if let key = headers["api-key"] {
            if matches(key, azure.apiKey) { return nil }
        } else if let authorization = headers["authorization"], authorization.hasPrefix("Bearer ") {
            let bearer = String(authorization.dropFirst(7))
            let token = azure.entraToken.map { !bearer.isEmpty && $0 == bearer } ?? (azure.apiKey == nil && !bearer.isEmpty)
            if token || (!classic && matches(bearer, azure.apiKey)) { return nil }
            return azureError(
                status: 401, code: "401",
                message: "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), "
                    + "or have expired.")
        }
        return azureError(
            status: 401, code: "401",
            message: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
                + "for an active subscription and use a correct regional API endpoint for your resource.")
    }

    /// Azure's `{"error": {"code", "message"}}` with the given status.
    static func azureError(status: Int, code: String, message: String, headers: [(String, String)] = []) -> FakeHTTPResponse {
        let body: JSONValue = .object(["error": .object(["code": .string(code), "message": .string(message)])])
        return FakeErrorResponses.json(body, status: status, headers: headers)
    }

    /// Azure's 429 for `rejection` on `route`: "Requests to the … Operation under Azure OpenAI
    /// API version … have exceeded call rate limit …", with `retry-after` (whole seconds),
    /// `retry-after-ms` and the remainders.
    static func azureRateLimited(_ rejection: LimitRejection, route: FakeAzureRoute) -> FakeHTTPResponse {
        let (measure, waitNanos, headers): (String, UInt64, [(String, String)]) =
            switch rejection {
            case .requests(_, _, let wait, let headers): ("call", wait, headers)
            case .tokens(_, _, _, let wait, let headers): ("token", wait, headers)
            case .tooLarge(_, _, let headers): ("token", 60_000_000_000, headers)
            }
        let millis = max(1, (waitNanos + 999_999) / 1_000_000)
        let seconds = max(1, (millis + 999) / 1000)
        return azureError(
            status: 429, code: "429",
            message: "Requests to the \(route.operation) Operation under Azure OpenAI API version \(route.apiVersion) have "
                + "exceeded \(measure) rate limit of your current OpenAI S0 pricing tier. Please retry after \(seconds) "
                + "second\(seconds == 1 ? "" : "s"). Please go here: https://aka.ms/oai/quotaincrease if you would like to "
                + "further increase the default rate limit.",
            headers: headers + [("retry-after", String(seconds)), ("retry-after-ms", String(millis))])
    }

    /// The only rate-limit headers Azure sends: what is left of the request window and of
    /// the minute's tokens.
    static func azureRateLimitHeaders(_ store: inout Store, now: UInt64) -> [(String, String)] {
        [
            ("x-ratelimit-remaining-requests", String(store.requestWindow?.windowRemaining(now: now) ?? 1_000_000)),
            ("x-ratelimit-remaining-tokens", String(store.tokenWindow?.remaining(now: now) ?? 1_000_000_000)),
        ]
    }
}
