import Autograd
import XCTest

/// The matrix-product library's settings: its thread count, and the faster kernels it
/// could use on a processor it does not know.
final class BLASTests: XCTestCase {
    let zen4: Set<String> = ["fpu", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx512_bf16"]

    func testAVX512KernelsAreSuggestedWhereOpenBLASChoseAVX2Ones() {
        XCTAssertEqual(BLAS.fasterKernels(than: "Haswell", flags: zen4), "SkylakeX")
        XCTAssertEqual(BLAS.fasterKernels(than: "Zen", flags: zen4), "SkylakeX")
    }

    func testNothingIsSuggestedWithoutFullAVX512OrWhenOpenBLASAlreadyUsesIt() {
        XCTAssertNil(BLAS.fasterKernels(than: "Haswell", flags: ["avx2", "fma"]))
        XCTAssertNil(BLAS.fasterKernels(than: "Haswell", flags: zen4.subtracting(["avx512vl"])))
        XCTAssertNil(BLAS.fasterKernels(than: "SkylakeX", flags: zen4))
        XCTAssertNil(BLAS.fasterKernels(than: "Cooperlake", flags: zen4))
    }

    func testTheThreadCountCanBeSetAndRestored() {
        let before = BLAS.threads
        defer { BLAS.threads = before }
        BLAS.threads = 1
        XCTAssertEqual(BLAS.threads, 1)
        BLAS.threads = 0   // at least one
        XCTAssertEqual(BLAS.threads, 1)
        XCTAssertFalse(BLAS.kernels.isEmpty)
    }
}
