import FakeOpenAI
import Testing

/// `fake-openai --fault SPEC`: the spec language for the library's faults.
struct FakeFaultSpecTests {
    @Test(arguments: [
        ("429", [FakeFault.rateLimit()]),
        ("rate-limit", [.rateLimit()]),
        ("429=300*2", [.rateLimit(retryAfterMs: 300), .rateLimit(retryAfterMs: 300)]),
        ("quota", [.insufficientQuota]),
        ("401", [.unauthorized]),
        ("503", [.serverError(status: 503)]),
        ("500*3", Array(repeating: .serverError(status: 500), count: 3)),
        ("drop", [.dropConnection]),
        ("hang", [.hang]),
        ("garbage", [.garbageBody]),
        ("html-502", [.htmlBadGateway]),
    ])
    func aSpecStandsForItsFaults(spec: String, faults: [FakeFault]) throws {
        #expect(try FakeFault.faults(fromSpec: spec) == faults)
    }

    @Test(arguments: [
        ("404", "unknown fault \"404\""),
        ("500*0", "the count after '*' must be a whole number ≥ 1"),
        ("500*2*3", "more than one '*'"),
        ("429=soon", "retry-after-ms must be a whole number of milliseconds"),
    ])
    func aBadSpecIsRefusedSayingWhy(spec: String, reason: String) {
        #expect {
            _ = try FakeFault.faults(fromSpec: spec)
        } throws: { error in
            (error as? FakeFaultSpecError)?.description == "cannot read fault \"\(spec)\": \(reason) (expected 429, 429=MS, quota, "
                + "401, 5xx such as 500 or 503, drop, hang, garbage or html-502, each with an optional *COUNT)"
        }
    }
}
