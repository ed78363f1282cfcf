import Autograd
import Foundation
import Solution5

// The graders of lesson 5, continued: Part B, characters — codes, bits per character,
// sampling with a temperature, and writing one character at a time.

extension Lesson5Graders {
    // MARK: - 5.9 characters to codes

    public typealias CharacterCodes = (String) throws -> (vocabulary: [Character], codes: [Int])

    /// Texts where the ways of cutting a text into characters differ: ASCII; accents stored
    /// composed (é) and decomposed (e + U+0301), a dash, a Windows line break; an emoji with a
    /// skin tone (two code points, one character) beside the plain one; one character
    /// repeated; nothing; accents stored decomposed only, beside "f" and "t", with more skin
    /// tones (a sort by each character's first code point files "e" + U+0301 under "e",
    /// before "f", where Swift sorts it as "é", after "t"; and it leaves 👍🏿, 👍🏻 and 👍 in
    /// whatever order the set gave, which changes from run to run).
    static let characterTexts = [
        "hello, world", "Crème brûlée — cafe\u{301} naïve\r\nline 2\n", "👍🏽 ok 👍 ok!", "aaaa", "", "fe\u{302}te e\u{301}te\u{301} 👍🏿👍🏻👍",
    ]

    /// A list of characters as numbers: each character's code points, then −1. A character
    /// `text` holds is written as the text first spells it: "é" stored as U+00E9 and as
    /// e + U+0301 is one Character (Swift compares characters by canonical equivalence), so a
    /// vocabulary that keeps either spelling is right.
    static func characterScalars(_ characters: [Character], spelledAsIn text: String) -> [Float] {
        let spelled = Array(text)
        return characters.flatMap { c in (spelled.first { $0 == c } ?? c).unicodeScalars.map { Float($0.value) } + [-1] }
    }

    /// `characterScalars` read back, as Swift prints an array of strings (escapes shown).
    static func characterList(_ values: [Float]) -> String {
        var characters: [String] = [], current = ""
        for v in values {
            if v < 0 { characters.append(current); current = "" } else if let s = Unicode.Scalar(UInt32(v)) { current.unicodeScalars.append(s) }
        }
        return "[" + characters.map { "\"\($0.unicodeScalars.map { $0.isASCII && $0.value >= 32 ? String($0) : $0.escaped(asASCII: true) }.joined())\"" }.joined(separator: ", ") + "]"
    }

    static func codesProbe(_ encode: CharacterCodes) throws -> Outcome {
        var outcome = Outcome()
        for (k, text) in characterTexts.enumerated() {
            let (vocabulary, codes) = try encode(text)
            outcome.record("the vocabulary of text #\(k + 1)", characterScalars(vocabulary, spelledAsIn: text))
            outcome.record("the codes of text #\(k + 1)", codes.map(Float.init))
        }
        return outcome
    }

    static func codesRule(_ got: Outcome, _ want: Outcome) -> String? {
        for (k, text) in characterTexts.enumerated() {
            let shown = text.debugDescription
            guard let gv = got["the vocabulary of text #\(k + 1)"], let wv = want["the vocabulary of text #\(k + 1)"],
                  let gc = got["the codes of text #\(k + 1)"], let wc = want["the codes of text #\(k + 1)"] else { return "characterCodes returned nothing to grade" }
            if gv.values != wv.values { return "the vocabulary of \(shown) is \(characterList(gv.values)), expected \(characterList(wv.values))" }
            if gc.values != wc.values {
                return "the codes of \(shown) are \(gc.values.map { String(Int($0)) }.joined(separator: " ")), expected \(wc.values.map { String(Int($0)) }.joined(separator: " "))"
            }
        }
        return nil
    }

    // BEGIN INSTRUCTOR
    /// One change to the coding (5.9's known mistakes).
    enum CodingChange { case bytes, scalars, firstSeen, fromOne }

    static func codedWith(_ change: CodingChange) -> CharacterCodes {
        { text in
            let characters: [Character]
            switch change {
            case .bytes: characters = text.utf8.map { Character(Unicode.Scalar($0)) }
            case .scalars: characters = text.unicodeScalars.map { Character($0) }
            default: characters = Array(text)
            }
            var vocabulary: [Character] = []
            if change == .firstSeen {
                var seen = Set<Character>()
                for c in characters where seen.insert(c).inserted { vocabulary.append(c) }
            } else {
                vocabulary = Set(characters).sorted()
            }
            let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0 + (change == .fromOne ? 1 : 0)) })
            return (vocabulary, characters.map { index[$0]! })
        }
    }
    // END INSTRUCTOR

    public static let characterCodes = Exercise<CharacterCodes>(
        id: "5.9", title: "Characters to codes", symbol: "characterCodes(_:)", file: "Lessons/Lesson5/Characters.swift",
        reference: { try Solution5.characterCodes($0) },
        mistakes: [
            Mistake("utf8-bytes", "the text is cut into UTF-8 bytes, not characters",
                    feedback: "\"é\" is stored as two bytes, 0xC3 0xA9, and \"👍🏽\" as eight: read byte by byte, they become symbols no reader wrote (\"Ã\", \"©\"), and a model that samples bytes can write half a character, which is not text at all. Iterate over the String itself — for c in text, Set(text) — which gives Characters.",
                    codedWith(.bytes)),
            Mistake("unicode-scalars", "the text is cut into Unicode code points (text.unicodeScalars), not characters",
                    feedback: "Code points are closer, but \"é\" written as e + a combining accent is two of them, \"👍🏽\" is two (the hand and its skin tone), and \"\\r\\n\" is two: the model would have to learn that an accent follows its letter. A Swift Character is what a reader sees as one symbol: iterate over the String itself.",
                    codedWith(.scalars)),
            Mistake("first-seen-order", "the vocabulary is in the order the characters first appear, not sorted",
                    feedback: "Codes in order of appearance depend on the first lines of the text: two texts with the same characters get different codes, and a model saved with one cannot be read with the other. Sort the distinct characters: Set(text).sorted().",
                    codedWith(.firstSeen)),
            Mistake("codes-from-one", "the codes start at 1: the first character of the vocabulary gets 1, not 0",
                    feedback: "A code is an index into the vocabulary (and into the embedding's rows, and the head's outputs): vocabulary[code] must be the character. With codes from 1, the last character's code is V, past the end of a table of V rows. Use the index itself.",
                    codedWith(.fromOne)),
        ],
        criterion: .rule(codesRule),
        probe: codesProbe
    )

    // MARK: - 5.10 bits per character

    public typealias BitsPerCharacter = (Tensor, Tensor) throws -> Float

    // BEGIN INSTRUCTOR
    /// One change to bits per character (5.10's known mistakes).
    enum BitsChange { case nats, log10, overflow, summed, perplexity }

    static func bitsWith(_ change: BitsChange) -> BitsPerCharacter {
        { logits, targets in
            let nats: Float
            switch change {
            case .overflow:   // the textbook softmax: exp of raw logits
                let e = logits.exp()
                let p = try e / e.sum(axis: -1, keepDims: true)
                let v = logits.shape.last!
                let values = p.scalars, codes = targets.scalars
                nats = codes.enumerated().map { -Foundation.log(values[$0.offset * v + Int($0.element)]) }.reduce(0, +) / Float(codes.count)
            case .summed: nats = try crossEntropy(logits, targets).item() * Float(targets.count)
            default: nats = try crossEntropy(logits, targets).item()
            }
            switch change {
            case .nats: return nats
            case .log10: return nats / Float(Foundation.log(10.0))
            case .perplexity: return Float(Foundation.exp(Double(nats)))
            default: return nats / Float(Foundation.log(2.0))
            }
        }
    }
    // END INSTRUCTOR

    public static let bitsPerCharacter = Exercise<BitsPerCharacter>(
        id: "5.10", title: "Bits per character", symbol: "bitsPerCharacter(logits:targets:)", file: "Lessons/Lesson5/Bits.swift",
        reference: { try Solution5.bitsPerCharacter(logits: $0, targets: $1) },
        mistakes: [
            Mistake("nats", "the mean cross-entropy in nats, not divided by ln 2",
                    feedback: "crossEntropy uses the natural logarithm: −ln p, in nats. One bit is ln 2 ≈ 0.693 nats, so the figure in nats is 0.69 times the bits, and a model would look better than it is. Divide by ln 2: Float(log(2.0)).",
                    bitsWith(.nats)),
            Mistake("log10", "divided by ln 10: decimal digits per character, not bits",
                    feedback: "log₁₀ counts decimal digits (a \"ban\"), log₂ bits: log_b p = ln p / ln b, so for bits divide the nats by ln 2, not ln 10.",
                    bitsWith(.log10)),
            Mistake("softmax-overflows", "the probabilities come from exp of the raw logits, which overflows for large logits",
                    feedback: "exp(100) ≈ 2.7·10⁴³ is more than a Float holds: the softmax of large logits gives ∞/∞ = NaN, and a confident model's bits come out NaN. Work in logs through the log-softmax, which subtracts the largest logit first: crossEntropy(logits, targets) does it for you.",
                    bitsWith(.overflow)),
            Mistake("summed", "the bits of every position added up, not averaged",
                    feedback: "Bits PER CHARACTER is a mean: the sum grows with the length of the text and cannot compare two texts or two models measured on different amounts. crossEntropy already averages over the positions; divide that mean by ln 2.",
                    bitsWith(.summed)),
            Mistake("perplexity", "e^(mean nats): the perplexity, not bits per character",
                    feedback: "Perplexity, e^(nats) = 2^(bits), is how many equally likely choices the model is left with per character — another way to say the same thing, on another scale. Bits per character is the exponent: nats / ln 2.",
                    bitsWith(.perplexity)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4))
    ) { bits in
        var outcome = Outcome()
        // [B, T, V] random; the same scaled by 60 (logits past ±100: the overflow); [B, V]
        // with [B] targets; equal logits (log₂ V bits); a confident model (about 0 bits).
        let cases: [(name: String, logits: Tensor, targets: Tensor)] = [
            ("random logits [2, 3, 5]", Probes.input([2, 3, 5], seed: 161), wordCodes(2, 3, vocabulary: 5, seed: 171)),
            ("large logits (±120) [2, 3, 5]", Probes.input([2, 3, 5], seed: 161) * 60, wordCodes(2, 3, vocabulary: 5, seed: 171)),
            ("logits [4, 7], targets [4]", Probes.input([4, 7], seed: 162), try wordCodes(4, 1, vocabulary: 7, seed: 172).reshape([4])),
            ("equal logits [1, 8, 6]", Tensor.zeros([1, 8, 6]), wordCodes(1, 8, vocabulary: 6, seed: 173)),
            ("a confident model [1, 2, 4]", try Tensor([40, 0, 0, 0, 0, 0, 40, 0], shape: [1, 2, 4]), try Tensor([0, 2], shape: [1, 2])),
        ]
        for (k, c) in cases.enumerated() {
            let name = "bits per character, \(c.name) (inputs #\(k + 1))"
            try Probes.attempt(name, into: &outcome) { o in o.record(name, try bits(c.logits.detached(), c.targets)) }
        }
        return outcome
    }

    // MARK: - 5.11 sampling with a temperature

    public typealias SampleCode = (Tensor, Float, inout RNG) throws -> Int

    /// Draws per case: the frequencies are then within ±0.005 (one standard deviation at
    /// worst) of the probabilities, and the rule allows 0.025.
    static let draws = 10_000
    static let samplingCases: [(logits: [Float], temperature: Float)] = [
        ([2, 1, 0, -1, 0.5], 1), ([2, 1, 0, -1, 0.5], 0.5), ([2, 1, 0, -1, 0.5], 2), ([100, 99, 97, -100], 0.5), ([3, 3, 3, 3], 0.7),
    ]

    static func samplingProbe(_ sample: SampleCode) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in samplingCases.enumerated() {
            let name = "how often each code is drawn in \(draws) draws, logits [\(c.logits.map { format($0) }.joined(separator: ", "))], temperature \(format(c.temperature)) (inputs #\(k + 1))"
            try Probes.attempt(name, into: &outcome) { o in
                var rng = RNG(seed: 181 + UInt64(k))
                let logits = try Tensor(c.logits, shape: [c.logits.count])
                var counts = [Float](repeating: 0, count: c.logits.count + 1)
                for _ in 0..<draws {
                    let code = try sample(logits, c.temperature, &rng)
                    counts[counts.indices.contains(code) && code < c.logits.count ? code : c.logits.count] += 1
                }
                o.record(name, counts.map { $0 / Float(draws) })
            }
        }
        let logits = try Tensor([1, 0.5, 0, 2], shape: [4])
        func run(_ seed: UInt64) throws -> [Float] {
            var rng = RNG(seed: seed)
            return try (0..<40).map { _ in Float(try sample(logits, 1, &rng)) }
        }
        // Three runs from seed 191, with 41 then 80 draws between their starts (one spare draw
        // after the first): a state kept from call to call shows, even one that repeats every
        // n calls (every other call drawing 1 − u, say), since no n > 1 divides both.
        let a = try run(191)
        var spare = RNG(seed: 193)
        _ = try sample(logits, 1, &spare)
        let (b, other, c) = (try run(191), try run(192), try run(191))
        outcome.record("the same seed gives the same draws (1: yes)", a == b && b == c ? 1 : 0)
        outcome.record("another seed gives other draws (1: yes)", a != other ? 1 : 0)
        return outcome
    }

    static func samplingRule(_ got: Outcome, _ want: Outcome) -> String? {
        for w in want.entries {
            guard let g = got[w.name] else { return got.difference(from: want, tolerance: Tolerance(atol: 0.025, rtol: 0)) ?? "\(w.name) is missing" }
            if w.name.hasPrefix("how often") {
                if g.values.last ?? 0 > 0 { return "some draws were not codes of the vocabulary (below 0 or ≥ V) — \(w.name)" }
                if let i = g.values.indices.first(where: { Swift.abs(g.values[$0] - w.values[$0]) > 0.025 }) {
                    return "code \(i) was drawn \(format(g.values[i] * 100))% of the time, where softmax(logits / temperature) gives it \(format(w.values[i] * 100))% — \(w.name.replacingOccurrences(of: "how often each code is drawn in ", with: "")). Draw each code with its probability"
                }
            } else if g.values != w.values {
                return w.name.contains("same seed") ? "two runs from the same seed drew different codes: draw from the rng you are given (rng.uniform()), nothing else, and keep nothing from one call to the next" : "two different seeds drew the same codes: draw from the rng you are given, not a generator of your own"
            }
        }
        return nil
    }

    // BEGIN INSTRUCTOR
    /// One change to the sampler (5.11's known mistakes).
    enum SamplingChange { case timesTemperature, temperatureIgnored, greedy, overflow, noRunningSum }

    static func sampledWith(_ change: SamplingChange) -> SampleCode {
        { logits, temperature, rng in
            let scaled = change == .timesTemperature ? logits * temperature : change == .temperatureIgnored ? logits : logits / temperature
            let p: [Float]
            if change == .overflow {
                let e = scaled.scalars.map { Foundation.exp($0) }
                let total = e.reduce(0, +)
                p = e.map { $0 / total }
            } else {
                p = try scaled.softmax(axis: 0).scalars
            }
            if change == .greedy { return p.indices.max { p[$0] < p[$1] }! }
            let u = rng.uniform()
            var sum: Float = 0
            for (code, q) in p.enumerated() {
                sum = change == .noRunningSum ? q : sum + q
                if u < sum { return code }
            }
            return p.count - 1
        }
    }
    // END INSTRUCTOR

    public static let sampleCode = Exercise<SampleCode>(
        id: "5.11", title: "Sampling a character, with a temperature", symbol: "sampleCode(_:temperature:rng:)", file: "Lessons/Lesson5/Sampling.swift",
        reference: { try Solution5.sampleCode($0, temperature: $1, rng: &$2) },
        mistakes: [
            Mistake("times-temperature", "the logits are multiplied by the temperature, not divided",
                    feedback: "Multiplying turns the dial the wrong way: T = 0.5 makes the draws wilder and T = 2 bolder. The logits are DIVIDED by T: a small T stretches their differences (the favourite wins more), a large one shrinks them (towards uniform).",
                    sampledWith(.timesTemperature)),
            Mistake("temperature-ignored", "the temperature is not used: every temperature draws from softmax(logits)",
                    feedback: "The draws follow the model's own probabilities whatever T is, so the experiment's three temperatures would write alike. Divide the logits by the temperature before the softmax.",
                    sampledWith(.temperatureIgnored)),
            Mistake("greedy", "the most likely code is always taken: no draw",
                    feedback: "Taking the argmax is greedy decoding: the same prompt always gives the same text, and a language model soon repeats itself (\"the the the\"). Sample: u = rng.uniform(), and return the code where the running sum of the probabilities first exceeds u.",
                    sampledWith(.greedy)),
            Mistake("softmax-overflows", "the probabilities come from exp of the scaled logits, which overflows",
                    feedback: "100 / 0.5 = 200, and exp(200) is far past a Float's largest value (3.4·10³⁸): ∞ / ∞ gives NaN, no running sum ever exceeds u, and every draw falls through to the last code. Let the core's softmax make the probabilities — it subtracts the largest value before exp.",
                    sampledWith(.overflow)),
            Mistake("no-running-sum", "u is compared with each probability alone, not with their running sum",
                    feedback: "The code drawn must be the one whose slice of [0, 1) holds u; the slices lie end to end, so the boundaries are the running sums p₀, p₀ + p₁, …. Compared with each p alone, a small p is skipped far more often than it should be and the last code collects the rest. Add up as you go: sum += p[code]; if u < sum return code.",
                    sampledWith(.noRunningSum)),
        ],
        criterion: .rule(samplingRule),
        mistakeTolerance: Tolerance(atol: 0.025, rtol: 0),
        probe: samplingProbe
    )

    // MARK: - 5.12 writing one character at a time

    /// (embedding, LSTM, head, prompt, count, pick).
    public typealias Generate = (Embedding, LSTM, Linear, [Int], Int, (Tensor) throws -> Int) throws -> [Int]

    /// The probe's pick: records the logits it is shown (values and shape) and returns the
    /// next code of a fixed script (so that the codes fed back are known, and differ from the
    /// prompt's).
    final class ScriptedPick {
        let script: [Int]
        var seen: [[Float]] = []
        var shapes: [[Int]] = []
        init(_ script: [Int]) { self.script = script }
        func pick(_ logits: Tensor) -> Int {
            seen.append(logits.scalars)
            shapes.append(logits.shape)
            return script[(seen.count - 1) % script.count]
        }
    }

    static func generateProbe(_ generate: Generate) throws -> Outcome {
        var outcome = Outcome()
        for (k, (seed, prompt, count)): (Int, (UInt64, [Int], Int)) in [(201, [1, 4, 2], 5), (202, [3], 3)].enumerated() {
            let suffix = " (inputs #\(k + 1))"
            try Probes.attempt("the codes written\(suffix)", into: &outcome) { o in
                var rng = RNG(seed: seed)
                let embedding = Embedding(6, 4, rng: &rng), lstm = LSTM(4, 4, numLayers: 2, rng: &rng), head = Linear(4, 6, rng: &rng)
                let script = [5, 0, 2, 5, 3, 1], picker = ScriptedPick(script)
                let codes = try noGrad { try generate(embedding, lstm, head, prompt, count, { picker.pick($0) }) }
                o.record("the codes written\(suffix)", codes.map(Float.init))
                o.record("how many times pick was called\(suffix)", Float(picker.seen.count))
                // [1, V] holds the same numbers, but the experiment's pick (sampleCode, a softmax
                // over axis 0) would then draw code 0 every time.
                o.record("every logits pick was shown has shape [V] = [6] (1: yes)\(suffix)", picker.shapes.allSatisfy { $0 == [6] } ? 1 : 0)
                o.record("the logits pick was shown, one row per call\(suffix)", picker.seen.flatMap { $0 })
                // Written again from the same model and prompt: a state kept between calls (for
                // this model) would go on from the first text instead of starting afresh.
                let again = ScriptedPick(script)
                _ = try noGrad { try generate(embedding, lstm, head, prompt, count, { again.pick($0) }) }
                o.record("a second call with the same model and prompt shows pick the same logits (1: yes)\(suffix)", again.seen == picker.seen ? 1 : 0)
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the writing loop (5.12's known mistakes).
    enum GenerateChange { case lastFedTwice, stateReset, promptIncluded, firstPositionLogits, oneTooFew }

    static func generatedWith(_ change: GenerateChange) -> Generate {
        { embedding, lstm, head, prompt, count, pick in
            let model = Solution5.LSTMWordModel(embedding: embedding, lstm: lstm, head: head, dropout: 0, rng: RNG(seed: 0))
            let v = head.outFeatures
            var pass = try Solution5.lstmWords(Tensor(prompt.map(Float.init), shape: [1, prompt.count]), state: nil, model: model)
            var last = try pass.logits.select(axis: 1, index: change == .firstPositionLogits ? 0 : prompt.count - 1).reshape([v])
            if change == .lastFedTwice {
                pass = try Solution5.lstmWords(Tensor([Float(prompt[prompt.count - 1])], shape: [1, 1]), state: pass.state, model: model)
                last = try pass.logits.reshape([v])
            }
            var codes: [Int] = change == .promptIncluded ? prompt : []
            for _ in 0..<(change == .oneTooFew ? count - 1 : count) {
                let code = try pick(last)
                codes.append(code)
                pass = try Solution5.lstmWords(Tensor([Float(code)], shape: [1, 1]), state: change == .stateReset ? nil : pass.state, model: model)
                last = try pass.logits.reshape([v])
            }
            return codes
        }
    }
    // END INSTRUCTOR

    public static let generate = Exercise<Generate>(
        id: "5.12", title: "Writing one character at a time", symbol: "generate(model:prompt:count:pick:)", file: "Lessons/Lesson5/Generate.swift",
        reference: { embedding, lstm, head, prompt, count, pick in
            try Solution5.generate(model: LSTMWordModel(embedding: embedding, lstm: lstm, head: head, dropout: 0, rng: RNG(seed: 0)), prompt: prompt, count: count, pick: pick)
        },
        mistakes: [
            Mistake("last-prompt-code-fed-twice", "the prompt's last code is fed again after the prompt, before the first pick",
                    feedback: "After reading the prompt, the state has read its last character, and the logits at that position already guess the next one. Feeding the last character again makes the model read it twice (\"Thee\"). Pick the first code from the logits at the prompt's last position.",
                    generatedWith(.lastFedTwice)),
            Mistake("state-reset-every-step", "each picked code is fed from no state: the model sees one character at a time",
                    feedback: "Fed from nil, each step reads one character with an empty memory: the model forgets the prompt and everything it wrote, and can only guess from the last character (a bigram model). Feed each picked code from the state the last call returned.",
                    generatedWith(.stateReset)),
            Mistake("prompt-included", "the prompt's codes are returned before the codes written",
                    feedback: "generate returns only what the model wrote, `count` codes; the caller has the prompt already and prints it before. Start the list empty.",
                    generatedWith(.promptIncluded)),
            Mistake("first-position-logits", "the first pick reads the logits after the prompt's first character, not its last",
                    feedback: "lstmWords over the prompt gives logits at every position: position 0 guesses what follows the prompt's FIRST character. The guess for what follows the whole prompt is at its last position, P − 1: logits.select(axis: 1, index: prompt.count − 1).",
                    generatedWith(.firstPositionLogits)),
            Mistake("one-too-few", "count − 1 codes are written",
                    feedback: "The first pick comes from the prompt's logits and each later one from a fed-back code: count picks in all. Loop count times, picking then feeding.",
                    generatedWith(.oneTooFew)),
        ],
        probe: generateProbe
    )
}
