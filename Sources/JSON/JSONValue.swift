/// A parsed JSON value. Objects keep their members in file order (lookups take the last
/// member of a repeated key, as Python's `json` does); numbers keep both their integer
/// value (when the literal is integral and fits) and their double value.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// Equal values; objects are equal when they have the same keys with equal values,
    /// whatever their order (the last member of a repeated key counts, as for lookups).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object, .object): return lhs.dictionary == rhs.dictionary
        default: return false
        }
    }

    /// Hashes what ``==`` compares (object members in no particular order).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .number(let value): hasher.combine(value)
        case .string(let value): hasher.combine(value)
        case .array(let value): hasher.combine(value)
        case .object: hasher.combine(dictionary)
        }
    }

    /// An object's members by key, the last of a repeated key winning.
    private var dictionary: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// An object from a dictionary, its members in key order (for values built in code).
    public static func object(_ members: [String: JSONValue]) -> JSONValue {
        .object(members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { (key: $0.key, value: $0.value) })
    }

    /// A number from an `Int`, for values built in code.
    public static func integer(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }

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
public struct JSONNumber: Sendable, Hashable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    /// The value as a double.
    public var double: Double
    /// The exact value when the number is integral and fits in 64 bits.
    public var integer: Int64?

    /// A number from an integer.
    public init(_ integer: Int64) {
        self.double = Double(integer)
        self.integer = integer
    }

    /// A number from an `Int`.
    public init(_ integer: Int) { self.init(Int64(integer)) }

    /// A number from an integer literal.
    public init(integerLiteral value: Int64) { self.init(value) }

    /// A number from a float literal.
    public init(floatLiteral value: Double) { self.init(value) }

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
