import Autograd

// Lesson 7, exercise 7.6: two scores for a recital.
//
// The notebook prints two numbers for what the network recited against what it should:
//
//   steps correct — letters right before the FIRST error (the recital's prefix that holds);
//   longest substring — the longest run of letters that appears in both, anywhere in each
//                       (Python's difflib find_longest_match): a recital that jumps to the
//                       wrong place and then goes on correctly still scores its run.
//
//     target     B C D E F G H I J K L M N O P H R S T U V W X Y Z A
//     recited    B C D E F G H R S T U V W X Y Z A B C D E F G H R S
//     steps correct 7 (B…H), longest substring 11 (H R S T U V W X Y Z A: the recital
//     skipped I…P, then went on from the second H)

/// The letters `generated` gets right before its first error (compared position by
/// position with `target`, up to the shorter length), and the length of the longest
/// common substring of the two (contiguous in both, anywhere in each).
public func score(target: [Int], generated: [Int]) throws -> (stepsCorrect: Int, longestCommon: Int) {
    // TODO(7.6): steps correct: count equal positions from the start until the first difference. Longest common substring: run[i][j] = run[i−1][j−1] + 1 where target[i] == generated[j] (else 0); the answer is the largest run.
    throw TODO("7.6")
}
