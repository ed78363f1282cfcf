import Autograd
import Foundation

/// Outcomes as JSON: what a grader's child process reports, and what the fixtures hold.
///
/// Written by hand rather than by `JSONEncoder`, so that a fixture reads well in a diff:
/// one line per entry, numbers in their shortest form that reads back to the same
/// Float bits, and NaN and the infinities as the strings "nan", "inf" and "-inf" (JSON has
/// no numbers for them, and a mistake's outcome may well hold them).
enum OutcomeJSON {
    /// `{"name": …, "shape": […], "values": […]}` on one line.
    static func entry(_ e: Outcome.Entry) -> String {
        "{\"name\": \(string(e.name)), \"shape\": [\(e.shape.map(String.init).joined(separator: ", "))], \"values\": [\(e.values.map(number).joined(separator: ", "))]}"
    }

    /// The entries of an outcome, one per line, each line starting with `indent`.
    static func entries(_ o: Outcome, indent: String) -> String {
        o.entries.isEmpty ? "[]" : "[\n" + o.entries.map { indent + "  " + entry($0) }.joined(separator: ",\n") + "\n\(indent)]"
    }

    /// A JSON string literal (the core's, which the safetensors header uses too).
    static func string(_ s: String) -> String { jsonString(s) }

    /// A Float as JSON: its shortest exact decimal, or a string for NaN and ±∞.
    static func number(_ x: Float) -> String {
        if x.isNaN { return "\"nan\"" }
        if x.isInfinite { return x > 0 ? "\"inf\"" : "\"-inf\"" }
        return "\(x)"
    }

    // MARK: - Reading

    /// Decodes JSON text as `T`, with "nan", "inf" and "-inf" for the non-finite numbers.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try d.decode(type, from: data)
    }
}

extension Outcome: Codable {
    enum CodingKeys: String, CodingKey { case entries }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        for e in try c.decode([Entry].self, forKey: .entries) {
            guard e.values.count == e.shape.reduce(1, *) else {
                throw DecodingError.dataCorruptedError(forKey: .entries, in: c, debugDescription: "entry \(e.name) has \(e.values.count) values for shape \(e.shape)")
            }
            entries.append(e)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(entries, forKey: .entries)
    }

    /// Whether the two hold the same entries with the same Float bits (NaN equal to NaN).
    public func isIdentical(to other: Outcome) -> Bool {
        entries.count == other.entries.count && zip(entries, other.entries).allSatisfy { a, b in
            a.name == b.name && a.shape == b.shape && a.values.count == b.values.count
                && zip(a.values, b.values).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
        }
    }
}

