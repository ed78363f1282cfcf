import Autograd
import Foundation

// Lesson 1, exercises 1.7 and 1.8: what generation does, as one matrix.
//
// When the output is fed back as the next input (x = y = W_hy·h + b_hy), one step of the
// linear RNN maps the state to the next state by a fixed affine map:
//
//     h' = W_xh·(W_hy·h + b_hy) + b_xh + W_hh·h + b_hh  =  A·h + c
//
// Everything generation can do is in A. Write h as a sum of A's eigenvectors: each
// component is multiplied by its eigenvalue λ at every step. A real λ only scales (it
// shrinks, grows, or flips sign every step); a complex pair λ = r·e^(±iθ) turns the state
// by θ per step while scaling it by r: an oscillation of period 2π/θ steps.

/// The closed loop of the model: the matrix A [hidden, hidden] and offset c [hidden] with
/// h' = A·h + c when the output is fed back as the input (input size == output size):
///
///     A = W_hh + W_xh·W_hy           c = W_xh·b_hy + b_xh + b_hh
///
/// Matrices act on columns here: A is [to, from], as a `Linear` weight [out, in] is.
public func closedLoop(of model: LinearRNN) throws -> (matrix: Tensor, offset: Tensor) {
    // TODO(1.7): combine the three weights into A with one matmul and an addition; for c, push the output bias through W_xh and add both hidden biases.
    throw TODO("1.7")
}

/// An eigenvalue λ = re + i·im of a real matrix, and what it does to a state each step.
public struct Eigenvalue: Equatable, CustomStringConvertible {
    public var re: Double
    public var im: Double

    public init(re: Double, im: Double = 0) {
        self.re = re
        self.im = im
    }

    /// |λ|: the factor the component is scaled by each step (< 1 decays, > 1 grows).
    public var modulus: Double { (re * re + im * im).squareRoot() }
    /// arg λ in (−π, π]: the turn per step. 0 keeps the sign, π flips it every step,
    /// anything else rotates (a complex pair).
    public var angle: Double { Foundation.atan2(im, re) }
    /// Steps per full turn, 2π/|angle|; nil when λ is real and positive (no turning).
    public var period: Double? { Swift.abs(angle) < 1e-12 ? nil : 2 * Double.pi / Swift.abs(angle) }

    public var description: String {
        let value = im == 0 ? String(format: "%.4f", re) : String(format: "%.4f %@ %.4fi", re, im < 0 ? "−" : "+", Swift.abs(im))
        return String(format: "%@  (|λ| = %.4f, angle = %.4f)", value, modulus, angle)
    }
}

/// The two eigenvalues of a 2×2 real matrix a = [[p, q], [u, v]], from its trace and
/// determinant: λ = m ± √(m² − det) with m = (p + v)/2, det = p·v − q·u.
/// When m² − det < 0 they are the complex pair m ± i·√(det − m²).
/// Returns [the one with +, the one with −].
public func eigenvalues2x2(_ a: Tensor) throws -> [Eigenvalue] {
    guard a.shape == [2, 2] else { throw TensorError(op: "eigenvalues2x2", "expects a [2, 2] matrix, got \(a.shape)") }
    // TODO(1.8): m = half the trace, det = p·s − q·r, d = m² − det; d ≥ 0: two real roots m ± √d; d < 0: the pair m ± i√(−d).
    throw TODO("1.8")
}

/// All eigenvalues of a square real matrix [n, n], largest modulus first: λ itself for
/// 1×1, `eigenvalues2x2` for 2×2, and for larger ones the roots of the characteristic
/// polynomial (Faddeev–LeVerrier for its coefficients, Durand–Kerner for its roots).
public func eigenvalues(of a: Tensor) throws -> [Eigenvalue] {
    guard a.rank == 2, a.shape[0] == a.shape[1], a.shape[0] > 0 else {
        throw TensorError(op: "eigenvalues", "expects a square matrix, got \(a.shape)")
    }
    let n = a.shape[0]
    let found: [Eigenvalue]
    switch n {
    case 1: found = [Eigenvalue(re: Double(a.scalars[0]))]
    case 2: found = try eigenvalues2x2(a)
    default: found = polynomialRoots(characteristicPolynomial(a.scalars.map(Double.init), n: n))
    }
    return found.sorted { ($0.modulus, $0.im) > ($1.modulus, $1.im) }
}

/// Coefficients c₀ … cₙ (cₙ = 1) of det(λI − A) = Σ cₖ λᵏ, by Faddeev–LeVerrier:
/// M₁ = I, c_{n−1} = −tr(A); Mₖ = A·M_{k−1} + c_{n−k+1}·I, c_{n−k} = −tr(A·Mₖ)/k.
func characteristicPolynomial(_ a: [Double], n: Int) -> [Double] {
    var c = [Double](repeating: 0, count: n + 1)
    c[n] = 1
    var m = [Double](repeating: 0, count: n * n)  // M₀ = 0
    for k in 1...n {
        var next = [Double](repeating: 0, count: n * n)  // A·M_{k−1} + c_{n−k+1}·I
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<n { s += a[i * n + l] * m[l * n + j] }
                next[i * n + j] = s + (i == j ? c[n - k + 1] : 0)
            }
        }
        m = next
        var trace = 0.0
        for i in 0..<n { for l in 0..<n { trace += a[i * n + l] * m[l * n + i] } }
        c[n - k] = -trace / Double(k)
    }
    return c
}

/// The n roots of the monic polynomial Σ cₖ zᵏ by the Durand–Kerner iteration: every
/// guess zᵢ moves by p(zᵢ) / Πⱼ≠ᵢ (zᵢ − zⱼ) until none moves. Roots with a negligible
/// imaginary part are made real.
func polynomialRoots(_ c: [Double]) -> [Eigenvalue] {
    let n = c.count - 1
    typealias C = (re: Double, im: Double)
    func mul(_ a: C, _ b: C) -> C { (a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re) }
    func div(_ a: C, _ b: C) -> C {
        let d = b.re * b.re + b.im * b.im
        return ((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
    }
    func p(_ z: C) -> C {
        var v: C = (c[n], 0)
        for k in stride(from: n - 1, through: 0, by: -1) { v = mul(v, z); v.re += c[k] }
        return v
    }
    let radius = 1 + c.dropLast().map { Swift.abs($0) }.max()!
    var z: [C] = (0..<n).map { i in
        let angle = 2 * Double.pi * Double(i) / Double(n) + 0.4
        return (radius * Foundation.cos(angle), radius * Foundation.sin(angle))
    }
    for _ in 0..<2000 {
        var moved = 0.0
        for i in 0..<n {
            var q: C = (1, 0)
            for j in 0..<n where j != i { q = mul(q, (z[i].re - z[j].re, z[i].im - z[j].im)) }
            if q.re == 0, q.im == 0 { q = (1e-12, 0) }
            let delta = div(p(z[i]), q)
            z[i] = (z[i].re - delta.re, z[i].im - delta.im)
            moved = Swift.max(moved, Swift.abs(delta.re) + Swift.abs(delta.im))
        }
        if moved < 1e-14 { break }
    }
    return z.map { r in
        Swift.abs(r.im) < 1e-7 * (1 + Swift.abs(r.re)) ? Eigenvalue(re: r.re) : Eigenvalue(re: r.re, im: r.im)
    }
}
