import XCTest
@testable import Autograd

/// Batching: index batches (coverage, determinism per seed), padding, length masks, and
/// the pieces a masked sequence loss needs, with known outputs.
final class DataTests: XCTestCase {
    /// Asserts that `body` throws a TensorError whose text holds `mention`.
    func assertThrows(_ what: String, mentions mention: String, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("\(what): expected a TensorError mentioning \"\(mention)\", got no error", file: file, line: line)
        } catch {
            XCTAssertTrue("\(error)".contains(mention), "\(what): expected the error to mention \"\(mention)\", got \"\(error)\"", file: file, line: line)
        }
    }

    // MARK: - batches

    func testBatchesCoverEveryIndexOnce() throws {
        for (count, size) in [(10, 3), (9, 3), (1, 4), (0, 2), (100, 7)] {
            for shuffle in [false, true] {
                var rng = RNG(seed: 7)
                let b = try batches(count: count, batchSize: size, shuffle: shuffle, rng: &rng)
                XCTAssertEqual(b.flatMap { $0 }.sorted(), Array(0..<count), "count \(count), batch \(size), shuffle \(shuffle): every index once")
                XCTAssertEqual(b.count, (count + size - 1) / size, "count \(count), batch \(size): number of batches")
                XCTAssertTrue(b.dropLast().allSatisfy { $0.count == size }, "all batches but the last are full")

                var rng2 = RNG(seed: 7)
                let dropped = try batches(count: count, batchSize: size, shuffle: shuffle, rng: &rng2, dropLast: true)
                XCTAssertEqual(dropped.count, count / size, "dropLast keeps only full batches")
                XCTAssertTrue(dropped.allSatisfy { $0.count == size }, "dropLast keeps only full batches")
                XCTAssertEqual(dropped, Array(b.prefix(count / size)), "dropLast drops only the short last batch")
            }
        }
        var rng = RNG(seed: 1)
        XCTAssertEqual(try batches(count: 7, batchSize: 3, shuffle: false, rng: &rng), [[0, 1, 2], [3, 4, 5], [6]])
        var fresh = RNG(seed: 1)
        XCTAssertEqual(rng.next(), fresh.next(), "without shuffling the generator is not used")
    }

    func testShuffleIsDeterministicPerSeed() throws {
        func epoch(_ seed: UInt64) throws -> [[Int]] {
            var rng = RNG(seed: seed)
            return try batches(count: 50, batchSize: 8, shuffle: true, rng: &rng)
        }
        XCTAssertEqual(try epoch(3), try epoch(3), "the same seed gives the same batches")
        XCTAssertNotEqual(try epoch(3), try epoch(4), "different seeds give different batches")
        XCTAssertNotEqual(try epoch(3).flatMap { $0 }, Array(0..<50), "shuffled is not in order")
        var rng = RNG(seed: 3)
        let first = try batches(count: 50, batchSize: 8, shuffle: true, rng: &rng)
        let second = try batches(count: 50, batchSize: 8, shuffle: true, rng: &rng)
        XCTAssertNotEqual(first, second, "the generator moves on: the next epoch has a new order")
    }

    func testBatchesRejectBadSizes() {
        var rng = RNG(seed: 0)
        assertThrows("batch size 0", mentions: "batchSize = 0") { _ = try batches(count: 5, batchSize: 0, shuffle: false, rng: &rng) }
        assertThrows("negative count", mentions: "count = -1") { _ = try batches(count: -1, batchSize: 2, shuffle: false, rng: &rng) }
        assertThrows("bucketed, batch size 0", mentions: "batchSize") { _ = try batchesByLength(lengths: [1], batchSize: 0, shuffle: false, rng: &rng) }
    }

    func testBatchesByLengthGroupSimilarLengths() throws {
        var rng = RNG(seed: 5)
        let lengths = rng.permutation(40).map { $0 / 2 + 1 }   // 1, 1, 2, 2, ... 20, 20 in random order
        let plain = try batchesByLength(lengths: lengths, batchSize: 4, shuffle: false, rng: &rng)
        XCTAssertEqual(plain.flatMap { $0 }.map { lengths[$0] }, lengths.sorted(), "without shuffling: ordered by length")
        let b = try batchesByLength(lengths: lengths, batchSize: 4, shuffle: true, rng: &rng)
        XCTAssertEqual(b.flatMap { $0 }.sorted(), Array(0..<40), "every index once")
        for x in b {
            let l = x.map { lengths[$0] }
            XCTAssertLessThanOrEqual(l.max()! - l.min()!, 1, "batch \(x) has lengths \(l): a batch holds neighbouring lengths")
        }
        XCTAssertNotEqual(b.map { lengths[$0[0]] }, b.map { lengths[$0[0]] }.sorted(), "shuffling shuffles the batches")
    }

    // MARK: - Padding and masks

    func testPadSequencesKnownOutputs() throws {
        let seqs = [[5, 6, 7], [8], []]
        let p = try padSequences(seqs)
        XCTAssertEqual(p.shape, [3, 3])
        XCTAssertEqual(p.indices, [5, 6, 7, 8, 0, 0, 0, 0, 0])

        let cut = try padSequences(seqs, padValue: -100, length: 2)
        XCTAssertEqual(cut.shape, [3, 2])
        XCTAssertEqual(cut.indices, [5, 6, 8, -100, -100, -100], "length cuts longer sequences to their first codes")

        let long = try padSequences([[1, 2]], padValue: 9, length: 4)
        XCTAssertEqual(long.indices, [1, 2, 9, 9])
        XCTAssertEqual(try padSequences([]).shape, [0, 0])
        assertThrows("negative length", mentions: "length = -1") { _ = try padSequences(seqs, length: -1) }
    }

    func testLengthMaskKnownOutputs() throws {
        let m = try lengthMask(lengths: [3, 1, 0, 5], maxLength: 4)
        XCTAssertEqual(m.shape, [4, 4])
        XCTAssertEqual(m.scalars, [1, 1, 1, 0,
                                   1, 0, 0, 0,
                                   0, 0, 0, 0,
                                   1, 1, 1, 1], "1 where t < length; a length past T fills its row")
        XCTAssertEqual(try lengthMask(lengths: [2, 3]).scalars, [1, 1, 0, 1, 1, 1], "T defaults to the longest")
        XCTAssertEqual(try lengthMask(lengths: []).shape, [0, 0])
        assertThrows("negative length", mentions: "lengths[1] = -2") { _ = try lengthMask(lengths: [1, -2], maxLength: 3) }
        assertThrows("negative maxLength", mentions: "maxLength") { _ = try lengthMask(lengths: [1], maxLength: -1) }
    }

    func testPadBatchAndLastStep() throws {
        let batch = try padBatch([[4, 5, 6], [7]], padValue: 0)
        XCTAssertEqual(batch.codes.indices, [4, 5, 6, 7, 0, 0])
        XCTAssertEqual(batch.lengths, [3, 1])
        XCTAssertEqual(batch.mask.scalars, [1, 1, 1, 1, 0, 0])
        XCTAssertEqual(try padBatch([[1, 2, 3]], length: 2).lengths, [2], "a cut sequence's length is the kept part")

        // outputs[b, t, h] = 100 b + 10 t + h: the last real step of row b is t = lengths[b] − 1.
        let (B, T, H) = (2, 3, 2)
        let values = (0..<(B * T * H)).map { i in Float(100 * (i / (T * H)) + 10 * (i / H % T) + i % H) }
        let outputs = try Tensor(values, shape: [B, T, H])
        let last = try outputs.gather(axis: 1, index: lastStepIndex(lengths: batch.lengths, hidden: H)).squeeze(1)
        XCTAssertEqual(last.shape, [2, 2])
        XCTAssertEqual(last.scalars, [20, 21, 100, 101])
        assertThrows("empty sequence", mentions: "lengths[0] = 0") { _ = try lastStepIndex(lengths: [0], hidden: 2) }
    }

    /// Padding targets with an ignore index, or masking them, gives the loss on the real steps.
    func testMaskedLossIgnoresPadding() throws {
        var rng = RNG(seed: 11)
        let seqs = [[1, 2, 3], [2], [0, 3]]
        let logits = Tensor.randn([3, 3, 4], rng: &rng)
        let ignored = try crossEntropy(logits, padSequences(seqs, padValue: -100), ignoreIndex: -100)
        let masked = try crossEntropy(logits, padSequences(seqs), mask: lengthMask(lengths: seqs.map(\.count)))
        // By hand: the mean over the 6 real steps.
        var total: Float = 0
        for (b, s) in seqs.enumerated() {
            for (t, code) in s.enumerated() {
                let row = (0..<4).map { logits.scalars[(b * 3 + t) * 4 + $0] }
                let lse = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
                total += lse - row[code]
            }
        }
        XCTAssertEqual(try ignored.item(), total / 6, accuracy: 1e-5, "ignoreIndex padding")
        XCTAssertEqual(try masked.item(), total / 6, accuracy: 1e-5, "length mask")
    }
}
