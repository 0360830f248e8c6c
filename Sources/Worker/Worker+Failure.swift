import Foundation
import JobQueue
import LLM

extension Worker {
    /// Handles a failed request for `jobs`, sent at `sentAt`, by DESIGN's failure policy:
    /// - a stop or cancellation hands the jobs back (no attempt);
    /// - credentials, permission, quota: the run stops (77), jobs untouched;
    /// - a configuration error (404 endpoint, unknown model, a 4xx naming a request
    ///   parameter): the run stops (exit 2), jobs untouched;
    /// - a rate limit hands them back after its delay (no attempt);
    /// - a 400/413/422 on several embedding inputs is bisected (``bisect(_:shape:)``); on one
    ///   input or a generate job, that job fails with the API's message, except that until
    ///   a request of its shape succeeded it is handed back once (``RunState/refusal(shape:jobID:message:)``);
    /// - a transient failure (5xx, timeout, connection, unparseable body) during an outage
    ///   pauses every sender and hands the jobs back (no attempt; a batch is first split, each
    ///   half sent after the pause, so a batch that alone makes the server fail is told from
    ///   an outage); one that follows these inputs spends an attempt, a batch being split
    ///   to find them (``OutageMonitor``);
    /// - except that overload (``isOverload(_:)``: a 503, or a timeout from a server that
    ///   sends no rate-limit headers) while other requests succeed hands the jobs back whole,
    ///   without an attempt, after ``overloadDelay(_:)``; an overloaded server's timeout
    ///   during an outage is not split either.
    /// - Parameter shape: the request's kind, model and dimensions (bisection and refusals).
    func handleFailure(_ error: any Error, jobs: [ClaimedJob], sentAt: Double, shape: String? = nil) async {
        let now = clock.now()
        if Task.isCancelled || error is CancellationError {
            await handBack(jobs)
            return
        }
        guard let llmError = error as? LLMError else {
            await retryLater(jobs, message: "\(error)", now: now)
            return
        }
        if llmError.isFatalForRun {
            await stopRun(.fatal(llmError.description), message: llmError.description, jobs: jobs)
            return
        }
        if await adapt(to: llmError, jobs: jobs) { return }
        if llmError.isConfigurationError {
            await stopRun(.configuration(llmError.description), message: llmError.description, jobs: jobs)
            return
        }
        switch llmError.kind {
        case .rateLimited(let retryAfter):
            let delay = retryAfter.map(\.seconds) ?? 1
            _ = try? await queue.release(owner: owner, ids: jobs.map(\.id), availableAt: now + delay)
            await state.update { $0.retried += jobs.count }
        case .invalidRequest:
            if jobs.count > 1, let shape, Self.isSplittable(llmError) {
                await bisect(jobs, shape: shape)
                return
            }
            guard let shape, let job = jobs.first, jobs.count == 1 else {
                await failPermanently(jobs, message: llmError.description)
                return
            }
            switch await state.refusal(shape: shape, jobID: job.id, message: llmError.apiMessage ?? llmError.description) {
            case .fail:
                await failPermanently(jobs, message: llmError.description)
            case .handBack:
                _ = try? await queue.release(owner: owner, ids: [job.id], availableAt: now + 0.1)
                await state.update { $0.retried += 1 }
            case .stopRun:
                var error = llmError
                error.requestParameter = error.requestParameter ?? "parameters or the server's settings"
                let message = "three jobs in a row were refused with the same message before any request succeeded: "
                    + error.description
                await stopRun(.configuration(message), message: message, jobs: jobs)
            }
        default:
            let verdict = gate.transientFailure(jobIDs: jobs.map(\.id), sentAt: sentAt, reason: llmError.reason, random: random())
            let overload = isOverload(llmError)
            if verdict == .followsInputs, overload, await state.noteBusy(jobs.map(\.id), limit: options.maxAttempts) {
                // "Busy", "loading model" or a timeout from a server without rate-limit headers
                // while other requests succeed: the server's load, not these inputs. Handed
                // back whole, without an attempt (a job this keeps happening to,
                // `--max-attempts` times in a run, takes the usual path below).
                _ = try? await queue.release(owner: owner, ids: jobs.map(\.id), availableAt: now + Self.overloadDelay(llmError))
                await state.update { $0.retried += jobs.count }
                return
            }
            switch verdict {
            case .followsInputs:
                if jobs.count > 1, let shape {
                    await bisect(jobs, shape: shape)
                } else {
                    await retryLater(jobs, message: llmError.description, now: now)
                }
            case .outage(let pause):
                switch await state.outageFailure(reason: llmError.reason, now: now) {
                case .began?:
                    log("outage: \(llmError.reason) and no request succeeding (\(llmError.description)); every sender pauses "
                        + "(next try in \(Int(pause.rounded(.up))) s), no attempt is counted")
                case .reasonChanged?:
                    log("outage continues: \(llmError.reason) (\(llmError.description))")
                case nil: break
                }
                if jobs.count > 1, let shape, !(overload && llmError.isTimeout) {
                    // A probe after the pause: should one half succeed, the failure follows
                    // the other half's inputs (a batch that alone makes the server fail).
                    await bisect(jobs, shape: shape)
                } else {
                    // An overloaded server's timeout says nothing about the inputs: not split.
                    let delay = overload ? max(pause, Self.overloadDelay(llmError)) : pause
                    _ = try? await queue.release(owner: owner, ids: jobs.map(\.id), availableAt: now + delay)
                    await state.update { $0.retried += jobs.count }
                }
            }
        }
    }

    /// Adapts the run to a refusal of the request's form rather than its inputs (see
    /// ``ServerAdaptation``): a batch too large for the server lowers the run's inputs per
    /// request, a refused `encoding_format` switches it to float arrays. The jobs are handed
    /// back without an attempt and the change is said once. Returns false when `error` is
    /// not one of those or the run cannot adapt further (then it stops the run as before).
    func adapt(to error: LLMError, jobs: [ClaimedJob]) async -> Bool {
        guard case .invalidRequest = error.kind, let parameter = error.requestParameter else { return false }
        let message = error.apiMessage ?? error.description  // on one line (ErrorBody)
        switch parameter {
        case "batch size", "request size":
            let sent = Set(jobs.map(\.inputHash)).count
            if sent > 1, let cap = gate.lowerInputCap(sent: sent, message: message) {
                log("the server refused \(sent) inputs in one request (HTTP \(error.status ?? 0): \(message)): "
                    + "at most \(cap) per request for the rest of this run; no job was failed")
            } else if sent <= 1 {
                guard parameter == "request size" else { return false }
                // One input too large for the server's payload limit: that input fails.
                await failPermanently(jobs, message: error.description)
                return true
            }
        case "encoding_format":
            guard gate.switchToFloat() else { return false }
            log("the server does not take encoding_format base64 (HTTP \(error.status ?? 0): \(message)): "
                + "this run asks for float arrays; no job was failed")
        default:
            return false
        }
        await handBack(jobs)
        return true
    }

    /// Whether `error` is the server's load rather than anything about the inputs: a 503
    /// ("busy", "loading model"), or a timeout from a server that sends no rate-limit
    /// headers (a local server computing one request after another answers later the more
    /// are in flight; ``ServerAdaptation`` lowers them). A timeout from a server that sends
    /// them (OpenAI) is judged like other transient failures.
    func isOverload(_ error: LLMError) -> Bool {
        error.status == 503 || (error.isTimeout && gate.timeoutsMeanOverload)
    }

    /// How long the jobs of an overload answer wait before they are sent again: the
    /// server's `retry-after`, else 1 s; after a timeout, the timeout itself, so that the
    /// server (which keeps computing a request its client gave up on) is likely done with
    /// the first copy before the second arrives, and the resend does not queue behind it.
    static func overloadDelay(_ error: LLMError) -> Double {
        if case .timeout(let limit) = error.kind { return max(limit.seconds, error.retryAfter?.seconds ?? 0) }
        return error.retryAfter?.seconds ?? 1
    }

    /// Whether an error is transient: 5xx, 408/409, a timeout, a lost connection or an unparseable body.
    static func isTransient(_ error: LLMError) -> Bool {
        switch error.kind {
        case .serverError, .timeout, .connection, .unparseableResponse: true
        default: false
        }
    }

    /// Whether a 4xx may be about one of several inputs, so that splitting the batch can
    /// find it: 400, 413 or 422 that names no request parameter.
    static func isSplittable(_ error: LLMError) -> Bool {
        guard case .invalidRequest = error.kind, !error.isConfigurationError else { return false }
        return [400, 413, 422].contains(error.status ?? 0)
    }

    /// Isolates the inputs a failure follows (a 4xx, or a transient error while other
    /// requests succeed): sends both halves of `jobs` (one request each), then splits further
    /// only the halves that failed, so only the offending inputs fail. When both halves are
    /// refused with the same 4xx message and no request of this shape has succeeded in this
    /// run, the error is about the request, not an input: the run stops (exit 2) and nothing
    /// fails. A half that failed transiently while its sibling succeeded follows its inputs;
    /// when both failed transiently, the usual outage check decides.
    func bisect(_ jobs: [ClaimedJob], shape: String) async {
        let middle = jobs.count / 2
        var failed: [(jobs: [ClaimedJob], error: LLMError, sentAt: Double)] = []
        var anySucceeded = false
        for half in [Array(jobs[..<middle]), Array(jobs[middle...])] {
            if await state.softStop != nil {
                await handBack(half)
                continue
            }
            switch await sendEmbeddings(half, returning: { Self.isSplittable($0) || Self.isTransient($0) }) {
            case .succeeded: anySucceeded = true
            case .handled: break
            case .failed(let error, let sentAt): failed.append((half, error, sentAt))
            }
        }
        let refusals = failed.filter { Self.isSplittable($0.error) }
        if refusals.count == 2, refusals[0].error.apiMessage == refusals[1].error.apiMessage, !(await state.hasSucceeded(shape)) {
            var error = refusals[1].error
            error.requestParameter = "parameters or the server's settings"
            let message = "both halves of a batch of \(jobs.count) inputs were refused with the same message: " + error.description
            await stopRun(.configuration(message), message: message, jobs: jobs)
            return
        }
        for (half, error, sentAt) in failed {
            // A 503 ("busy", "loading model") or an overloaded server's timeout is the
            // server's load, not these inputs, even when the other half succeeded: the usual
            // rules decide, spending no attempt and splitting nothing.
            if isOverload(error) {
                await handleFailure(error, jobs: half, sentAt: sentAt, shape: shape)
            } else if Self.isSplittable(error) || anySucceeded {
                if half.count > 1 {
                    await bisect(half, shape: shape)
                } else if Self.isSplittable(error) {
                    await failPermanently(half, message: error.description)
                } else {
                    gate.noteFailureFollowsInputs(jobIDs: half.map(\.id))
                    await retryLater(half, message: error.description, now: clock.now())
                }
            } else {
                await handleFailure(error, jobs: half, sentAt: sentAt, shape: shape)
            }
        }
    }

    /// Stops the run for `reason` (printing `message` once), cuts off what is in flight and
    /// hands `jobs` back untouched.
    func stopRun(_ reason: RunEnd, message: String, jobs: [ClaimedJob]) async {
        if await state.stop(reason, now: clock.now()) { log("stopping: \(message)") }
        gate.stopWaiting()
        await state.stopHard()
        await handBack(jobs)
    }

    /// Puts jobs back to pending, available now, without counting an attempt.
    func handBack(_ jobs: [ClaimedJob]) async {
        guard !jobs.isEmpty else { return }
        _ = try? await queue.release(owner: owner, ids: jobs.map(\.id))
        await state.update { $0.retried += jobs.count }
    }

    /// Fails jobs for good with `message` (the API's words).
    func failPermanently(_ jobs: [ClaimedJob], message: String) async {
        for job in jobs { try? await queue.fail(jobID: job.id, error: message, requestHash: job.requestHash) }
        let failed = Set(jobs.map(\.id)).count  // a chunked job's chunks fail it once
        await state.update { $0.failed += failed }
        await state.progressed(now: clock.now())
    }

    /// Spends an attempt of each job and reschedules it with backoff, or fails it when its
    /// attempts are used up (then a later run tries it again: it failed on a transient error).
    func retryLater(_ jobs: [ClaimedJob], message: String, now: Double) async {
        let backoff = JobBackoff(base: options.retryBackoffBase, cap: options.retryBackoffCap)
        var failed = 0
        var retried = 0
        for job in jobs {
            let at = now + backoff.delay(afterAttempts: job.attempts, random: random())
            switch try? await queue.retryLater(jobID: job.id, error: message, availableAt: at, maxAttempts: options.maxAttempts,
                                                requestHash: job.requestHash) {
            case .failed?: failed += 1
            case .rescheduled?: retried += 1
            default: break
            }
        }
        await state.update {
            $0.failed += failed
            $0.retried += retried
        }
        if failed > 0 { await state.progressed(now: clock.now()) }
    }

    /// Records a successful request for `jobs` of `shape`: an outage, if any, is over.
    func requestSucceeded(_ jobs: [ClaimedJob], shape: String) async {
        gate.succeeded(jobIDs: jobs.map(\.id))
        await state.shapeSucceeded(shape)
        if let seconds = await state.endOutage(now: clock.now()) {
            log("the server answers again after \(Int(seconds.rounded())) s of outage")
        }
    }
}
