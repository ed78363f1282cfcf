import Foundation

/// Checkpoints in the safetensors format, which PyTorch, JAX and the Hugging Face tools
/// read, so a model trained here can be opened elsewhere (and back).
///
/// A file is three parts:
///
///     8 bytes   N, the header's length, a little-endian UInt64
///     N bytes   the header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes
///               {"weight": {"dtype": "F32", "shape": [3, 2], "data_offsets": [0, 24]},
///                "bias":   {"dtype": "F32", "shape": [3],    "data_offsets": [24, 36]},
///                "__metadata__": {"epoch": "5"}}
///     the data  every tensor's values, row-major, little-endian, one after another;
///               data_offsets are [begin, end) in bytes from the start of this part
///
/// Names are `namedParameters()`'s dotted names, which are also PyTorch's `state_dict`
/// keys when the model is built the same way. We write F32; we read F32, and F64, F16 and
/// BF16 (converted to Float), so half-precision weights from elsewhere load too.
///
///     try model.save(to: URL(fileURLWithPath: "model.safetensors"), metadata: ["epoch": "5"])
///     try fresh.load(from: URL(fileURLWithPath: "model.safetensors"))
///
/// (In Python: `safetensors.torch.load_file("model.safetensors")` gives the same tensors.)
public enum Safetensors {
    /// What a file holds: its tensors by name, the names in the order of their data, and
    /// the free-form string metadata. Names are byte strings, as in the reference
    /// implementation: "é" (U+00E9) and "e" + U+0301 are two names (Swift's `==` on String
    /// would call them equal, so names are compared by their Unicode scalars here).
    public struct Contents {
        public var tensors: NamedTensors
        public var names: [String]
        public var metadata: [String: String]
    }

    /// Tensors looked up by name, byte for byte.
    public struct NamedTensors: Sequence {
        /// The tensors, in the order of their data.
        public private(set) var entries: [(name: String, tensor: Tensor)]

        public init(_ entries: [(name: String, tensor: Tensor)]) { self.entries = entries }

        /// The tensor whose name has exactly these Unicode scalars, or nil.
        public subscript(name: String) -> Tensor? {
            entries.first { sameName($0.name, name) }?.tensor
        }

        public var count: Int { entries.count }

        public func makeIterator() -> IndexingIterator<[(name: String, tensor: Tensor)]> { entries.makeIterator() }
    }

    /// Whether two names are the same bytes (not merely canonically equivalent).
    static func sameName(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    /// The bytes of a safetensors file holding `tensors` (as F32, in the given order) and
    /// `metadata`. Throws for a repeated name or the reserved name "__metadata__".
    public static func encode(
        _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
        file: StaticString = #fileID, line: UInt = #line
    ) throws -> Data {
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        var seen = Set<[UInt8]>()
        var offset = 0
        for (name, t) in tensors {
            guard name != "__metadata__" else {
                throw TensorError(op: "Safetensors.encode", "\"__metadata__\" is reserved and cannot name a tensor", file: file, line: line)
            }
            guard seen.insert(Array(name.utf8)).inserted else {
                throw TensorError(op: "Safetensors.encode", "the name \"\(name)\" is used twice", file: file, line: line)
            }
            entries.append((name, t.shape, offset, offset + 4 * t.count))
            offset += 4 * t.count
        }
        var json = headerJSON(entries, metadata: metadata)
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))

        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: json)
        for (_, t) in tensors {
            #if _endian(little)
            t.scalars.withUnsafeBytes { data.append(contentsOf: $0) }
            #else
            t.scalars.map { $0.bitPattern.littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) }
            #endif
        }
        return data
    }

    /// The tensors and metadata in the bytes of a safetensors file. Every part is checked
    /// (lengths, JSON, dtypes, shapes, offsets, and that the tensors tile the data exactly,
    /// as the reference implementation requires); a bad file throws a one-line error.
    public static func decode(_ data: Data, file: StaticString = #fileID, line: UInt = #line) throws -> Contents {
        try decode(data, op: "Safetensors.decode", source: nil, file: file, line: line)
    }

    /// Reads and decodes the file at `url`.
    public static func read(from url: URL, file: StaticString = #fileID, line: UInt = #line) throws -> Contents {
        try decode(readFile(url, op: "Safetensors.read", file: file, line: line),
                   op: "Safetensors.read", source: url.lastPathComponent, file: file, line: line)
    }
}

// MARK: - Modules

extension Module {
    /// Writes every parameter (by its `namedParameters()` name) to a safetensors file,
    /// replacing the file in one piece.
    public func save(
        to url: URL, metadata: [String: String] = [:], file: StaticString = #fileID, line: UInt = #line
    ) throws {
        let data = try Safetensors.encode(namedParameters(), metadata: metadata, file: file, line: line)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw TensorError(op: "save", "cannot write \(url.path): \(error.localizedDescription)", file: file, line: line)
        }
    }

    /// Sets every parameter from a safetensors file, in place (each parameter stays the
    /// same `Tensor`, so an optimizer holding it carries on). Everything is checked before
    /// anything is changed: a parameter missing from the file, a shape that differs, or
    /// (with `strict`, as PyTorch's `load_state_dict`) a tensor in the file that the model
    /// has no parameter for, throws and leaves the model as it was.
    public func load(
        from url: URL, strict: Bool = true, file: StaticString = #fileID, line: UInt = #line
    ) throws {
        let name = url.lastPathComponent
        let data = try readFile(url, op: "load", file: file, line: line)
        let contents = try Safetensors.decode(data, op: "load", source: name, file: file, line: line)
        func fail(_ why: String) -> TensorError { TensorError(op: "load", "\(name): \(why)", file: file, line: line) }
        let parameters = namedParameters()
        let missing = parameters.map(\.name).filter { contents.tensors[$0] == nil }
        if !missing.isEmpty {
            throw fail("no tensor for parameter\(missing.count > 1 ? "s" : "") \(list(missing)); the file holds \(list(contents.names))")
        }
        for (pname, p) in parameters {
            let t = contents.tensors[pname]!
            guard t.shape == p.shape else {
                throw fail("parameter \"\(pname)\" has shape \(describe(p.shape)) but the file's tensor has shape \(describe(t.shape))")
            }
        }
        if strict {
            let known = Set(parameters.map { Array($0.name.utf8) })
            let unexpected = contents.names.filter { !known.contains(Array($0.utf8)) }
            if !unexpected.isEmpty {
                throw fail("the model has no parameter for \(list(unexpected)) (load with strict: false to ignore them)")
            }
        }
        for (pname, p) in parameters { try p.assign(contents.tensors[pname]!.scalars, file: file, line: line) }
    }
}

/// Up to five names, quoted, and how many more.
private func list(_ names: [String]) -> String {
    let shown = names.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
    return names.count > 5 ? "\(shown) and \(names.count - 5) more" : (names.isEmpty ? "nothing" : shown)
}

/// The bytes of the regular file at `url`. It is opened without blocking and checked
/// with fstat before it is read, so a FIFO, a device (/dev/zero) or a folder is refused
/// in one line instead of hanging, reading forever or being called a permission problem.
private func readFile(_ url: URL, op: String, file: StaticString, line: UInt) throws -> Data {
    func fail(_ why: String) -> TensorError { TensorError(op: op, "cannot read \(url.path): \(why)", file: file, line: line) }
    let fd = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw fail(openProblem(errno)) }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw fail(String(cString: strerror(errno))) }
    guard info.st_mode & S_IFMT == S_IFREG else {
        throw fail("it is \(fileKind(info.st_mode)), not a regular file: give the path of a .safetensors file")
    }
    do {
        return try handle.readToEnd() ?? Data()
    } catch {
        throw fail("\((error as NSError).localizedDescription)")
    }
}

/// Why `open` failed, and what to do.
private func openProblem(_ code: Int32) -> String {
    switch code {
    case ENOENT: return "no such file (check the path)"
    case EACCES, EPERM: return "permission denied (check the file's permissions: ls -l)"
    case ENOTDIR: return "a part of the path is not a folder"
    default: return String(cString: strerror(code))
    }
}

/// "a folder", "a FIFO (named pipe)", …: what a file that is not a regular file is.
private func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: return "a folder"
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    default: return "a special file"
    }
}

// MARK: - The header's JSON, by hand

/// The header's JSON: tensors in the order of their data, then the metadata (sorted).
/// Written by hand so that names stay byte strings: a Swift dictionary would merge "é"
/// (U+00E9) and "e" + U+0301 into one key.
private func headerJSON(_ entries: [(name: String, shape: [Int], begin: Int, end: Int)], metadata: [String: String]) -> [UInt8] {
    var members = entries.map { e in
        jsonString(e.name) + #":{"dtype":"F32","shape":["# + e.shape.map(String.init).joined(separator: ",")
            + #"],"data_offsets":["# + "\(e.begin),\(e.end)]}"
    }
    if !metadata.isEmpty {
        let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        members.append(#""__metadata__":{"# + pairs.map { jsonString($0.key) + ":" + jsonString($0.value) }.joined(separator: ",") + "}")
    }
    return Array(("{" + members.joined(separator: ",") + "}").utf8)
}

/// A JSON string literal: quotes, backslashes and control characters escaped, the rest as
/// is (also what the graders' fixtures are written with).
public func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}

/// The top-level members of a header that is valid JSON, in order: each name exactly as
/// written (escapes resolved, never normalised) and the bytes of its value. Foundation's
/// JSON readers keep one of two equal keys silently, so the keys are read here.
private func members(of json: [UInt8]) -> [(name: String, value: ArraySlice<UInt8>)]? {
    var i = 0
    func skipSpace() { while i < json.count, [0x20, 0x09, 0x0A, 0x0D].contains(json[i]) { i += 1 } }
    func skipString() { i += 1; while i < json.count, json[i] != UInt8(ascii: "\"") { i += json[i] == UInt8(ascii: "\\") ? 2 : 1 }; i += 1 }
    /// Past one value: a string, an object or array (to its closing bracket), or a scalar.
    func skipValue() {
        var depth = 0
        while i < json.count {
            switch json[i] {
            case UInt8(ascii: "\""):
                skipString()
                if depth == 0 { return }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return }
                depth -= 1
                if depth == 0 { i += 1; return }
            case UInt8(ascii: ","), 0x20, 0x09, 0x0A, 0x0D:
                if depth == 0 { return }
            default:
                break
            }
            i += 1
        }
    }
    var result: [(name: String, value: ArraySlice<UInt8>)] = []
    skipSpace()
    guard i < json.count, json[i] == UInt8(ascii: "{") else { return nil }
    i += 1; skipSpace()
    while i < json.count, json[i] == UInt8(ascii: "\"") {
        let start = i
        skipString()
        guard let name = try? JSONSerialization.jsonObject(with: Data(json[start..<i]), options: .fragmentsAllowed) as? String else { return nil }
        skipSpace()
        guard i < json.count, json[i] == UInt8(ascii: ":") else { return nil }
        i += 1; skipSpace()
        let valueStart = i
        skipValue()
        result.append((name, json[valueStart..<i]))
        skipSpace()
        guard i < json.count, json[i] == UInt8(ascii: ",") else { break }
        i += 1; skipSpace()
    }
    return result
}

// MARK: - Decoding

/// One tensor's header entry. Numbers are read as Double and checked to be whole by us:
/// JSONDecoder reports `2.5` where an Int belongs as "not valid JSON", which misleads.
private struct Entry: Decodable {
    let dtype: String
    let shape: [Double]
    let data_offsets: [Double]
}

/// The values as Ints if every one is a whole number in 0..<2⁶³, else nil.
private func wholeNumbers(_ xs: [Double]) -> [Int]? {
    guard xs.allSatisfy({ $0 >= 0 && $0 < 0x1p63 && $0.rounded() == $0 }) else { return nil }
    return xs.map { Int($0) }
}

/// `[2, 2.5]`: numbers as JSON wrote them.
private func format(_ xs: [Double]) -> String {
    "[" + xs.map { $0.rounded() == $0 && Swift.abs($0) < 1e15 ? String(Int($0)) : String($0) }.joined(separator: ", ") + "]"
}

/// The header: tensor entries in the order written, and the metadata.
private struct Header {
    var entries: [(name: String, entry: Entry)] = []
    var metadata: [String: String] = [:]

    /// Reads a header's bytes. A name twice (byte for byte) is refused, as the reference
    /// implementation does; names that differ only in Unicode normalisation are two names.
    init(_ bytes: Data) throws {
        guard (try? JSONSerialization.jsonObject(with: bytes)) is [String: Any],
              let members = members(of: [UInt8](bytes)) else { throw HeaderError.notJSON }
        var seen = Set<[UInt8]>()
        for (name, value) in members {
            guard seen.insert(Array(name.utf8)).inserted else { throw HeaderError.duplicate(name) }
            do {
                if Safetensors.sameName(name, "__metadata__") {
                    metadata = try JSONDecoder().decode([String: String].self, from: Data(value))
                } else {
                    entries.append((name, try JSONDecoder().decode(Entry.self, from: Data(value))))
                }
            } catch let error as DecodingError {
                throw HeaderError.field(name, error)
            }
        }
    }
}

/// What is wrong with a header, before its entries are checked.
private enum HeaderError: Error {
    case notJSON
    case duplicate(String)
    case field(String, DecodingError)

    var message: String {
        switch self {
        case .notJSON: return "the header is not valid JSON"
        case .duplicate(let name):
            return "the header names \"\(name)\" twice: a name holds one tensor, so the file is ambiguous (the reference library refuses it too); write it again with distinct names"
        case .field(let name, let error): return explain(error, in: name)
        }
    }
}

/// Bytes per value, for the dtypes we read.
private let itemSizes = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2]

/// The reference implementation refuses headers past 100 MB; so do we.
private let maxHeaderLength: UInt64 = 100_000_000

extension Safetensors {
    static func decode(_ data: Data, op: String, source: String?, file: StaticString, line: UInt) throws -> Contents {
        let prefix = source.map { "\($0): " } ?? ""
        func fail(_ why: String) -> TensorError { TensorError(op: op, prefix + why, file: file, line: line) }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Contents in
            guard raw.count >= 8 else {
                throw fail("truncated file: \(raw.count) bytes, but a safetensors file starts with an 8-byte header length")
            }
            let n = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            guard n <= UInt64(raw.count - 8) else {
                throw fail("the header length \(n) is larger than the \(raw.count - 8) bytes after it (a truncated file, or not a safetensors file)")
            }
            guard n <= maxHeaderLength else { throw fail("the header length \(n) is over the 100 MB limit") }
            let headerEnd = 8 + Int(n)
            let headerBytes = Data(raw[8..<headerEnd])
            guard let text = String(data: headerBytes, encoding: .utf8), text.hasPrefix("{") else {
                throw fail("the header is not a UTF-8 JSON object (it must start with \"{\")")
            }
            let header: Header
            do {
                header = try Header(headerBytes)
            } catch let error as HeaderError {
                throw fail(error.message)
            }

            // Check every entry, then that the entries tile the data exactly.
            let dataCount = raw.count - headerEnd
            var spans: [(begin: Int, end: Int, index: Int)] = []
            var shapes: [[Int]] = []
            for (index, (name, e)) in header.entries.enumerated() {
                guard let size = itemSizes[e.dtype] else {
                    throw fail("tensor \"\(name)\" has dtype \(e.dtype): only floating-point tensors (F32, F64, F16, BF16) can be read")
                }
                guard let shape = wholeNumbers(e.shape) else {
                    throw fail("tensor \"\(name)\" has shape \(format(e.shape)): sizes must be whole numbers ≥ 0")
                }
                guard let offsets = wholeNumbers(e.data_offsets), offsets.count == 2 else {
                    throw fail("tensor \"\(name)\" has data_offsets \(format(e.data_offsets)): there must be two whole numbers ≥ 0, [begin, end]")
                }
                let (begin, end) = (offsets[0], offsets[1])
                guard begin <= end, end <= dataCount else {
                    throw fail("tensor \"\(name)\" has data_offsets [\(begin), \(end)] outside the \(dataCount) bytes of data")
                }
                var bytes = size, overflow = false
                for s in shape where !overflow { (bytes, overflow) = bytes.multipliedReportingOverflow(by: s) }
                guard !overflow, bytes == end - begin else {
                    throw fail("tensor \"\(name)\" of shape \(describe(shape)) and dtype \(e.dtype) needs \(overflow ? "more" : "\(bytes)") bytes, but data_offsets [\(begin), \(end)] hold \(end - begin)")
                }
                spans.append((begin, end, index))
                shapes.append(shape)
            }
            spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
            var covered = 0
            for s in spans {
                guard s.begin == covered else {
                    throw fail(s.begin < covered
                        ? "tensor \"\(header.entries[s.index].name)\" (bytes \(s.begin)..<\(s.end)) overlaps the tensor before it"
                        : "bytes \(covered)..<\(s.begin) of the data belong to no tensor")
                }
                covered = s.end
            }
            guard covered == dataCount else {
                throw fail("the data has \(dataCount) bytes but the tensors cover \(covered): the file is truncated or has trailing bytes")
            }

            let tensors = spans.map { s -> (name: String, tensor: Tensor) in
                let (name, e) = header.entries[s.index]
                let values = floats(raw, from: headerEnd + s.begin, count: (s.end - s.begin) / itemSizes[e.dtype]!, dtype: e.dtype)
                return (name, Tensor(shape: shapes[s.index], scalars: values))
            }
            return Contents(tensors: NamedTensors(tensors), names: tensors.map(\.name), metadata: header.metadata)
        }
    }
}

/// A JSON decoding error in the value of header member `name`, as one line: which
/// field, and what was wrong with it.
private func explain(_ error: DecodingError, in name: String) -> String {
    func path(_ c: DecodingError.Context) -> String {
        let text = name + c.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? "." + key.stringValue }.joined()
        return "header field \"\(text)\""
    }
    switch error {
    case .keyNotFound(let key, let c):
        return "\(path(c)) has no \"\(key.stringValue)\" (a tensor needs dtype, shape and data_offsets)"
    case .typeMismatch(let type, let c), .valueNotFound(let type, let c):
        let name = "\(type)"
        let expected = type == String.self ? "a string" : type == Double.self ? "a number"
            : name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "an object" : "a \(name)"
        return "\(path(c)) is not \(expected)"
    case .dataCorrupted(let c):
        return "\(path(c)) is invalid: \(c.debugDescription)"
    @unknown default:
        return "the header is not valid: \(error)"
    }
}

/// `count` little-endian values of `dtype` from byte `offset`, as Floats.
private func floats(_ raw: UnsafeRawBufferPointer, from offset: Int, count: Int, dtype: String) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { out, n in
        switch dtype {
        case "F32":
            for i in 0..<count {
                out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)))
            }
        case "F64":
            for i in 0..<count {
                out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8 * i, as: UInt64.self))))
            }
        case "F16":
            for i in 0..<count {
                out[i] = halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 2 * i, as: UInt16.self)))
            }
        default: // BF16: the top half of a Float.
            for i in 0..<count {
                out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 2 * i, as: UInt16.self))) << 16)
            }
        }
        n = count
    }
}

/// An IEEE half-precision value (1 sign, 5 exponent, 10 mantissa bits) as a Float.
/// (Swift's `Float16` is not available on every platform the course runs on.)
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = UInt32(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    switch exponent {
    case 0: // zero or subnormal: mantissa · 2⁻²⁴
        let v = Float(mantissa) * 0x1p-24
        return sign != 0 ? -v : v
    case 31: // infinity or NaN
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}
