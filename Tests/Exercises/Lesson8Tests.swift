import Autograd
import Grading
import Lesson8
import XCTest

/// Lesson 8 — attention, and a transformer that reverses. `swift test --filter Lesson8`.
final class Lesson8Tests: XCTestCase {
    func test_8_1_attention() throws { try check(Lesson8Graders.attention) { try Lesson8.attention(query: $0, key: $1, value: $2) } }
    func test_8_2_maskedAttention() throws {
        try check(Lesson8Graders.maskedAttention) { try Lesson8.maskedAttention(query: $0, key: $1, value: $2, keyPadding: $3) }
    }
    func test_8_3_sinusoidalPositions() throws { try check(Lesson8Graders.positions) { try Lesson8.sinusoidalPositions(length: $0, dim: $1) } }
    func test_8_4_multiHeadSelfAttention() throws {
        try check(Lesson8Graders.multiHeadSelfAttention) { try Lesson8.multiHeadSelfAttention($0, layer: $1, keyPadding: $2) }
    }
    func test_8_5_encoderLayer() throws { try check(Lesson8Graders.encoderLayer) { try Lesson8.encoderLayer($0, layer: $1, keyPadding: $2) } }
    func test_8_6_withWeights() throws {
        try check(Lesson8Graders.withWeights) { try Reverser(embedding: $0, positions: $1, encoder: $2, head: $3).withWeights($4) }
    }
}
