/// The compact copy of each vector the first pass of a scan reads: int8 codes with a
/// per-vector scale, and what bounds the error of a score computed from them.
///
/// A stored unit vector v is kept as codes c (|c_i| ≤ 127, the row zero-padded to a
/// multiple of 32 bytes) and a scale s with v = s·c + e; the record beside the codes
/// holds s, ‖e‖ and ‖v‖ (both rounded up) and a checksum of v's float32 words.
enum Int8Codes {
    /// Bytes per vector record beside the codes: scale, ‖e‖, ‖v‖ (float32) and the
    /// vector's checksum (the low 32 bits of its `LaneChecksum`).
    static let recordSize = 16

    /// Bytes of one row of codes: the dimensions rounded up to 32 (the kernel's width).
    static func stride(_ dimensions: Int) -> Int { (dimensions + 31) / 32 * 32 }

    /// A vector's record: what the first pass needs of it besides its codes.
    struct Record: Equatable {
        var scale: Float
        /// ‖v − s·c‖, rounded up (infinite when v holds a value that is not finite).
        var error: Float
        /// ‖v‖, rounded up.
        var norm: Float
        /// The low 32 bits of the `LaneChecksum` of v's float32 words.
        var checksum: UInt32

        func append(to bytes: inout [UInt8]) {
            for word in [scale.bitPattern, error.bitPattern, norm.bitPattern, checksum] {
                withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }

        /// The record at `raw`.
        @inline(__always)
        static func load(_ raw: UnsafeRawPointer) -> Record {
            Record(scale: Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self))),
                   error: Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))),
                   norm: Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))),
                   checksum: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        }
    }

    /// Appends the codes of the `dimensions` float32 values at `vector` (one padded row)
    /// to `codes` and returns the vector's record (its checksum from `checksum`).
    static func encode(_ vector: UnsafeRawPointer, dimensions: Int, checksum: UInt32, into codes: inout [UInt8]) -> Record {
        let start = codes.count
        codes.append(contentsOf: repeatElement(0, count: stride(dimensions)))
        var largest: Float = 0
        var squared: Double = 0
        var finite = true
        for index in 0..<dimensions {
            let value = vector.loadUnaligned(fromByteOffset: index * 4, as: Float.self)
            finite = finite && value.isFinite
            largest = max(largest, abs(value))
            squared += Double(value) * Double(value)
        }
        guard finite else { return Record(scale: 0, error: .infinity, norm: .infinity, checksum: checksum) }
        let norm = roundedUp(squared.squareRoot())
        let scale = largest / 127
        // Any code is sound (the bound uses the residual of the codes chosen), so the
        // nearest is found by multiplying and truncating, not dividing and calling round.
        let inverse = Double(1 / scale)
        // All zeros, or so small that the scale has no finite inverse: all codes 0, and
        // the residual is the vector itself.
        guard scale > 0, inverse.isFinite else { return Record(scale: 0, error: norm, norm: norm, checksum: checksum) }
        var residual: Double = 0
        codes.withUnsafeMutableBufferPointer { buffer in
            let row = buffer.baseAddress! + start
            for index in 0..<dimensions {
                let value = Double(vector.loadUnaligned(fromByteOffset: index * 4, as: Float.self))
                let scaled = value * inverse
                let code = max(-127, min(127, Int32(scaled + (scaled < 0 ? -0.5 : 0.5))))
                row[index] = UInt8(bitPattern: Int8(truncatingIfNeeded: code))
                let error = value - Double(scale) * Double(code)
                residual += error * error
            }
        }
        return Record(scale: scale, error: roundedUp(residual.squareRoot()), norm: norm, checksum: checksum)
    }

    /// `value` as a float32 no smaller than it (with room for the double rounding of the
    /// sums it came from).
    static func roundedUp(_ value: Double) -> Float { Float(value * (1 + 1e-9)).nextUp }
}

/// A unit query quantised for the first pass: int16 codes d with a scale t, q = t·d + f,
/// and the constants that bound every score computed from it.
///
/// For a vector v = s·c + e: v·q = s·t·(c·d) + s·(c·f) + e·q, with |s·(c·f)| ≤
/// (‖v‖ + ‖e‖)·‖f‖ and |e·q| ≤ ‖e‖·‖q‖ (Cauchy–Schwarz). The float32 score the scan
/// reports differs from the real v·q by at most γ_n·‖v‖·‖q‖ (γ_n = n·u/(1 − n·u),
/// u = 2⁻²⁴, for any order of summation). So the reported score lies within
/// `bound(record)` of `approximate(record, dot)`: the integer c·d is exact, and the
/// double-precision products add far less than the 1e-9 of slack.
struct QuantizedQuery {
    /// `stride` int16 codes, zero-padded.
    let codes: [Int16]
    /// t.
    let scale: Double
    /// Multiplies ‖e‖: ‖q‖ + ‖f‖.
    let errorFactor: Double
    /// Multiplies ‖v‖: ‖f‖ + γ_n·‖q‖.
    let normFactor: Double
    /// Slack for the double-precision arithmetic.
    let slack: Double

    /// The largest |d_i| for `stride`-byte rows: no sum of `stride` products of an int8
    /// code and an int16 code overflows 32 bits.
    static func limit(stride: Int) -> Int { min(32767, Int(Int32.max) / (127 * stride)) }

    init(_ query: [Float]) {
        let stride = Int8Codes.stride(query.count)
        let limit = Double(Self.limit(stride: stride))
        var largest: Double = 0
        var squared: Double = 0
        for value in query {
            largest = max(largest, abs(Double(value)))
            squared += Double(value) * Double(value)
        }
        guard largest.isFinite, squared.isFinite else {
            // No score can be computed: every vector is a candidate, and scores as NaN.
            codes = [Int16](repeating: 0, count: stride)
            scale = 0
            errorFactor = 0
            normFactor = 0
            slack = .infinity
            return
        }
        let scale = largest > 0 ? largest / limit : 0
        var codes = [Int16](repeating: 0, count: stride)
        var residual: Double = 0
        for (index, value) in query.enumerated() where scale > 0 {
            let code = max(-limit, min(limit, (Double(value) / scale).rounded()))
            codes[index] = Int16(code)
            let error = Double(value) - scale * code
            residual += error * error
        }
        let queryNorm = squared.squareRoot() * (1 + 1e-9)
        let residualNorm = residual.squareRoot() * (1 + 1e-9)
        let unit = 0x1p-24 * Double(query.count)
        let gamma = unit / (1 - unit) * (1 + 1e-6)
        self.codes = codes
        self.scale = scale
        errorFactor = queryNorm + residualNorm
        normFactor = residualNorm + gamma * queryNorm
        slack = 1e-9
    }

    /// s·t·(c·d): the first pass's estimate of a vector's score.
    @inline(__always)
    func approximate(_ record: Int8Codes.Record, dot: Int32) -> Double { Double(record.scale) * scale * Double(dot) }

    /// How far the reported score can be from `approximate` (never NaN for a record of
    /// finite values; infinite when a vector or the query holds values that are not).
    @inline(__always)
    func bound(_ record: Int8Codes.Record) -> Double {
        Double(record.error) * errorFactor + Double(record.norm) * normFactor + slack
    }
}
