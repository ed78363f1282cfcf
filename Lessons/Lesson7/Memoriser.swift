import Autograd

// Lesson 7: memorising a short string online, one letter at a time (given, not an exercise).
//
// The notebook's model: a letter, one-hot, goes into one LSTM cell; a linear layer turns the
// cell's h into 26 scores for the NEXT letter.
//
//     "G" ─▶ one-hot [1, 26] ─▶ LSTM cell ─▶ h [1, H] ─▶ Linear ─▶ scores [1, 26] ─▶ "H"?
//                                 ▲    │
//                     state (h, c)┘    └▶ the new state, handed to the next letter
//
// Everything the network knows about the letters before the current one is in the state
// (h, c): reset it to zeros and the network is a feed-forward function of one letter.

/// The state of one LSTM cell: h and c, each [1, hidden] (PyTorch's `(h, c)`).
public typealias LSTMState = (h: Tensor, c: Tensor)

/// The notebook's 26 letters: a letter's code is its position here ("A" → 0 … "Z" → 25).
public let capitals = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/// The notebook's four strings, by its names.
public let notebookStrings: [(name: String, text: String)] = [
    ("alphabet", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    // The alphabet with Q replaced by a second H: H is followed once by I, once by R.
    ("repeatone", "ABCDEFGHIJKLMNOPHRSTUVWXYZ"),
    // C, D, F, J and T twice each: 31 letters.
    ("repeatfive", "ABCDETFGCHIJKLDMNOPFQRSTUJVWXYZ"),
    // 30 letters drawn at random, with replacement.
    ("random30", "VNMVWKTFFLOZKUNSDYGOEFOBTZTTVU"),
]

/// A letter of the text is not in the alphabet.
public struct LetterNotInAlphabet: Error, CustomStringConvertible {
    public let letter: Character
    public let alphabet: String
    public init(letter: Character, alphabet: String) {
        self.letter = letter
        self.alphabet = alphabet
    }
    public var description: String { "the letter \"\(letter)\" is not in the alphabet \"\(alphabet)\"" }
}

/// One-hot letter → LSTM cell → Linear: scores for the next letter (no softmax), as the
/// notebook's `LSTMMod` (`nn.LSTM` over one step, `nn.Linear`) without its softmax.
public final class Memoriser: Module {
    public let cell: LSTMCell
    public let head: Linear
    public var isTraining = true

    /// How many letters there are (inputs and scores).
    public var letters: Int { head.outFeatures }
    /// The size of h and c.
    public var hidden: Int { cell.hiddenSize }

    /// PyTorch's initialisation: the cell's weights, then the head's, from `rng`.
    public init(letters: Int = 26, hidden: Int, rng: inout RNG) {
        cell = LSTMCell(letters, hidden, rng: &rng)
        head = Linear(hidden, letters, rng: &rng)
    }

    /// A model made of these two layers (the graders build it this way).
    public init(cell: LSTMCell, head: Linear) {
        self.cell = cell
        self.head = head
    }

    public var submodules: [(name: String, module: any Module)] { [("lstm", cell), ("lin", head)] }

    /// h = c = zeros [1, hidden]: the state at the start of the string.
    public func zeroState() -> LSTMState { (Tensor.zeros([1, hidden]), Tensor.zeros([1, hidden])) }

    /// The letter `code` as a one-hot row [1, letters].
    public func oneHot(_ code: Int) throws -> Tensor {
        guard (0..<letters).contains(code) else {
            throw TensorError(op: "Memoriser", "letter code \(code) is outside 0..<\(letters)")
        }
        var row = [Float](repeating: 0, count: letters)
        row[code] = 1
        return try Tensor(row, shape: [1, letters])
    }

    /// Reads the letter `code` from `state`: the scores for the next letter [1, letters]
    /// (no softmax) and the new state — WITH its history: whoever keeps it decides whether
    /// to cut it (`detached()`).
    public func callAsFunction(_ code: Int, _ state: LSTMState) throws -> (scores: Tensor, state: LSTMState) {
        let next = try cell(oneHot(code), state)
        return (try head(next.h), next)
    }
}
