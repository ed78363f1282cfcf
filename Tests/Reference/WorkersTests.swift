import Autograd
import ExperimentKit
import Foundation
import XCTest

/// Independent trainings side by side (`Workers`, `--jobs N`): results in order, errors
/// as a sequential loop would give them, and the same numbers however many threads.
final class WorkersTests: XCTestCase {
    func testResultsComeBackInTheOrderOfThePieces() throws {
        // Later pieces finish first: the results must still be in order.
        let squares = try Workers(count: 3).map(Array(0..<12)) { i -> Int in
            Thread.sleep(forTimeInterval: Double(12 - i) * 0.002)
            return i * i
        }
        XCTAssertEqual(squares, (0..<12).map { $0 * $0 })
    }

    func testThePiecesRunAtOnceOnSeparateThreads() throws {
        // Two pieces that each wait for the other to start can only finish side by side.
        let started = Locked(0)
        let finished = try Workers(count: 2).map([0, 1]) { _ -> Bool in
            started.update { $0 += 1 }
            let deadline = Date().addingTimeInterval(5)
            while started.update({ $0 }) < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
            return started.update { $0 } == 2
        }
        XCTAssertEqual(finished, [true, true])
    }

    func testOneWorkerIsASequentialLoop() throws {
        let order = Locked<[Int]>([])
        _ = try Workers(count: 1).map(Array(0..<5)) { i in order.update { $0.append(i) } }
        XCTAssertEqual(order.update { $0 }, [0, 1, 2, 3, 4])
    }

    struct Failure: Error, Equatable { let piece: Int }

    func testTheFirstErrorInOrderIsRethrownAndNoNewPieceStarts() {
        let ran = Locked(Set<Int>())
        XCTAssertThrowsError(try Workers(count: 2).map(Array(0..<40)) { i -> Int in
            ran.update { _ = $0.insert(i) }
            if i == 3 || i == 4 { throw Failure(piece: i) }
            Thread.sleep(forTimeInterval: 0.002)
            return i
        }) { error in
            XCTAssertEqual(error as? Failure, Failure(piece: 3))
        }
        XCTAssertLessThan(ran.update { $0.count }, 40, "pieces kept starting after a failure")
    }

    func testTrainingsGiveTheSameNumbersSideBySideAsOneAfterAnother() throws {
        // A small recurrent model trained from four seeds, on one thread and on two: every
        // loss must be equal to the last bit (each training's products on its own thread).
        let threads = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = threads }
        func train(seed: UInt64) throws -> [Float] {
            var rng = RNG(seed: seed)
            let layer = GRU(3, 40, rng: &rng), head = Linear(40, 3, rng: &rng)
            let optimizer = try Adam(layer.parameters() + head.parameters(), learningRate: 1e-2)
            let x = Tensor.randn([16, 12, 3], rng: &rng), y = Tensor.randn([16, 12, 3], rng: &rng)
            return try (0..<15).map { _ in
                let loss = try mseLoss(head(layer(x).output), y)
                optimizer.zeroGrad()
                try loss.backward()
                optimizer.step()
                return try loss.item()
            }
        }
        let seeds: [UInt64] = [1, 2, 3, 4]
        let alone = try Workers(count: 1).map(seeds, train)
        let together = try Workers(count: 2).map(seeds, train)
        XCTAssertEqual(alone, together)
        XCTAssertNotEqual(alone[0], alone[1], "different seeds should train differently")
    }
}
