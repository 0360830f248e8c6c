import JobQueue
import LLM

extension Worker {
    /// Sends one chat completion and stores the reply, finish reason and usage.
    func performGenerate(_ job: ClaimedJob) async {
        guard let request = Self.chatRequest(for: job, systemPrompt: options.systemPrompt, estimator: estimator) else {
            await failPermanently([job], message: Self.unreadableGenerateRequest)
            return
        }
        let sentAt = clock.now()
        let shape = "chat|\(request.model ?? "")"
        do {
            let response = try await provider.generate(request)
            await requestSucceeded([job], shape: shape)
            let result = GenerationResult(response, jobID: job.id, requestHash: job.requestHash)
            let written = try await queue.complete(generation: result)
            await state.update {
                $0.succeeded += written ? 1 : 0
                $0.inputTokens += response.inputTokens
                $0.outputTokens += response.outputTokens
            }
            await state.progressed(now: clock.now())
        } catch {
            await handleFailure(error, jobs: [job], sentAt: sentAt, shape: shape)
        }
    }

    static let unreadableGenerateRequest = "the stored request is not a generate request llmq can read; re-enqueue the job"

    /// The chat request a generate job sends, synchronously or in a batch line: its
    /// messages, with the run's system prompt in front when the job has none; the estimate
    /// is the prompt's tokens plus `max_tokens`. Nil when the stored request is not a generate request.
    static func chatRequest(for job: ClaimedJob, systemPrompt: String?, estimator: any TokenEstimator) -> ChatRequest? {
        guard case .generate(let stored, let model, let maxTokens, let temperature)? = job.request else { return nil }
        var messages = stored.map { LLM.ChatMessage(role: $0.role, content: $0.content) }
        if let systemPrompt, !messages.contains(where: { $0.role == "system" || $0.role == "developer" }) {
            messages.insert(.system(systemPrompt), at: 0)
        }
        let promptEstimate = messages.reduce(3) { $0 + 4 + estimator.count($1.content, model: model).tokens }
        return ChatRequest(messages: messages, model: model, maxTokens: maxTokens, temperature: temperature,
                           estimatedTokens: promptEstimate + maxTokens)
    }
}

extension GenerationResult {
    /// The result to store for a job's chat completion (a refusal stores no content).
    init(_ response: LLMResponse, jobID: Int64, requestHash: [UInt8]) {
        let refused = response.refusal != nil && response.content.isEmpty
        self.init(jobID: jobID, requestHash: requestHash, model: response.model, content: refused ? nil : response.content,
                  refusal: response.refusal, finishReason: response.finishReason, inputTokens: response.inputTokens,
                  outputTokens: response.outputTokens)
    }
}
