import Foundation
#if canImport(Glibc)
import Glibc
#endif

// How much of a sample is the training text copied out: the longest run of written codes
// that occurs, verbatim, somewhere in the training text. Each code is written as the UTF-8
// of one Unicode scalar, so that the C library searches the text; UTF-8 is
// self-synchronising, so a match of whole encoded codes starts and ends on code boundaries;
// no code becomes a 0 byte, so C's strstr can search (glibc's is fast, a two-way search).

/// The training text, ready to be searched (its bytes, then a 0).
struct CopyFinder {
    private let haystack: [UInt8]

    init(_ training: [Int]) { haystack = CopyFinder.bytes(training) + [0] }

    /// Code c as the scalar c + 1 (skipping the surrogates), in UTF-8.
    private static func bytes<S: Sequence>(_ codes: S) -> [UInt8] where S.Element == Int {
        var out: [UInt8] = []
        for c in codes {
            let value = c + 1 < 0xD800 ? c + 1 : c + 1 + 0x800
            out += Array(String(Character(Unicode.Scalar(UInt32(value))!)).utf8)
        }
        return out
    }

    /// Whether `codes` occur, in this order, in the training text.
    func occurs(_ codes: ArraySlice<Int>) -> Bool {
        let needle = CopyFinder.bytes(codes) + [0]
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                strstr(UnsafeRawPointer(h.baseAddress!).assumingMemoryBound(to: CChar.self),
                       UnsafeRawPointer(n.baseAddress!).assumingMemoryBound(to: CChar.self)) != nil
            }
        }
    }

    /// The longest run of `codes` found in the training text (two pointers: each run is
    /// extended while it occurs, then its start moves on).
    func longestCopy(_ codes: [Int]) -> (start: Int, count: Int) {
        var best = (start: 0, count: 0), end = 0
        for start in codes.indices {
            end = max(end, start)
            while end < codes.count && occurs(codes[start...end]) { end += 1 }
            if end - start > best.count { best = (start, end - start) }
        }
        return best
    }
}
