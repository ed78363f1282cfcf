import Autograd
import Grading
import Lesson5
import XCTest

/// Lesson 5 — a language model from scratch. `swift test --filter Lesson5`.
final class Lesson5Tests: XCTestCase {
    func test_5_1_numberWords() throws { try check(Lesson5Graders.numberWords) { try Lesson5.numberWords($0) } }
    func test_5_2_groupChunks() throws { try check(Lesson5Graders.groupChunks) { try Lesson5.groupChunks($0, batchSize: $1) } }
    func test_5_3_threeWords() throws {
        try check(Lesson5Graders.threeWords) { try Lesson5.threeWords($0, model: WordModel(embedding: $1, hidden: $2, head: $3)) }
    }
    func test_5_4_wordLoop() throws {
        try check(Lesson5Graders.wordLoop) { try Lesson5.wordLoop($0, state: $1, model: WordModel(embedding: $2, hidden: $3, head: $4)) }
    }
    func test_5_5_everyWord() throws {
        try check(Lesson5Graders.everyWord) { try Lesson5.everyWord($0, state: $1, model: WordModel(embedding: $2, hidden: $3, head: $4)) }
    }
    func test_5_6_lstmWords() throws {
        try check(Lesson5Graders.lstmWords) { x, state, embedding, lstm, head, p, training, rng in
            let model = LSTMWordModel(embedding: embedding, lstm: lstm, head: head, dropout: p, rng: rng)
            model.isTraining = training
            defer { rng = model.rng }
            return try Lesson5.lstmWords(x, state: state, model: model)
        }
    }
    func test_5_7_tie() throws { try check(Lesson5Graders.tie) { try Lesson5.tie($0, to: $1) } }
    func test_5_8_activationPenalty() throws {
        try check(Lesson5Graders.activationPenalty) { try Lesson5.activationPenalty(raw: $0, dropped: $1, alpha: $2, beta: $3) }
    }
    func test_5_9_characterCodes() throws { try check(Lesson5Graders.characterCodes) { try Lesson5.characterCodes($0) } }
    func test_5_10_bitsPerCharacter() throws { try check(Lesson5Graders.bitsPerCharacter) { try Lesson5.bitsPerCharacter(logits: $0, targets: $1) } }
    func test_5_11_sampleCode() throws { try check(Lesson5Graders.sampleCode) { try Lesson5.sampleCode($0, temperature: $1, rng: &$2) } }
    func test_5_12_generate() throws {
        try check(Lesson5Graders.generate) { embedding, lstm, head, prompt, count, pick in
            try Lesson5.generate(model: LSTMWordModel(embedding: embedding, lstm: lstm, head: head, dropout: 0, rng: RNG(seed: 0)), prompt: prompt, count: count, pick: pick)
        }
    }
}
