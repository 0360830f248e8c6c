/// A parsed JSON value. Objects keep their members in file order (lookups take the last
/// member of a repeated key, as Python's `json` does); numbers keep both their integer
/// value (when the literal is integral and fits) and their double value.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The member `key` of an object (the last one when repeated); nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// A short name of the value's JSON type, for error messages ("a string", "a number").
    public var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON number: its double value, and its exact integer value when it has one.
public struct JSONNumber: Sendable, Equatable {
    /// The value as a double.
    public var double: Double
    /// The exact value when the number is integral and fits in 64 bits.
    public var integer: Int64?

    /// A number from an integer.
    public init(_ integer: Int64) {
        self.double = Double(integer)
        self.integer = integer
    }

    /// A number from a double; integral values that fit also get `integer`.
    public init(_ double: Double) {
        self.double = double
        if double.rounded() == double, abs(double) < 9.0e15 {
            self.integer = Int64(double)
        } else {
            self.integer = nil
        }
    }
}
