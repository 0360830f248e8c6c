extension LLMError {
    /// The remedy for an error from Azure's classic API (``APIStyle/azure(apiVersion:entraToken:)``),
    /// naming its variables instead of OpenAI's (the token's when `entraToken`); nil where the
    /// remedy is the same.
    func azureRemedy(entraToken: Bool) -> String? {
        switch kind {
        case .authentication where entraToken:
            "Check AZURE_OPENAI_AD_TOKEN: it must be a current Microsoft Entra ID token for https://cognitiveservices.azure.com/.default "
                + "(tokens expire after about an hour), of an identity with access to the resource at AZURE_OPENAI_ENDPOINT."
        case .authentication: "Check AZURE_OPENAI_API_KEY: it must be a key of the resource at AZURE_OPENAI_ENDPOINT."
        case .connection: "Check AZURE_OPENAI_ENDPOINT and the network; a later retry may succeed."
        case .unparseableResponse: "Check that AZURE_OPENAI_ENDPOINT is an Azure OpenAI resource (https://NAME.openai.azure.com)."
        case .endpointNotFound, .unknownModel:
            "Check that the job's model (\"model\", --embedding-model or --chat-model) names a deployment of the resource at "
                + "AZURE_OPENAI_ENDPOINT (the resource URL alone, e.g. https://NAME.openai.azure.com) and that OPENAI_API_VERSION "
                + "is a version it serves, e.g. 2024-10-21; no job was failed."
        default: nil
        }
    }
}
