import Autograd
import Foundation
import XCTest

/// The README's example is real code: this test runs it, and checks that the README
/// shows exactly these lines.
final class ReadmeExampleTests: XCTestCase {
    func testTheReadmeExampleFitsTheParabola() throws {
        var losses: [Float] = []
        func print(_ line: String) { Swift.print(line) }
        // README-EXAMPLE BEGIN
        var rng = RNG(seed: 0)
        let x = Tensor.uniform([256, 1], -2, 2, rng: &rng)     // inputs
        let y = try x * x - 1                                    // targets: a parabola
        let hidden = Linear(1, 32, rng: &rng), out = Linear(32, 1, rng: &rng)
        let optimizer = try Adam(hidden.parameters() + out.parameters(), learningRate: 0.02)
        for step in 1...300 {
            let loss = try mseLoss(out(hidden(x).tanh()), y)
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
            if step % 100 == 0 { print("step \(step): loss \(try loss.item())") }
        // README-EXAMPLE END
            losses.append(try loss.item())
        }
        XCTAssertLessThan(losses.last!, 0.02, "the README's example must fit the parabola: loss \(losses.last!)")
        XCTAssertLessThan(losses.last!, losses.first! / 20, "the loss must fall by 20×: \(losses.first!) → \(losses.last!)")
    }

    func testTheReadmeShowsTheseLines() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let test = try String(contentsOf: here, encoding: .utf8)
        let marker = readme.range(of: "<!-- README-EXAMPLE")
        XCTAssertNotNil(marker, "README.md has no example marker")
        let after = readme[marker!.upperBound...]
        let block = after[after.range(of: "```swift\n")!.upperBound...]
        let shown = block[..<block.range(of: "```")!.lowerBound]
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "import Autograd" && $0 != "}" }
        let tested = test.components(separatedBy: "// README-EXAMPLE BEGIN")[1].components(separatedBy: "// README-EXAMPLE END")[0]
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        XCTAssertEqual(shown, tested, "README.md's example and this test differ")
        XCTAssertLessThanOrEqual(shown.count + 2, 20, "the README example must fit in 20 lines")
    }
}
