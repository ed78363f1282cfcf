import Foundation
import XCTest
@testable import Autograd

/// A small linear layer, written here so these tests depend only on `Module`.
private final class TinyLinear: Module {
    let weight: Tensor, bias: Tensor
    var isTraining = true
    init(_ input: Int, _ output: Int, rng: inout RNG) {
        weight = Tensor.randn([output, input], requiresGrad: true, rng: &rng)
        bias = Tensor.randn([output], requiresGrad: true, rng: &rng)
    }
    var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
}

/// Two layers, so names are dotted: "encoder.weight", "head.bias".
private final class TinyModel: Module {
    let encoder: TinyLinear, head: TinyLinear
    var isTraining = true
    init(seed: UInt64, hidden: Int = 3) {
        var rng = RNG(seed: seed)
        encoder = TinyLinear(2, hidden, rng: &rng)
        head = TinyLinear(hidden, 1, rng: &rng)
    }
    var submodules: [(name: String, module: any Module)] { [("encoder", encoder), ("head", head)] }
}

/// Checkpoints: a round trip through a file, the bytes against the format, the dtypes
/// we read, and a clear error for every kind of corrupt file.
final class SafetensorsTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Asserts that `body` throws a TensorError whose text holds `mention` and is one line.
    func assertThrows(_ what: String, mentions mention: String, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("\(what): expected a TensorError mentioning \"\(mention)\", got no error", file: file, line: line)
        } catch let error as TensorError {
            XCTAssertTrue("\(error)".contains(mention), "\(what): expected the error to mention \"\(mention)\", got \"\(error)\"", file: file, line: line)
            XCTAssertFalse("\(error)".contains("\n"), "\(what): the error should be one line, got \"\(error)\"", file: file, line: line)
        } catch {
            XCTFail("\(what): expected a TensorError, got \(type(of: error)): \(error)", file: file, line: line)
        }
    }

    /// A file from a header string and data bytes, laid out as the format says (the
    /// header length can be overridden to make a bad file).
    func craft(_ header: String, data: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
        var json = Array(header.utf8)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out = Data()
        withUnsafeBytes(of: (headerLength ?? UInt64(json.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        out.append(contentsOf: data)
        return out
    }

    /// Little-endian bytes of some floats.
    func bytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
    }

    // MARK: - Round trip

    func testModuleRoundTripKeepsValuesAndIdentities() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        let saved = TinyModel(seed: 1)
        try saved.save(to: url, metadata: ["epoch": "5", "note": "tiny"])

        let loaded = TinyModel(seed: 2)
        let before = loaded.parameters()
        XCTAssertNotEqual(before[0].scalars, saved.parameters()[0].scalars, "the two models start different")
        try loaded.load(from: url)
        let after = loaded.parameters()
        for ((name, a), b) in zip(saved.namedParameters(), after) {
            XCTAssertEqual(b.scalars, a.scalars, "\(name): loaded values must equal the saved ones, bit for bit")
            XCTAssertEqual(b.shape, a.shape, "\(name): shape")
        }
        for (i, (x, y)) in zip(before, after).enumerated() {
            XCTAssertTrue(x === y, "parameter \(i): loading must keep each parameter's identity (assign in place)")
            XCTAssertTrue(y.requiresGrad, "parameter \(i): still a trainable parameter")
        }
        let contents = try Safetensors.read(from: url)
        XCTAssertEqual(contents.metadata, ["epoch": "5", "note": "tiny"])
        XCTAssertEqual(contents.names, ["encoder.weight", "encoder.bias", "head.weight", "head.bias"], "tensors laid out in parameter order")
    }

    // MARK: - The bytes

    func testBytesFollowTheFormat() throws {
        let a = try Tensor([1, -2, 3.5, 0, 1e-3, -7], shape: [2, 3]), b = Tensor([0.25, 9])
        let data = try Safetensors.encode([("layer.a", a), ("b", b)], metadata: ["k": "v"])
        let raw = [UInt8](data)

        let n = raw[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        XCTAssertEqual(n % 8, 0, "the header is padded to a multiple of 8 bytes")
        XCTAssertEqual(raw.count, 8 + Int(n) + 4 * 8, "8 bytes, the header, then 8 floats of data")
        let headerBytes = Array(raw[8..<(8 + Int(n))])
        let text = String(decoding: headerBytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{"), "the header is a JSON object")
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        XCTAssertTrue(trimmed.hasSuffix("}") && text.count - trimmed.count < 8, "padding is fewer than 8 spaces after the JSON")

        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["layer.a", "b", "__metadata__"])
        XCTAssertEqual(json["__metadata__"] as? [String: String], ["k": "v"])
        let ea = try XCTUnwrap(json["layer.a"] as? [String: Any]), eb = try XCTUnwrap(json["b"] as? [String: Any])
        XCTAssertEqual(ea["dtype"] as? String, "F32")
        XCTAssertEqual(ea["shape"] as? [Int], [2, 3])
        XCTAssertEqual(ea["data_offsets"] as? [Int], [0, 24])
        XCTAssertEqual(eb["dtype"] as? String, "F32")
        XCTAssertEqual(eb["shape"] as? [Int], [2])
        XCTAssertEqual(eb["data_offsets"] as? [Int], [24, 32])
        XCTAssertEqual(Array(raw[(8 + Int(n))...]), bytes(a.scalars + b.scalars), "the data: little-endian F32, in order")

        XCTAssertEqual(try Safetensors.encode([("x", b)]), try Safetensors.encode([("x", b)]), "encoding is deterministic")
        let plain = try JSONSerialization.jsonObject(with: Data(try Safetensors.encode([("x", b)]).dropFirst(8).dropLast(8))) as? [String: Any]
        XCTAssertNil(plain?["__metadata__"], "no metadata, no __metadata__ entry (as the reference writes it)")
    }

    func testEncodeRejectsBadNames() {
        let t = Tensor([1])
        assertThrows("repeated name", mentions: "used twice") { _ = try Safetensors.encode([("w", t), ("w", t)]) }
        assertThrows("reserved name", mentions: "__metadata__") { _ = try Safetensors.encode([("__metadata__", t)]) }
    }

    func testReadsOtherFloatDtypes() throws {
        // F16: 1, −2, 0.5, 65504 (largest), 2⁻²⁴ (smallest subnormal), −0, +∞.
        let f16: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x8000, 0x7C00]
        let bf16: [UInt16] = [0x3FC0, 0xC040]   // 1.5, −3
        let f64: [Double] = [0.1, -1e10]
        var data: [UInt8] = []
        for h in f16 + bf16 { withUnsafeBytes(of: h.littleEndian) { data += $0 } }
        for d in f64 { withUnsafeBytes(of: d.bitPattern.littleEndian) { data += $0 } }
        let header = """
        {"h":{"dtype":"F16","shape":[7],"data_offsets":[0,14]},"bf":{"dtype":"BF16","shape":[2],"data_offsets":[14,18]},\
        "d":{"dtype":"F64","shape":[1,2],"data_offsets":[18,34]}}
        """
        let c = try Safetensors.decode(craft(header, data: data))
        XCTAssertEqual(c.tensors["h"]?.scalars, [1, -2, 0.5, 65504, 0x1p-24, -0.0, .infinity])
        XCTAssertEqual(c.tensors["h"]?.scalars[5].sign, .minus, "F16 −0 keeps its sign")
        XCTAssertEqual(c.tensors["bf"]?.scalars, [1.5, -3])
        XCTAssertEqual(c.tensors["d"]?.scalars, [Float(0.1), Float(-1e10)])
        XCTAssertEqual(c.tensors["d"]?.shape, [1, 2])
        XCTAssertEqual(c.names, ["h", "bf", "d"])
        XCTAssertTrue(halfToFloat(0x7E00).isNaN, "F16 NaN")
        XCTAssertEqual(halfToFloat(0x0400), 0x1p-14, "smallest normal F16")
    }

    // MARK: - Corrupt files

    func testCorruptFilesThrowClearErrors() throws {
        let good = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let two = bytes([1, 2])
        XCTAssertEqual(try Safetensors.decode(craft(good, data: two)).tensors["w"]?.scalars, [1, 2], "the well-formed base case")

        let cases: [(String, Data, String)] = [
            ("empty file", Data(), "truncated file"),
            ("5 bytes", Data([1, 2, 3, 4, 5]), "truncated file"),
            ("header length past the end", craft(good, data: two, headerLength: 1000), "header length 1000 is larger than"),
            ("huge header length", craft(good, data: two, headerLength: .max), "is larger than"),
            ("invalid JSON", craft(#"{"w": nope}"#, data: two), "not valid JSON"),
            ("not an object", craft("[1, 2]", data: two), "JSON object"),
            ("empty header", craft(""), "JSON object"),
            ("unsupported dtype", craft(#"{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: two), "dtype I64"),
            ("missing dtype", craft(#"{"w":{"shape":[2],"data_offsets":[0,8]}}"#, data: two), "has no \"dtype\""),
            ("fractional shape", craft(#"{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, data: two), "has shape [2.5]: sizes must be whole numbers"),
            ("boolean shape", craft(#"{"w":{"dtype":"F32","shape":[true],"data_offsets":[0,8]}}"#, data: two), "header field \"w.shape[0]\" is not a number"),
            ("shape not a list", craft(#"{"w":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}"#, data: two), "header field \"w.shape\" is not a list"),
            ("entry not an object", craft(#"{"w":[1]}"#, data: two), "header field \"w\" is not an object"),
            ("fractional offsets", craft(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}"#, data: two), "data_offsets [0, 8.5]"),
            ("negative shape", craft(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: two), "has shape [-2]"),
            ("three offsets", craft(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}"#, data: two), "must be two"),
            ("offsets past the data", craft(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: two), "outside the 8 bytes"),
            ("truncated data", craft(good, data: Array(two.prefix(6))), "outside the 6 bytes"),
            ("reversed offsets", craft(#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, data: two), "outside"),
            ("offsets not matching the shape", craft(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: two), "needs 12 bytes"),
            ("overflowing shape", craft(#"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: two), "needs more bytes"),
            ("overlapping tensors",
             craft(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: two), "overlaps"),
            ("a gap", craft(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: two), "belong to no tensor"),
            ("trailing bytes", craft(good, data: two + [0, 0, 0, 0]), "trailing bytes"),
            ("metadata not strings", craft(#"{"__metadata__":{"epoch":5}}"#), "not a string"),
        ]
        for (what, data, mention) in cases {
            assertThrows(what, mentions: mention) { _ = try Safetensors.decode(data) }
        }
        var notUTF8 = craft(good, data: two)
        notUTF8[9] = 0xFF
        assertThrows("invalid UTF-8 in the header", mentions: "UTF-8") { _ = try Safetensors.decode(notUTF8) }
    }

    func testLoadRejectsFilesThatDoNotFitTheModel() throws {
        let source = TinyModel(seed: 1)
        let model = TinyModel(seed: 2)
        let original = model.parameters().map(\.scalars)
        func write(_ name: String, _ tensors: [(name: String, tensor: Tensor)]) throws -> URL {
            let url = directory.appendingPathComponent(name)
            try Safetensors.encode(tensors).write(to: url)
            return url
        }
        let all = source.namedParameters()

        let missing = try write("missing.safetensors", Array(all.dropLast()))
        assertThrows("a missing parameter", mentions: "missing.safetensors: no tensor for parameter \"head.bias\"") { try model.load(from: missing) }

        var wrongShape = all
        wrongShape[0] = (name: "encoder.weight", tensor: Tensor.zeros([2, 3]))
        let shaped = try write("shape.safetensors", wrongShape)
        assertThrows("a shape mismatch", mentions: "\"encoder.weight\" has shape [3, 2] but the file's tensor has shape [2, 3]") { try model.load(from: shaped) }

        let bigger = TinyModel(seed: 3, hidden: 4)
        let otherURL = directory.appendingPathComponent("bigger.safetensors")
        try bigger.save(to: otherURL)
        assertThrows("another architecture", mentions: "has shape") { try model.load(from: otherURL) }

        let extra = try write("extra.safetensors", all + [(name: "decoder.weight", tensor: Tensor([1]))])
        assertThrows("an unexpected tensor", mentions: "no parameter for \"decoder.weight\"") { try model.load(from: extra) }

        let corrupt = directory.appendingPathComponent("corrupt.safetensors")
        try Data([1, 2, 3]).write(to: corrupt)
        assertThrows("a corrupt file", mentions: "corrupt.safetensors: truncated file") { try model.load(from: corrupt) }
        assertThrows("no file", mentions: "cannot read") { try model.load(from: directory.appendingPathComponent("absent.safetensors")) }
        assertThrows("an unwritable place", mentions: "cannot write") { try model.save(to: directory.appendingPathComponent("no/such/dir/m.safetensors")) }

        XCTAssertEqual(model.parameters().map(\.scalars), original, "a failed load leaves the model as it was")

        try model.load(from: extra, strict: false)
        XCTAssertEqual(model.parameters().map(\.scalars), source.parameters().map(\.scalars), "strict: false ignores the extra tensor")
    }

    // MARK: - Another reader

    /// Parses our file with a few lines of Python (struct, json, numpy), independently of
    /// this code. Skipped when python3 with numpy is not installed.
    func testPythonReadsTheFile() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        let model = TinyModel(seed: 4)
        try model.save(to: url, metadata: ["format": "pt"])
        let script = """
        import json, struct, sys
        import numpy as np
        raw = open(sys.argv[1], 'rb').read()
        (n,) = struct.unpack('<Q', raw[:8])
        assert n % 8 == 0, 'header length not a multiple of 8'
        header = json.loads(raw[8:8 + n].decode('utf-8'))
        data = raw[8 + n:]
        out = {'__metadata__': header.pop('__metadata__', {})}
        for name, e in header.items():
            assert e['dtype'] == 'F32'
            b, end = e['data_offsets']
            out[name] = {'shape': e['shape'], 'values': np.frombuffer(data[b:end], dtype='<f4').reshape(e['shape']).ravel().tolist()}
        print(json.dumps(out))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, url.path]
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        do { try process.run() } catch { throw XCTSkip("python3 is not available: \(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0 && (stderr.contains("No module named") || stderr.contains("No such file")) {
            throw XCTSkip("python3 with numpy is not available")
        }
        XCTAssertEqual(process.terminationStatus, 0, "the Python reader failed: \(stderr)")
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: output) as? [String: Any])
        XCTAssertEqual(parsed["__metadata__"] as? [String: String], ["format": "pt"])
        for (name, t) in model.namedParameters() {
            let entry = try XCTUnwrap(parsed[name] as? [String: Any], "Python found no tensor \(name)")
            XCTAssertEqual(entry["shape"] as? [Int], t.shape, "\(name): shape as Python reads it")
            let values = try XCTUnwrap(entry["values"] as? [Double]).map(Float.init)
            XCTAssertEqual(values, t.scalars, "\(name): values as Python reads them")
        }
    }

    // MARK: - Names and special files (issue 16)

    func testADuplicatedNameIsRefused() {
        let twice = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertThrows("a name twice", mentions: "the header names \"w\" twice") { _ = try Safetensors.decode(craft(twice, data: bytes([1, 2]))) }
        let escaped = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\u0077":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertThrows("a name twice, once escaped", mentions: "names \"w\" twice") { _ = try Safetensors.decode(craft(escaped, data: bytes([1, 2]))) }
        let metadata = #"{"__metadata__":{"a":"1"},"__metadata__":{"a":"2"}}"#
        assertThrows("metadata twice", mentions: "names \"__metadata__\" twice") { _ = try Safetensors.decode(craft(metadata)) }
    }

    func testNamesThatDifferOnlyInNormalisationAreTwoTensors() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        XCTAssertEqual(composed, decomposed, "Swift calls them equal: the point of this test")
        let header = #"{"caf\#u{E9}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"cafe\u0301":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let c = try Safetensors.decode(craft(header, data: bytes([1, 2])))
        XCTAssertEqual(c.names.map { Array($0.unicodeScalars) }, [Array(composed.unicodeScalars), Array(decomposed.unicodeScalars)])
        XCTAssertEqual(c.tensors[composed]?.scalars, [1])
        XCTAssertEqual(c.tensors[decomposed]?.scalars, [2])
        XCTAssertEqual(c.tensors.count, 2)

        // And they are written as two names, and read back as two.
        let data = try Safetensors.encode([(composed, Tensor([3])), (decomposed, Tensor([4]))], metadata: ["k\"ey": "v\\al\n"])
        let back = try Safetensors.decode(data)
        XCTAssertEqual(back.tensors[composed]?.scalars, [3])
        XCTAssertEqual(back.tensors[decomposed]?.scalars, [4])
        XCTAssertEqual(back.metadata, ["k\"ey": "v\\al\n"], "escapes round-trip")
    }

    func testSpecialFilesAreNotRegularFiles() throws {
        let model = TinyModel(seed: 1)
        assertThrows("/dev/null", mentions: "/dev/null: it is a character device, not a regular file") { _ = try Safetensors.read(from: URL(fileURLWithPath: "/dev/null")) }
        assertThrows("/dev/zero", mentions: "it is a character device, not a regular file") { try model.load(from: URL(fileURLWithPath: "/dev/zero")) }
        assertThrows("a folder", mentions: "it is a folder, not a regular file") { try model.load(from: directory) }
        let fifo = directory.appendingPathComponent("pipe.safetensors")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0, "mkfifo")
        let done = expectation(description: "a FIFO is refused without waiting for a writer")
        DispatchQueue.global().async {
            self.assertThrows("a FIFO", mentions: "it is a FIFO (named pipe), not a regular file") { try model.load(from: fifo) }
            done.fulfill()
        }
        wait(for: [done], timeout: 10)
        assertThrows("no file", mentions: "no such file") { try model.load(from: directory.appendingPathComponent("absent.safetensors")) }
    }
}
