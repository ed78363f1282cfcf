import Autograd

/// What an implementation produced on a grader's fixed inputs: named arrays of numbers
/// ("output", "∂x", "loss after 200 steps", ...), each with its shape.
public struct Outcome: Sendable, Equatable {
    public struct Entry: Sendable, Equatable, Codable {
        public let name: String
        public let shape: [Int]
        public let values: [Float]
        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    public internal(set) var entries: [Entry] = []

    public init() {}

    /// Records a tensor's shape and values under `name`.
    public mutating func record(_ name: String, _ t: Tensor) {
        entries.append(Entry(name: name, shape: t.shape, values: t.scalars))
    }

    /// Records plain numbers under `name`.
    public mutating func record(_ name: String, _ values: [Float]) {
        entries.append(Entry(name: name, shape: [values.count], values: values))
    }

    /// Records one number under `name`.
    public mutating func record(_ name: String, _ value: Float) {
        entries.append(Entry(name: name, shape: [], values: [value]))
    }

    public subscript(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// What "(weights #2)" in an entry's name means, the first time a student reads it.
    static func gloss(_ name: String) -> String {
        guard let r = name.range(of: #"\((weights|inputs) #\d+\)"#, options: .regularExpression) else { return "" }
        let what = name[r].contains("weights") ? "weights and inputs" : "inputs"
        return " — \(name[r]) is the grader's \(ordinal(name[r])) set of random \(what); each set is checked on its own"
    }

    static func ordinal(_ tag: Substring) -> String {
        let n = Int(tag.filter(\.isNumber)) ?? 0
        return ["first", "second", "third", "fourth", "fifth"].indices.contains(n - 1) ? ["first", "second", "third", "fourth", "fifth"][n - 1] : "#\(n)"
    }

    /// What a known mistake that throws is recorded as: one empty entry named by its error,
    /// without the file and line (a student's file and line are not the mistake's).
    public static func thrown(_ message: String) -> Outcome {
        var o = Outcome()
        o.entries = [Entry(name: "\(thrownPrefix)\(withoutLocation(message))", shape: [0], values: [])]
        return o
    }

    /// An error message without the "File.swift:12: " a located error starts with.
    public static func withoutLocation(_ message: String) -> String {
        message.replacingOccurrences(of: #"^[^ :]+\.swift:\d+: "#, with: "", options: .regularExpression)
    }

    static let thrownPrefix = "threw: "
    /// Between a case's name and its error, in an entry `Probes.attempt` records.
    public static let caseThrew = " threw: "

    /// The error of a `thrown` outcome, or nil.
    public var thrownMessage: String? {
        guard entries.count == 1, entries[0].name.hasPrefix(Self.thrownPrefix), entries[0].values.isEmpty else { return nil }
        return String(entries[0].name.dropFirst(Self.thrownPrefix.count))
    }

    /// What a missing gradient means, unless an exercise says otherwise.
    public static let missingGradient =
        "no gradient reached it — the output does not depend on it (is it used?), or the path was cut (a detached tensor, or a new Tensor made from .scalars)"
}

/// How closely two outcomes must agree: |got − expected| ≤ atol + rtol·|expected|.
public struct Tolerance: Sendable, CustomStringConvertible {
    public var atol: Float
    public var rtol: Float
    public init(atol: Float = 1e-5, rtol: Float = 1e-4) {
        self.atol = atol
        self.rtol = rtol
    }
    public static let tight = Tolerance()
    public var description: String { rtol == 0 ? "tolerance \(atol)" : "tolerance \(atol) + \(rtol)·|expected|" }
}

extension Outcome {
    /// Nil if `self` matches `expected` entry by entry; otherwise the first difference,
    /// said the way a student can act on: which entry, which position, expected vs got.
    /// `missingGradientAdvice` follows "∂x is missing: " (lesson 0's primitives say "give
    /// your primitive a pullback"; elsewhere an unused or detached tensor is likelier).
    public func difference(from expected: Outcome, tolerance: Tolerance, missingGradientAdvice: String = Outcome.missingGradient) -> String? {
        for want in expected.entries {
            guard let got = self[want.name] else {
                // A case run with `Probes.attempt` that threw says so.
                if let threw = entries.first(where: { $0.name.hasPrefix(want.name + Self.caseThrew) }) {
                    return "for \(want.name), your code threw \(threw.name.dropFirst(want.name.count + Self.caseThrew.count))"
                }
                return "\(want.name) is missing\(want.name.hasPrefix("∂") ? ": \(missingGradientAdvice)" : "")"
            }
            guard got.shape == want.shape else {
                return "\(want.name) has shape \(got.shape), expected \(want.shape)"
            }
            if let i = got.values.indices.first(where: { !got.values[$0].isFinite && want.values[$0].isFinite }) {
                return "\(want.name) has \(format(got.values[i])) at \(position(i, in: want.shape)), expected \(format(want.values[i]))"
            }
            var worst: (i: Int, excess: Float)? = nil
            for (i, (g, w)) in zip(got.values, want.values).enumerated() {
                if g == w || (g.isNaN && w.isNaN) { continue }
                let excess = Swift.abs(g - w) / (tolerance.atol + tolerance.rtol * Swift.abs(w))
                if excess > 1 || excess.isNaN, excess > (worst?.excess ?? 0) || excess.isNaN { worst = (i, excess.isNaN ? .infinity : excess) }
            }
            if let (i, _) = worst {
                let wrong = zip(got.values, want.values).filter { g, w in Swift.abs(g - w) > tolerance.atol + tolerance.rtol * Swift.abs(w) }.count
                let at = want.shape.isEmpty ? "" : " at \(position(i, in: want.shape))"
                // Codes, counts and sizes are whole numbers: a tolerance means nothing to them.
                let whole = (want.values + got.values).allSatisfy { $0.isFinite && $0 == $0.rounded() && Swift.abs($0) < 1e7 }
                let count = want.values.count > 1 ? "\(wrong) of \(want.values.count) values off" : ""
                let detail = whole ? count : [count, "\(tolerance)"].filter { !$0.isEmpty }.joined(separator: "; ")
                return "\(want.name) differs\(at): expected \(format(want.values[i])), got \(format(got.values[i]))\(detail.isEmpty ? "" : " (\(detail))")\(Self.gloss(want.name))"
            }
        }
        return nil
    }

    /// Whether `self` matches `other` (both ways round: same entries, same values).
    public func matches(_ other: Outcome, tolerance: Tolerance) -> Bool {
        difference(from: other, tolerance: tolerance) == nil && other.difference(from: self, tolerance: tolerance) == nil
    }
}

/// `[1, 2]` for flat index 5 of shape [2, 3].
func position(_ flat: Int, in shape: [Int]) -> String {
    var rest = flat
    var index = [Int](repeating: 0, count: shape.count)
    for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
        index[d] = rest % shape[d]
        rest /= shape[d]
    }
    return "[" + index.map(String.init).joined(separator: ", ") + "]"
}

/// A number as a grader prints it: 4 significant digits.
func format(_ x: Float) -> String {
    x.isFinite ? String(format: "%.4g", Double(x)) : (x.isNaN ? "NaN" : (x > 0 ? "inf" : "−inf"))
}

import Foundation
