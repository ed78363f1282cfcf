/// Why the core throws instead of trapping, and how a student's mistake stays small.
///
/// Every op whose inputs can disagree (shapes, axes, indices) is a `throws` function
/// that takes the caller's `#fileID` and `#line`. A mistake becomes a `TensorError`
/// that names the op, the shapes and the student's line:
///
///     Masking.swift:42: matmul: [32, 20] × [3, 20]: inner sizes 20 and 3 differ
///
/// The error travels up through the student's function like any Swift error, so it
/// fails only the exercise that made it: the grader catches it, reports it, and the
/// next grader runs. We chose throwing ops over "poisoned" tensors (which carry their
/// first error forward until read) because a thrown error stops at the line that is
/// wrong, and Swift's `try` marks every statement that can fail: one `try` covers a
/// whole expression. Operators (`+`, `*`) cannot take a caller's line, so their errors
/// name the op and the shapes; the named methods (`matmul`, `reshape`, ...) add the line.
///
/// Constructors cannot take a `try` without burdening every model's `init`, so a layer
/// asked for with sizes it cannot have (`LSTM(3, -4)`) is made empty and throws from its
/// first call, naming the line that made it (`sizeError`, Module.swift).
///
/// Traps are kept for the core's own invariants, which no student input can break.
public struct TensorError: Error, CustomStringConvertible, Equatable {
    /// The op that refused its inputs, e.g. "matmul".
    public let op: String
    /// What was wrong, with the shapes, e.g. "[32, 20] × [3, 20]: inner sizes 20 and 3 differ".
    public let message: String
    /// The caller's file (`#fileID`), when the op could know it.
    public let file: String?
    /// The caller's line, when the op could know it.
    public let line: Int?

    public init(op: String, _ message: String, file: StaticString? = nil, line: UInt? = nil) {
        self.op = op
        self.message = message
        self.file = file.map { "\($0)" }
        self.line = line.map { Int($0) }
    }

    /// "File.swift:42: op: message" (the module prefix of `#fileID` dropped).
    public var description: String {
        var location = ""
        if let file, let line {
            let name = file.split(separator: "/").last.map(String.init) ?? file
            location = "\(name):\(line): "
        }
        return "\(location)\(op): \(message)"
    }
}

/// `[2, 3]` for a shape, as the error messages print it.
@inline(__always)
func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
