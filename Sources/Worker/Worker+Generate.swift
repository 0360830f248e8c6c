import JobQueue
import LLM

extension Worker {
    /// Sends one chat completion and stores the reply, finish reason and usage.
    func performGenerate(_ job: ClaimedJob) async {
        guard case .generate(let stored, let model, let maxTokens, let temperature)? = job.request else {
            await failPermanently([job], message: "the stored request is not a generate request llmq can read; re-enqueue the job")
            return
        }
        var messages = stored.map { LLM.ChatMessage(role: $0.role, content: $0.content) }
        if let systemPrompt = options.systemPrompt, !messages.contains(where: { $0.role == "system" || $0.role == "developer" }) {
            messages.insert(.system(systemPrompt), at: 0)
        }
        let promptEstimate = messages.reduce(3) { $0 + 4 + estimator.count($1.content, model: model).tokens }
        do {
            let response = try await provider.generate(ChatRequest(
                messages: messages, model: model, maxTokens: maxTokens, temperature: temperature,
                estimatedTokens: promptEstimate + maxTokens))
            let refused = response.refusal != nil && response.content.isEmpty
            let result = GenerationResult(
                jobID: job.id, requestHash: job.requestHash, model: response.model, content: refused ? nil : response.content,
                refusal: response.refusal, finishReason: response.finishReason, inputTokens: response.inputTokens,
                outputTokens: response.outputTokens)
            let written = try await queue.complete(generation: result)
            await state.update {
                $0.succeeded += written ? 1 : 0
                $0.requests += 1
                $0.inputTokens += response.inputTokens
                $0.outputTokens += response.outputTokens
            }
            await state.progressed(now: clock.now())
        } catch {
            await handleFailure(error, jobs: [job])
        }
    }
}
