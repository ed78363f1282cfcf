import Foundation
import Autograd

// Lesson 9 prototype (research for the lesson, not part of the package): run as a temporary
// executable target, e.g. in Package.swift
//     .executableTarget(name: "Lesson9Proto", dependencies: ["Autograd"], path: "Notes/lesson9-prototype")
// then
//     swift run -c release Lesson9Proto stats
//     swift run -c release Lesson9Proto train --tok term --steps 1500
//     swift run -c release Lesson9Proto mistakes

var args = Array(CommandLine.arguments.dropFirst())
let command = args.isEmpty ? "stats" : args.removeFirst()
func option(_ name: String, _ fallback: String) -> String {
    if let i = args.firstIndex(of: "--" + name), i + 1 < args.count { return args[i + 1] }
    return fallback
}
func flag(_ name: String) -> Bool { args.contains("--" + name) }
func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }

let seed = UInt64(option("seed", "0"))!
var generator = ExpressionGenerator()
generator.pretty = flag("pretty")
if let r = args.firstIndex(of: "--like"), r + 1 < args.count {
    let p = args[r + 1].split(separator: ".").compactMap { Int($0) }
    generator.likeTerms = p[0]...p[p.count - 1]
}

func makeData(train n: Int, test m: Int, seed: UInt64) -> ([(text: String, label: Int)], [(text: String, label: Int)]) {
    var rng = RNG(seed: seed &+ 1000)
    var seen = Set<String>()
    let tr = generator.dataset(n, exclude: &seen, &rng)
    let te = generator.dataset(m, exclude: &seen, &rng)
    return (tr, te)
}

switch command {
case "stats":
    let n = Int(option("n", "20000"))!
    let start = Date()
    let ntest = Int(option("test", "1000"))!
    let (tr, te) = makeData(train: n, test: ntest, seed: seed)
    print("generated \(n) + \(ntest) in \(String(format: "%.2f", Date().timeIntervalSince(start))) s (pretty: \(generator.pretty))")
    for e in tr.prefix(8) { print("  \(e.label)  \(e.text)") }
    var labels: [Int: Int] = [:], termsHist: [Int: Int] = [:], joint: [Int: [Int: Int]] = [:]
    var chars: [Int] = []
    for e in tr {
        let k = try terms(of: e.text).count
        labels[e.label, default: 0] += 1; termsHist[k, default: 0] += 1; joint[k, default: [:]][e.label, default: 0] += 1
        chars.append(e.text.count)
    }
    print("labels:", labels.sorted { $0.key < $1.key }.map { "\($0.key): \(pct(Double($0.value) / Double(n)))" }.joined(separator: ", "))
    print("terms: ", termsHist.sorted { $0.key < $1.key }.map { "\($0.key): \(pct(Double($0.value) / Double(n)))" }.joined(separator: ", "))
    chars.sort()
    print("characters: mean \(String(format: "%.1f", Double(chars.reduce(0, +)) / Double(n))), median \(chars[n / 2]), 95th \(chars[n * 95 / 100]), max \(chars.last!)")
    print("terms → labels (training set):")
    for (k, row) in joint.sorted(by: { $0.key < $1.key }) {
        print("  \(k) terms:", row.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))
    }
    let b = try baselines(train: tr, test: te)
    print("held-out baselines: number of terms \(pct(b.terms)), most frequent label (\(b.mode)) \(pct(b.mostFrequent)), best label given the number of terms \(pct(b.bestGivenTerms))")

case "train":
    let tokName = option("tok", "term")
    let tok: Tokenizer = tokName == "char" ? CharacterTokenizer() : TermTokenizer()
    let ntrain = Int(option("ntrain", "20000"))!
    let (tr, te) = makeData(train: ntrain, test: 1000, seed: seed)
    let (trc, tec) = (try encodeAll(tr, tok), try encodeAll(te, tok))
    let maxLen = (trc + tec).map(\.count).max()!
    var cfg = TrainConfig()
    cfg.steps = Int(option("steps", "1000"))!
    cfg.batch = Int(option("batch", "64"))!
    cfg.learningRate = Float(option("lr", "1e-3"))!
    cfg.warmup = Int(option("warmup", "100"))!
    cfg.evalEvery = Int(option("every", "100"))!
    cfg.clip = Float(option("clip", "1"))!
    cfg.bucket = flag("bucket")
    let d = Int(option("d", "64"))!, heads = Int(option("heads", "4"))!, layers = Int(option("layers", "2"))!
    let ff = Int(option("ff", String(2 * d)))!
    let pool = Pooling(rawValue: option("pool", "mean"))!
    var rng = RNG(seed: seed)
    let model = LikeTermClassifier(vocabulary: tok.vocabulary, length: max(maxLen, 128), classes: 14, dModel: d, heads: heads,
                                   layers: layers, feedforward: ff, pooling: pool, rng: &rng)
    model.usePositions = !flag("nopos")
    // --qk: start every layer with its key projection equal to its query projection (the
    // Reformer's shared queries and keys, at initialisation only): tokens alike score high.
    if flag("qk") {
        for layer in model.encoder.layers {
            var w = layer.selfAttn.inProjWeight.scalars
            for i in 0..<(d * d) { w[d * d + i] = w[i] }
            try layer.selfAttn.inProjWeight.assign(w)
        }
    }
    let nparams = model.parameters().map(\.count).reduce(0, +)
    print("tok \(tok.name), pretty \(generator.pretty), train \(ntrain), d \(d), heads \(heads), layers \(layers), ff \(ff), pool \(pool), positions \(model.usePositions), qk-init \(flag("qk")), params \(nparams), steps \(cfg.steps), batch \(cfg.batch), lr \(cfg.learningRate), warmup \(cfg.warmup), clip \(cfg.clip), bucket \(cfg.bucket), seed \(seed), max tokens \(maxLen)")
    let probeTexts = te.prefix(200).map(\.text)
    let attn = flag("attn")
    func table(_ title: String) throws {
        for letters in tok is CharacterTokenizer ? [false, true] : [false] {
            let t = try likeMassTable(model: model, tokenizer: tok, expressions: Array(probeTexts), lettersOnly: letters)
            print(title + (letters ? " — variable letters only" : ""))
            for (l, row) in t.enumerated() {
                print("  layer \(l): " + row.enumerated().map { h, m in String(format: "h%d %.3f/%.3f (×%.2f)", h, m.mass, m.chance, m.lift) }.joined(separator: "  "))
            }
        }
    }
    if let i = args.firstIndex(of: "--load"), i + 1 < args.count { try model.load(from: URL(fileURLWithPath: args[i + 1])) }
    if attn { model.eval(); try table("like-term attention mass / chance (lift), before training, 200 held-out:"); model.train() }
    print("step   loss    train   held-out  seconds")
    let curve = cfg.steps == 0 ? [] : try train(model, train: trc, trainLabels: tr.map(\.label), test: tec, testLabels: te.map(\.label), config: cfg, rng: &rng) { p in
        print(String(format: "%5d  %.4f  %6.1f%%  %6.1f%%  %6.1f", p.step, p.loss, 100 * p.trainAcc, 100 * p.testAcc, p.seconds))
        fflush(stdout)
    }
    _ = curve
    if attn { model.eval(); try table("like-term attention mass / chance (lift), trained, 200 held-out:") }
    // --show "expr": each head's weights on one expression, as a table (rows: queries).
    if let i = args.firstIndex(of: "--show"), i + 1 < args.count {
        model.eval()
        let e = args[i + 1].replacingOccurrences(of: "_", with: " ")
        let (codes, _) = try tok.encode(e)
        let labels = tok is TermTokenizer ? try terms(of: e).map(\.key) : Array(e).map { String($0) }
        let b = try makeBatch([codes], labels: [0])
        let (logits, ws) = try noGrad { try model.forward(b.codes, padding: b.padding, weights: true) }
        print("\(e): label \(try likeTermCount(e)), model says \(Int(try logits.argmax(axis: -1).scalars[0]))")
        let t = codes.count
        for (l, w) in ws.enumerated() {
            for h in 0..<w.shape[1] {
                print("layer \(l) head \(h)   " + labels.map { $0.padding(toLength: 5, withPad: " ", startingAt: 0) }.joined())
                for q in 0..<t {
                    let row = (0..<t).map { String(format: "%5.2f", w.scalars[h * t * t + q * t + $0]) }.joined()
                    print("  " + labels[q].padding(toLength: 12, withPad: " ", startingAt: 0) + row)
                }
            }
        }
    }
    if let i = args.firstIndex(of: "--save"), i + 1 < args.count { try model.save(to: URL(fileURLWithPath: args[i + 1])) }

case "mistakes":
    try runMistakes()

default:
    print("commands: stats, train, mistakes")
}
