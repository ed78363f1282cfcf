import Autograd
import CBLAS
import ExperimentKit
import Foundation
import Solution1
import Solution2
import Solution3
import Solution4
import Solution5

// `swift run -c release autograd-bench`: what the core's speed costs a student.
//   1. matmul GFLOP/s through the Tensor API beside the raw cblas_sgemm call;
//   2. the median time of one training step (forward, backward, Adam) of an LSTM over a
//      batch of 32 sequences of 20 one-hot symbols (30 symbols), linear head, cross-entropy:
//      once with the `LSTM` layer, once as a loop over time of a cell built from primitive
//      ops, the way a student writes it; then the same step with the `GRU` and `RNN` layers;
//   3. one training step of a transformer encoder at two sizes (Transformer.swift).
// Options: `--breakdown` (where the LSTM step's time goes); `--step H` (only the LSTM layer
// step at hidden H, three times over: for comparing two builds, run one after the other);
// `--lessons` (only one training step of each lesson's model, as its experiment runs it;
// Benchmarks/pytorch/lessons.py times the same steps in PyTorch); `--transformer` (only the
// transformer step; Benchmarks/pytorch/transformer.py times it in PyTorch).

/// The median wall time of `body` in milliseconds, after `warmup` untimed runs.
func medianMilliseconds(runs: Int, warmup: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return times.sorted()[times.count / 2]
}

func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : String(repeating: " ", count: width - s.count) + s }

print("OpenBLAS: \(String(cString: openblas_get_config())); kernels \(String(cString: openblas_get_corename()))")
if let faster = BLAS.fasterKernels(than: BLAS.kernels, flags: BLAS.processorFlags) {
    let set = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
    print("This processor has AVX-512, but OpenBLAS runs its \(BLAS.kernels) (AVX2) kernels"
          + (set.map { " because OPENBLAS_CORETYPE=\($0) is set (some machines set it: older OpenBLAS builds gave wrong results with AVX-512 kernels)" } ?? "")
          + ": OPENBLAS_CORETYPE=\(faster) before the command selects its AVX-512 ones.")
}
print("")

// MARK: - Each lesson's training step (`autograd-bench --lessons`)

/// One lesson's training step: its name, how many steps to time, and a maker of a fresh
/// model with its batch whose call runs one step.
struct LessonStep {
    let lesson: Int
    let name: String
    let runs: Int
    let make: (_ seed: UInt64) throws -> () throws -> Void
}

/// A training step: forward and loss, zeroGrad, backward, Adam.
func trainingStep(_ optimizer: Optimizer, _ loss: @escaping () throws -> Tensor) -> () throws -> Void {
    {
        let l = try loss()
        optimizer.zeroGrad()
        try l.backward()
        optimizer.step()
    }
}

/// One training step of each lesson's model on a batch shaped as its experiment's (the
/// reference solutions' code, the experiments' sizes).
let lessonSteps: [LessonStep] = [
    // Lesson 1: a linear RNN, batches of 2 signals of 99 steps, MSE.
    LessonStep(lesson: 1, name: "1  linear RNN, hidden 2, batch 2 × 99 steps", runs: 300) { try linearRNNStep(hidden: 2, seed: $0) },
    LessonStep(lesson: 1, name: "1  linear RNN, hidden 4, batch 2 × 99 steps", runs: 300) { try linearRNNStep(hidden: 4, seed: $0) },
    // Lesson 2: the tanh encoder–decoder, alphabet 3, hidden 20, batches of 32 × 10 symbols.
    LessonStep(lesson: 2, name: "2  tanh encoder–decoder, hidden 20, batch 32 × 10", runs: 200) { seed in
        var rng = RNG(seed: seed)
        let model = Solution2.EncoderDecoder(alphabetSize: 3, hiddenSize: 20, rng: &rng)
        let codes = (0..<32).map { _ in (0..<10).map { _ in rng.int(below: 3) } }
        let x = try oneHot(Tensor(indices: codes), classes: 3), y = try Tensor(indices: codes.map { $0.reversed() })
        return trainingStep(try Adam(model.parameters(), learningRate: 1e-3)) { try Solution2.sequenceCrossEntropy(model(x), y) }
    },
    // Lesson 3: the copier (tanh RNN and GRU), hidden 200, batches of 32 padded sequences of
    // 3…14 symbols (15 steps), masked encoder and masked loss.
    LessonStep(lesson: 3, name: "3  copier (tanh), hidden 200, batch 32 × 15", runs: 50) { try copierStep(.tanh, seed: $0) },
    LessonStep(lesson: 3, name: "3  copier (GRU), hidden 200, batch 32 × 15", runs: 50) { try copierStep(.gru, seed: $0) },
    // Lesson 4: the synchronous adder (the LSTM cell unrolled over 5 columns), hidden 128,
    // batches of 64 sums, the gradient clipped to norm 1 (the reference's trainStep).
    LessonStep(lesson: 4, name: "4  adder (LSTM cell), hidden 128, batch 64 × 5", runs: 300) { seed in
        var rng = RNG(seed: seed)
        let model = Solution4.Adder(hiddenSize: 128, rng: &rng)
        let pairs = (0..<64).map { _ in (x: 100 + rng.int(below: 9900), y: 100 + rng.int(below: 9900)) }
        let (x, y) = try Solution4.encodeSums(pairs, places: 5)
        let parameters = model.parameters()
        let optimizer = try Adam(parameters, learningRate: 3e-3)
        return { _ = try Solution4.trainStep({ try model($0) }, parameters: parameters, optimizer: optimizer, inputs: x, targets: y, maxNorm: 1) }
    },
    // Lesson 5, Part A: the chapter's model 7 (2-layer LSTM 64, dropout 0.4, tied, AR/TAR),
    // 30 words, batches of 64 × 16, AdamW; Part B: the character LSTM (1 layer of 128), 169
    // characters, batches of 32 × 64, Adam, the gradient clipped to norm 1.
    LessonStep(lesson: 5, name: "5  word LSTM (model 7), hidden 64, batch 64 × 16", runs: 100) { seed in
        var rng = RNG(seed: seed)
        let model = try Solution5.LSTMWordModel(vocabulary: 30, hidden: 64, layers: 2, dropout: 0.4, tied: true, rng: &rng)
        let (x, y) = (randomCodes([64, 16], below: 30, rng: &rng), randomCodes([64, 16], below: 30, rng: &rng))
        var state: (h: Tensor, c: Tensor)? = nil
        return trainingStep(try AdamW(model.parameters(), learningRate: 1e-2, betas: (0.9, 0.99), eps: 1e-5, weightDecay: 0.1)) {
            let pass = try Solution5.lstmWords(x, state: state, model: model)
            state = pass.state
            return try crossEntropy(pass.logits, y) + Solution5.activationPenalty(raw: pass.raw, dropped: pass.dropped, alpha: 2, beta: 1)
        }
    },
    LessonStep(lesson: 5, name: "5  character LSTM, hidden 128, batch 32 × 64", runs: 30) { seed in
        var rng = RNG(seed: seed)
        let model = try Solution5.LSTMWordModel(vocabulary: 169, hidden: 128, layers: 1, rng: &rng)
        let (x, y) = (randomCodes([32, 64], below: 169, rng: &rng), randomCodes([32, 64], below: 169, rng: &rng))
        let parameters = model.parameters()
        let optimizer = try Adam(parameters, learningRate: 3e-3)
        var state: (h: Tensor, c: Tensor)? = nil
        return {
            let pass = try Solution5.lstmWords(x, state: state, model: model)
            state = pass.state
            let loss = try crossEntropy(pass.logits, y)
            optimizer.zeroGrad()
            try loss.backward()
            _ = clipGradNorm(parameters, maxNorm: 1)
            optimizer.step()
        }
    },
]

/// Codes drawn uniformly below `n`, as Floats in a tensor of `shape`.
func randomCodes(_ shape: [Int], below n: Int, rng: inout RNG) -> Tensor {
    try! Tensor((0..<shape.reduce(1, *)).map { _ in Float(rng.int(below: n)) }, shape: shape)
}

func linearRNNStep(hidden: Int, seed: UInt64) throws -> () throws -> Void {
    var rng = RNG(seed: seed)
    let model = Solution1.LinearRNN(hidden: hidden, rng: &rng)
    let x = Tensor.randn([2, 99, 1], rng: &rng), y = Tensor.randn([2, 99, 1], rng: &rng)
    return trainingStep(try Adam(model.parameters(), learningRate: 1e-3)) { try mseLoss(model(x), y) }
}

func copierStep(_ cell: Solution3.Cell, seed: UInt64) throws -> () throws -> Void {
    var rng = RNG(seed: seed)
    var texts: [String] = []
    repeat {   // a batch whose longest sequence has 14 symbols, so T = 15 as in the experiment
        texts = Solution3.randomSequences(count: 32, lengths: 3...14, alphabet: ["a", "b", "c"], rng: &rng)
    } while texts.map(\.count).max() != 14
    let (alphabet, codes, lengths) = try Solution3.padWithStops(texts)
    let classes = alphabet.count + 1
    let model = Solution3.Copier(cell: cell, classes: classes, hiddenSize: 200, rng: &rng)
    let x = try oneHot(codes, classes: classes)
    let mask = try Solution3.realMask(lengths: lengths.map { $0 + 1 }, steps: codes.shape[1])
    return trainingStep(try Adam(model.parameters(), learningRate: 1e-3)) {
        try Solution3.maskedCrossEntropy(model(x, lengths: lengths), codes, mask: mask)
    }
}

/// Milliseconds per step when `copies` trainings run at once, each on its own thread with
/// its own model (as an experiment's `--jobs` runs them): the wall time of `runs` steps
/// each, divided by all the steps taken.
func sideBySideMilliseconds(_ step: LessonStep, copies: Int) throws -> Double {
    let steps = try (0..<copies).map { try step.make(3 + UInt64($0)) }
    for s in steps { for _ in 0..<3 { try s() } }
    let start = DispatchTime.now().uptimeNanoseconds
    _ = try Workers(count: copies).map(steps) { s in for _ in 0..<step.runs { try s() } }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(copies * step.runs)
}

// MARK: - OpenBLAS threads on thin and square products (`autograd-bench --threads`)

/// Median microseconds of one raw sgemm, m×k by k×n, on `threads` OpenBLAS threads.
func sgemmMicroseconds(m: Int, k: Int, n: Int, threads: Int32, runs: Int) -> Double {
    var rng = RNG(seed: 4)
    let a = Tensor.randn([m, k], rng: &rng).scalars, b = Tensor.randn([k, n], rng: &rng).scalars
    var c = [Float](repeating: 0, count: m * n)
    openblas_set_num_threads(threads)
    defer { openblas_set_num_threads(0) }
    return 1000 * medianMilliseconds(runs: runs) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
    }
}

if CommandLine.arguments.contains("--threads") {
    print("raw sgemm, one thread against all \(openblas_get_num_threads()) (median µs; ratio > 1: threads help)")
    print("     m      k      n    MFLOP   1 thread   all threads   ratio")
    let shapes = [(32, 200, 600), (32, 200, 800), (32, 512, 2048), (32, 1024, 4096), (64, 512, 2048), (128, 128, 128),
                  (256, 256, 256), (512, 512, 512), (1024, 1024, 1024)]
    for (m, k, n) in shapes {
        let flops = 2 * Double(m * k * n)
        let runs = flops > 1e9 ? 10 : 200
        let one = sgemmMicroseconds(m: m, k: k, n: n, threads: 1, runs: runs)
        let all = sgemmMicroseconds(m: m, k: k, n: n, threads: openblas_get_num_threads(), runs: runs)
        print("\(pad("\(m)", 6)) \(pad("\(k)", 6)) \(pad("\(n)", 6)) \(pad(String(format: "%.1f", flops / 1e6), 8)) \(pad(String(format: "%.0f", one), 10)) \(pad(String(format: "%.0f", all), 13)) \(pad(String(format: "%.2f", one / all), 7))")
    }
    exit(0)
}

if CommandLine.arguments.contains("--lessons") {
    // `--only 1,3`: those lessons only.
    let only = CommandLine.arguments.firstIndex(of: "--only").flatMap { i in
        i + 1 < CommandLine.arguments.count ? Set(CommandLine.arguments[i + 1].split(separator: ",").compactMap { Int($0) }) : nil
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let allThreads = BLAS.threads
    print("One training step of each lesson's model (median ms): with OpenBLAS on \(allThreads) threads; on 1 thread,")
    print("as experiments run it; and per step with \(cores) such trainings side by side (an experiment's --jobs \(cores)).")
    print("\(pad("\(allThreads) threads", 10)) \(pad("1 thread", 10)) \(pad("\(cores) at once", 10))")
    for step in lessonSteps where only?.contains(step.lesson) ?? true {
        BLAS.threads = allThreads
        let all = try medianMilliseconds(runs: step.runs, try step.make(3))
        BLAS.threads = 1
        let one = try medianMilliseconds(runs: step.runs, try step.make(3))
        let together = try sideBySideMilliseconds(step, copies: cores)
        BLAS.threads = allThreads
        print([all, one, together].map { pad(String(format: "%.2f", $0), 10) }.joined(separator: " ") + "   \(step.name)")
    }
    exit(0)
}

// MARK: - A transformer encoder's training step (`autograd-bench --transformer`)

/// Prints the median ms of one transformer encoder training step at each size.
func printTransformerSteps() throws {
    print("Transformer encoder training step: embedding + sin/cos positions, one pre-norm encoder layer")
    print("(feed-forward 4·d, dropout 0.1), linear head, cross-entropy, Adam; key padding on half the batch (median ms)")
    let allThreads = BLAS.threads
    defer { BLAS.threads = allThreads }
    print("\(pad("\(allThreads) threads", 10)) \(pad("1 thread", 10))   (OpenBLAS)")
    for size in transformerSizes {
        let runs = size.dModel >= 128 ? 20 : 50
        let times = try [allThreads, 1].map { threads in
            BLAS.threads = threads
            return try medianMilliseconds(runs: runs, try transformerStep(size, seed: 3))
        }
        print(times.map { pad(String(format: "%.2f", $0), 10) }.joined(separator: " ") + "   \(size.name)")
    }
}

if CommandLine.arguments.contains("--transformer") {
    try printTransformerSteps()
    exit(0)
}

// MARK: - matmul

let stepOnly = CommandLine.arguments.firstIndex(of: "--step").flatMap { i in
    i + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[i + 1]) : nil
}
if CommandLine.arguments.contains("--step"), stepOnly == nil {
    print("error: --step needs a hidden size, e.g. --step 128")
    exit(1)
}

if stepOnly == nil { print("matmul, n×n by n×n (median of repeated runs)") }
if stepOnly == nil { print("    n   Tensor.matmul GFLOP/s   raw sgemm GFLOP/s   ratio") }
var rng = RNG(seed: 1)
for n in stepOnly == nil ? [256, 512, 1024] : [] {
    let a = Tensor.randn([n, n], rng: &rng), b = Tensor.randn([n, n], rng: &rng)
    let runs = n >= 1024 ? 10 : 30
    let flops = 2 * Double(n) * Double(n) * Double(n)
    let av = a.scalars, bv = b.scalars
    var c = [Float](repeating: 0, count: n * n)
    // The two are timed in turns, one run each, so that a change in the machine's load
    // (it is shared) weighs on both alike.
    var ours: [Double] = [], raw: [Double] = []
    for _ in 0..<runs {    // (each run warmed up by one untimed product)
        ours.append(try medianMilliseconds(runs: 1, warmup: 1) { _ = try a.matmul(b) })
        raw.append(medianMilliseconds(runs: 1, warmup: 1) {
            av.withUnsafeBufferPointer { pa in
                bv.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                                    pa.baseAddress, Int32(n), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
                    }
                }
            }
        })
    }
    let g1 = flops / ours.sorted()[runs / 2] / 1e6, g2 = flops / raw.sorted()[runs / 2] / 1e6
    print("\(pad("\(n)", 5))   \(pad(String(format: "%.1f", g1), 21))   \(pad(String(format: "%.1f", g2), 17))   \(String(format: "%.2f", g1 / g2))")
}

// MARK: - LSTM training step

let (batch, steps, symbols) = (32, 20, 30)

/// One-hot inputs [32, 20, 30] and next-symbol targets [32, 20].
func sequences(_ rng: inout RNG) throws -> (x: Tensor, y: Tensor) {
    let codes = (0..<(batch * (steps + 1))).map { _ in rng.int(below: symbols) }
    let rows = (0..<batch).map { Array(codes[($0 * (steps + 1))..<(($0 + 1) * (steps + 1))]) }
    let x = try oneHot(Tensor(indices: rows.map { Array($0.dropLast()) }), classes: symbols)
    return (x, try Tensor(indices: rows.map { Array($0.dropFirst()) }))
}

/// The recurrent layers the benchmark times.
enum Layer { case lstm, gru, rnn }

/// A recurrent layer (LSTM by default), a linear head, cross-entropy, Adam.
func layerStep(hidden: Int, runs: Int, layer: Layer = .lstm) throws -> Double {
    var rng = RNG(seed: 2)
    let (x, y) = try sequences(&rng)
    let (module, run): (any Module, (Tensor) throws -> Tensor)
    switch layer {
    case .lstm: let l = LSTM(symbols, hidden, rng: &rng); (module, run) = (l, { try l($0).output })
    case .gru: let l = GRU(symbols, hidden, rng: &rng); (module, run) = (l, { try l($0).output })
    case .rnn: let l = RNN(symbols, hidden, rng: &rng); (module, run) = (l, { try l($0).output })
    }
    let head = Linear(hidden, symbols, rng: &rng)
    let optimizer = try Adam(module.parameters() + head.parameters(), learningRate: 1e-3)
    return try medianMilliseconds(runs: runs) {
        let loss = try crossEntropy(head(run(x)), y)
        optimizer.zeroGrad()
        try loss.backward()
        optimizer.step()
    }
}

/// The same model with the cell written from primitives and a loop over time.
func cellLoopStep(hidden: Int, runs: Int) throws -> Double {
    var rng = RNG(seed: 2)
    let (x, y) = try sequences(&rng)
    let k = 1 / Float(hidden).squareRoot()
    let wih = Tensor.uniform([4 * hidden, symbols], -k, k, requiresGrad: true, rng: &rng)
    let whh = Tensor.uniform([4 * hidden, hidden], -k, k, requiresGrad: true, rng: &rng)
    let bih = Tensor.uniform([4 * hidden], -k, k, requiresGrad: true, rng: &rng)
    let bhh = Tensor.uniform([4 * hidden], -k, k, requiresGrad: true, rng: &rng)
    let head = Linear(hidden, symbols, rng: &rng)
    let optimizer = try Adam([wih, whh, bih, bhh] + head.parameters(), learningRate: 1e-3)
    return try medianMilliseconds(runs: runs) {
        var h = Tensor.zeros([batch, hidden]), c = Tensor.zeros([batch, hidden])
        var outputs: [Tensor] = []
        for t in 0..<steps {
            let xt = try x.select(axis: 1, index: t)
            let gates = try linear(xt, weight: wih, bias: bih) + linear(h, weight: whh, bias: bhh)
            let g = try gates.chunk(4, axis: 1)
            c = try g[1].sigmoid() * c + g[0].sigmoid() * g[2].tanh()
            h = try g[3].sigmoid() * c.tanh()
            outputs.append(h)
        }
        let loss = try crossEntropy(head(stack(outputs, axis: 1)), y)
        optimizer.zeroGrad()
        try loss.backward()
        optimizer.step()
    }
}

if let hidden = stepOnly {
    print("LSTM layer training step at hidden \(hidden) (median of 200 runs, ms)")
    for _ in 0..<3 { print(String(format: "%.3f", try layerStep(hidden: hidden, runs: 200))) }
    exit(0)
}

print("")
print("LSTM training step: batch \(batch), \(steps) steps, \(symbols) one-hot symbols, linear head, cross-entropy, Adam (median ms)")
print("hidden   LSTM layer   cell loop (primitives)")
for hidden in [8, 32, 128, 512] {
    let runs = hidden >= 512 ? 15 : 50
    let layer = try layerStep(hidden: hidden, runs: runs)
    let loop = try cellLoopStep(hidden: hidden, runs: runs)
    print("\(pad("\(hidden)", 6))   \(pad(String(format: "%.2f", layer), 10))   \(pad(String(format: "%.2f", loop), 22))")
}

print("")
print("The same step with the other recurrent layers (median ms)")
print("hidden   GRU layer   RNN layer (tanh)")
for hidden in [8, 32, 128, 512] {
    let runs = hidden >= 512 ? 15 : 50
    let gru = try layerStep(hidden: hidden, runs: runs, layer: .gru)
    let rnn = try layerStep(hidden: hidden, runs: runs, layer: .rnn)
    print("\(pad("\(hidden)", 6))   \(pad(String(format: "%.2f", gru), 9))   \(pad(String(format: "%.2f", rnn), 16))")
}

// MARK: - Where the time of one LSTM step goes (`autograd-bench --breakdown`)

if CommandLine.arguments.contains("--breakdown") {
    print("")
    print("breakdown of the LSTM layer step (median ms): forward | backward | Adam")
    for hidden in [32, 128, 512] {
        var rng = RNG(seed: 2)
        let (x, y) = try sequences(&rng)
        let lstm = LSTM(symbols, hidden, rng: &rng), head = Linear(hidden, symbols, rng: &rng)
        let optimizer = try Adam(lstm.parameters() + head.parameters(), learningRate: 1e-3)
        var loss = Tensor(scalar: 0)
        let forward = try medianMilliseconds(runs: 30) { loss = try crossEntropy(head(lstm(x).output), y) }
        let backward = try medianMilliseconds(runs: 30) {
            loss = try crossEntropy(head(lstm(x).output), y)
            optimizer.zeroGrad()
            try loss.backward()
        } - forward
        let adam = medianMilliseconds(runs: 30) { optimizer.step() }
        let layerOnly = try medianMilliseconds(runs: 30) { _ = try lstm(x) }
        let out = try lstm(x).output.detached()
        let headOnly = try medianMilliseconds(runs: 30) { _ = try crossEntropy(head(out), y) }
        print("\(pad("\(hidden)", 6))   \(String(format: "%.2f | %.2f | %.2f   (forward: LSTM layer %.2f, head + loss %.2f)", forward, backward, adam, layerOnly, headOnly))")
    }
}

print("")
try printTransformerSteps()
