import Autograd
import Foundation
import ExperimentKit
import Lesson4

// The designs the ablation compares: how sums are shown to a network, which network reads
// them, and how it is trained. Every design is scored the same way (4.5): a held-out sum is
// right only if every answer position is, and each design trains with the student's
// clipped step (4.6), and the student's schedule (4.8) where it has one, on sums from the
// student's split (4.1).

/// One row of the ablation: a way of presenting sums, a network, and a training recipe.
struct Design: Sendable {
    enum Network: Sendable {
        /// The lesson's adder (4.4): the LSTM cell unrolled over the columns.
        case adder
        /// The same columns read by a tanh RNN layer.
        case tanhRNN
        /// The adder that also reads the previous answer digit (the true one while training,
        /// its own at test time).
        case fedAdder
        /// An encoder reads "xxxx+yyyy" (each operand four digits wide, reversed), hands its
        /// state to a decoder that writes the answer least significant digit first, fed the
        /// previous digit.
        case encoderDecoder(lstm: Bool)
        /// The notebook's: a 5-layer encoder reads "x+y" as written, a 5-layer decoder that
        /// reads nothing writes the answer most significant digit first, then padding.
        case notebook(lstm: Bool)
    }

    let name: String
    let network: Network
    /// The columns (inputs and answer) read most significant first: the adder's time reversed.
    var mostSignificantFirst = false
    /// Gradients clipped to norm 1.
    var clip = true
    /// Cosine learning-rate schedule down to 1/100 (else a constant rate).
    var schedule = true
    /// Training steps: chosen so that every design trains about as long as the lesson's
    /// (about 9 s) on the course's machine, from each one's cost per step measured there
    /// with two trainings side by side (ms): the adder 2.3, fed 2.1, tanh RNN 0.67,
    /// encoder–decoder LSTM 5.9 and tanh RNN 1.75, the notebook's RNN 5.4 and LSTM 68.
    var steps: Int
    var learningRate: Float = 3e-3
    var batch = 64
    var hidden = 128
    /// Drawn in the ablation's picture (the others lie on the lesson's design's curve or
    /// at zero with the notebook's).
    var inPicture = false

    /// The lesson's design and each of its choices undone in turn, then other networks
    /// given the same training time. `scale` multiplies every budget (`--full`: 4).
    static func all(scale: Int) -> [Design] {
        let steps = 4000 * scale
        return [
            Design(name: "the lesson's design", network: .adder, steps: steps, inPicture: true),
            Design(name: "most significant digit first", network: .adder, mostSignificantFirst: true, steps: steps, inPicture: true),
            Design(name: "no gradient clipping", network: .adder, clip: false, steps: steps),
            Design(name: "no schedule (constant rate)", network: .adder, schedule: false, steps: steps),
            Design(name: "fed the previous answer digit", network: .fedAdder, steps: steps),
            Design(name: "tanh RNN, as many steps", network: .tanhRNN, steps: steps),
            Design(name: "tanh RNN, as much time", network: .tanhRNN, steps: steps * 7 / 2, inPicture: true),
            Design(name: "encoder–decoder (LSTM), best ingredients", network: .encoderDecoder(lstm: true), steps: steps * 2 / 5, inPicture: true),
            Design(name: "encoder–decoder (tanh RNN), best ingredients", network: .encoderDecoder(lstm: false), steps: steps * 4 / 3, inPicture: true),
            Design(name: "notebook: 5-layer tanh RNN 100", network: .notebook(lstm: false), clip: false, schedule: false,
                   steps: steps * 2 / 5, learningRate: 1e-3, batch: 32, hidden: 100),
            Design(name: "notebook: 5-layer LSTM 200", network: .notebook(lstm: true), clip: false, schedule: false,
                   steps: steps / 30, learningRate: 1e-3, batch: 32, hidden: 200, inPicture: true),
        ]
    }
}

/// A network that adds, in one of the designs: the batches it reads, its scores while
/// training, and its greedy answers.
protocol SumNetwork: AnyObject {
    var model: any Module { get }
    /// A batch as the network reads it, and the codes it should write (every position of
    /// them counts for the exact match).
    func encode(_ pairs: [Pair]) throws -> (inputs: Tensor, targets: Tensor)
    /// Logits `[B, T, classes]` while training (the true previous digits where fed).
    func logits(_ inputs: Tensor, targets: Tensor) throws -> Tensor
    /// Greedy codes `[B, T]` (its own previous digits where fed).
    func predict(_ inputs: Tensor) throws -> Tensor
    /// The sums that codes stand for.
    func sums(_ codes: Tensor) -> [Int]
}

extension SumNetwork {
    func predict(_ inputs: Tensor) throws -> Tensor { try logits(inputs, targets: Tensor.zeros([1])).argmax(axis: -1) }
    func sums(_ codes: Tensor) -> [Int] { decodeSums(codes) }
}

/// A recurrent layer with a head: the pieces every network below is made of.
final class Stack: Module {
    let layers: [any Module]
    var isTraining = true
    init(_ layers: [any Module]) { self.layers = layers }
    var submodules: [(name: String, module: any Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }
}

/// The lesson's adder, its columns in either order.
final class AdderNetwork: SumNetwork {
    let adder: Adder
    let reversed: Bool
    var model: any Module { adder }
    init(hidden: Int, reversed: Bool, rng: inout RNG) {
        adder = Adder(hiddenSize: hidden, rng: &rng)
        self.reversed = reversed
    }
    func encode(_ pairs: [Pair]) throws -> (inputs: Tensor, targets: Tensor) {
        let (x, y) = try encodeSums(pairs, places: places)
        guard reversed else { return (x, y) }
        let back = Array((0..<places).reversed())
        return (try x.indexSelect(axis: 1, indices: back), try y.indexSelect(axis: 1, indices: back))
    }
    func logits(_ inputs: Tensor, targets: Tensor) throws -> Tensor { try adder(inputs) }
    func sums(_ codes: Tensor) -> [Int] {
        guard reversed, let back = try? codes.indexSelect(axis: 1, indices: Array((0..<places).reversed())) else { return decodeSums(codes) }
        return decodeSums(back)
    }
}

/// The columns read by a tanh RNN layer.
final class RNNAdderNetwork: SumNetwork {
    let rnn: RNN, head: Linear
    let model: any Module
    init(hidden: Int, rng: inout RNG) {
        rnn = RNN(20, hidden, rng: &rng)
        head = Linear(hidden, 10, rng: &rng)
        model = Stack([rnn, head])
    }
    func encode(_ pairs: [Pair]) throws -> (inputs: Tensor, targets: Tensor) { try encodeSums(pairs, places: places) }
    func logits(_ inputs: Tensor, targets: Tensor) throws -> Tensor { try head(rnn(inputs).output) }
}

/// One-hot codes `[B, T]` of the digit before each position (zeros at the first): what a
/// fed network reads beside its columns.
func previousDigits(_ codes: Tensor, classes: Int = 10) throws -> Tensor {
    let (b, t) = (codes.shape[0], codes.shape[1])
    let shifted = try concat([Tensor.zeros([b, 1, classes]), oneHot(codes.narrow(axis: 1, start: 0, length: t - 1), classes: classes)], axis: 1)
    return shifted
}

/// The adder that also reads the previous answer digit.
final class FedAdderNetwork: SumNetwork {
    let lstm: LSTM, head: Linear
    let model: any Module
    init(hidden: Int, rng: inout RNG) {
        lstm = LSTM(30, hidden, rng: &rng)
        head = Linear(hidden, 10, rng: &rng)
        model = Stack([lstm, head])
    }
    func encode(_ pairs: [Pair]) throws -> (inputs: Tensor, targets: Tensor) { try encodeSums(pairs, places: places) }
    func logits(_ inputs: Tensor, targets: Tensor) throws -> Tensor {
        try head(lstm(concat([inputs, previousDigits(targets)], axis: 2)).output)
    }
    func predict(_ inputs: Tensor) throws -> Tensor {
        let b = inputs.shape[0]
        var state: (h: Tensor, c: Tensor)? = nil
        var previous = Tensor.zeros([b, 1, 10]), codes: [Tensor] = []
        for t in 0..<inputs.shape[1] {
            let step = try concat([inputs.narrow(axis: 1, start: t, length: 1), previous], axis: 2)
            let run = try lstm(step, state)
            state = run.state
            let code = try head(run.output).argmax(axis: -1)          // [B, 1]
            codes.append(code)
            previous = try oneHot(code, classes: 10)
        }
        return try concat(codes, axis: 1)
    }
}

/// Whether an LSTM encoder–decoder was decoded by the experiment's loop because 4.7 is not
/// written yet (the ablation says so under its table).
let decodedWithoutYours = Locked(false)

/// Whether an LSTM encoder–decoder was trained on the experiment's own teacher forcing
/// because 4.9 is not written yet (the ablation says so under its table).
let trainedWithoutYours = Locked(false)

/// The symbols of "x+y" strings: digits 0…9, '+' 10, padding 11.
let plusCode = 10, padCode = 11

/// "x+y" as one-hot codes `[B, T, 12]`.
func stringCodes(_ texts: [[Int]], length: Int) throws -> Tensor {
    let codes = texts.flatMap { $0 + Array(repeating: padCode, count: length - $0.count) }
    return try oneHot(Tensor(codes.map(Float.init), shape: [texts.count, length]), classes: 12)
}

/// Decimal digits of n, least significant first, `width` of them at least.
func digits(_ n: Int, width: Int = 1) -> [Int] {
    var (d, m) = ([Int](), n)
    repeat { d.append(m % 10); m /= 10 } while m > 0 || d.count < width
    return d
}

/// The encoder–decoder with the ingredients that make it learn: operands four digits wide
/// and reversed, the answer least significant digit first (the adder's targets), a decoder
/// fed the previous digit. LSTM layers, or tanh RNN layers.
final class EncoderDecoderNetwork: SumNetwork, EncoderDecoderParts {
    let encoder: Recurrent, decoder: Recurrent, head: Linear
    let model: any Module
    init(lstm: Bool, hidden: Int, rng: inout RNG) {
        (encoder, decoder, head, model) = Self.parts(lstm: lstm, decoderInput: 10, hidden: hidden, layers: 1, classes: 10, rng: &rng)
    }
    func encode(_ pairs: [Pair]) throws -> (inputs: Tensor, targets: Tensor) {
        let texts = pairs.map { digits($0.x, width: 4) + [plusCode] + digits($0.y, width: 4) }
        return (try stringCodes(texts, length: 9), try encodeSums(pairs, places: places).targets)
    }
    func logits(_ inputs: Tensor, targets: Tensor) throws -> Tensor {
        // With LSTMs, the student's teacher forcing (4.9), or the code below while 4.9 is not
        // written (it computes the same); the tanh RNN's layers are not LSTMs.
        if let encoderLSTM = encoder.lstm, let decoderLSTM = decoder.lstm {
            do {
                return try teacherForcedLogits(encoder: encoderLSTM, decoder: decoderLSTM, head: head, inputs: inputs, targets: targets)
            } catch is TODO {
                trainedWithoutYours.update { $0 = true }
            }
        }
        let state = try encoder(inputs, nil).state
        return try head(decoder(previousDigits(targets), state).output)
    }
    func predict(_ inputs: Tensor) throws -> Tensor {
        var state = try encoder(inputs, nil).state
        // With LSTMs, the student's greedy decoding (4.7), or this loop while 4.7 is not
        // written; the tanh RNN's state has no c.
        if let lstm = decoder.lstm, let c = state.c {
            do {
                return try greedyDecode(lstm, head: head, state: (state.h, c), steps: places)
            } catch is TODO {
                decodedWithoutYours.update { $0 = true }
            }
        }
        var previous = Tensor.zeros([inputs.shape[0], 1, 10]), codes: [Tensor] = []
        for _ in 0..<places {
            let run = try decoder(previous, state)
            state = run.state
            let code = try head(run.output).argmax(axis: -1)
            codes.append(code)
            previous = try oneHot(code, classes: 10)
        }
        return try concat(codes, axis: 1)
    }
}

/// What both encoder–decoders are made of: an encoder reading the 12 symbols of "x+y", a
/// decoder, and a head.
protocol EncoderDecoderParts {}

extension EncoderDecoderParts {
    /// The encoder, the decoder and the head, drawn in that order, and the module holding them.
    static func parts(lstm: Bool, decoderInput: Int, hidden: Int, layers: Int, classes: Int, rng: inout RNG)
        -> (encoder: Recurrent, decoder: Recurrent, head: Linear, model: any Module) {
        let encoder = Recurrent(lstm: lstm, 12, hidden, layers: layers, rng: &rng)
        let decoder = Recurrent(lstm: lstm, decoderInput, hidden, layers: layers, rng: &rng)
        let head = Linear(hidden, classes, rng: &rng)
        return (encoder, decoder, head, Stack([encoder.module, decoder.module, head]))
    }
}

/// An LSTM or a tanh RNN layer behind one call: its state is (h, c) or (h, nil).
struct Recurrent {
    typealias State = (h: Tensor, c: Tensor?)
    let lstm: LSTM?, rnn: RNN?
    var module: any Module { lstm ?? rnn! }
    init(lstm isLSTM: Bool, _ input: Int, _ hidden: Int, layers: Int, rng: inout RNG) {
        (lstm, rnn) = isLSTM ? (LSTM(input, hidden, numLayers: layers, rng: &rng), nil) : (nil, RNN(input, hidden, numLayers: layers, rng: &rng))
    }
    func callAsFunction(_ x: Tensor, _ state: State?) throws -> (output: Tensor, state: State) {
        if let lstm {
            let run = try lstm(x, state.map { ($0.h, $0.c!) })
            return (run.output, (run.state.h, run.state.c))
        }
        let run = try rnn!(x, state?.h)
        return (run.output, (run.hidden, nil))
    }
}

/// The notebook's network: "x+y" as written (most significant digit first, padded on the
/// right) into a 5-layer encoder; its final state into a 5-layer decoder that reads zeros;
/// the answer most significant digit first, then padding (code 10), scored on 5 positions.
final class NotebookNetwork: SumNetwork, EncoderDecoderParts {
    let encoder: Recurrent, decoder: Recurrent, head: Linear
    let model: any Module
    init(lstm: Bool, hidden: Int, rng: inout RNG) {
        (encoder, decoder, head, model) = Self.parts(lstm: lstm, decoderInput: 1, hidden: hidden, layers: 5, classes: 11, rng: &rng)
    }
    func encode(_ pairs: [Pair]) throws -> (inputs: Tensor, targets: Tensor) {
        let texts = pairs.map { Array(digits($0.x).reversed()) + [plusCode] + Array(digits($0.y).reversed()) }
        let answers = pairs.map { p in
            let d = Array(digits(p.x + p.y).reversed())
            return d + Array(repeating: 10, count: places - d.count)
        }
        return (try stringCodes(texts, length: 9), try Tensor(answers.flatMap { $0.map(Float.init) }, shape: [pairs.count, places]))
    }
    func logits(_ inputs: Tensor, targets: Tensor) throws -> Tensor {
        let zeros = Tensor.zeros([inputs.shape[0], inputs.shape[1], 1])
        let out = try decoder(zeros, encoder(inputs, nil).state).output
        return try head(out.narrow(axis: 1, start: 0, length: places))
    }
    func sums(_ codes: Tensor) -> [Int] {
        let all = codes.indices
        return stride(from: 0, to: all.count, by: places).map { start in
            all[start..<(start + places)].prefix { $0 < 10 }.reduce(0) { $0 * 10 + $1 }
        }
    }
}

/// The answer positions every design writes: 5 (9999 + 9999 = 19998).
let places = 5

extension Design {
    func network(rng: inout RNG) -> any SumNetwork {
        switch network {
        case .adder: AdderNetwork(hidden: hidden, reversed: mostSignificantFirst, rng: &rng)
        case .tanhRNN: RNNAdderNetwork(hidden: hidden, rng: &rng)
        case .fedAdder: FedAdderNetwork(hidden: hidden, rng: &rng)
        case .encoderDecoder(let lstm): EncoderDecoderNetwork(lstm: lstm, hidden: hidden, rng: &rng)
        case .notebook(let lstm): NotebookNetwork(lstm: lstm, hidden: hidden, rng: &rng)
        }
    }
}

extension DesignRun {
    /// The first step at which the first 500 held-out sums were 99% right, if any.
    var stepTo99: Int? { curve.first { $0.exact >= 0.99 }?.step }
}

/// What one training of one design gave.
struct DesignRun: Sendable {
    let seconds: Double
    let exact: Float
    let digits: Float
    /// (step, training seconds, held-out exact match on the first 500 sums) as it trained.
    let curve: [(step: Int, seconds: Double, exact: Float)]
    /// The greedy answers to every held-out sum.
    let answers: [Int]
}

/// Trains `design` from `seed` on batches drawn from `train`, with the student's step (4.6)
/// and schedule (4.8), and scores it on `test` with the student's scores (4.5).
func trainDesign(_ design: Design, seed: UInt64, train: [Pair], test: [Pair], progress: (Int) -> Void) throws -> DesignRun {
    var rng = RNG(seed: seed)
    let net = design.network(rng: &rng)
    let parameters = net.model.parameters()
    let optimizer = try Adam(parameters, learningRate: design.learningRate)
    let (testX, testY) = try net.encode(test)
    let probe = min(500, test.count)
    let (probeX, probeY) = (try testX.narrow(axis: 0, start: 0, length: probe), try testY.narrow(axis: 0, start: 0, length: probe))

    func score(_ x: Tensor, _ y: Tensor) throws -> (predicted: Tensor, exact: Float, digits: Float) {
        net.model.eval()
        defer { net.model.train() }
        let predicted = try noGrad { try net.predict(x) }
        let s = try additionScores(predicted: predicted, targets: y)
        return (predicted, s.exact, s.digits)
    }

    var order: [Int] = [], seconds = 0.0, curve: [(step: Int, seconds: Double, exact: Float)] = []
    let every = max(1, design.steps / 16)
    for step in 0..<design.steps {
        if step % every == 0 { curve.append((step, seconds, try score(probeX, probeY).exact)) }
        let start = Date()
        if design.schedule {
            optimizer.learningRate = try cosineRate(step: step, steps: design.steps, base: design.learningRate, floor: 0.01)
        }
        if order.count < design.batch { order += rng.permutation(train.count) }
        let batch = order.prefix(design.batch).map { train[$0] }
        order.removeFirst(design.batch)
        let (x, y) = try net.encode(batch)
        _ = try trainStep({ try net.logits($0, targets: y) }, parameters: parameters, optimizer: optimizer,
                          inputs: x, targets: y, maxNorm: design.clip ? 1 : .infinity)
        seconds += Date().timeIntervalSince(start)
        progress(1)
    }
    curve.append((design.steps, seconds, try score(probeX, probeY).exact))
    let final = try score(testX, testY)
    return DesignRun(seconds: seconds, exact: final.exact, digits: final.digits,
                     curve: curve, answers: net.sums(final.predicted))
}
