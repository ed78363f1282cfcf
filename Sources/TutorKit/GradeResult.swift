import Foundation
import Grading

/// What grading one exercise gave, as the tutor shows and records it.
public struct GradeResult: Equatable, Sendable {
    public enum Status: String, Equatable, Sendable {
        case passed, failed, skipped, crashed
        case timedOut = "timed out"
    }

    public var status: Status
    /// The grader's whole message (failed, skipped, crashed, timed out).
    public var message: String
    public var seconds: Double
    /// What the student's code printed while it was graded.
    public var printed: String = ""

    public init(status: Status, message: String, seconds: Double, printed: String = "") {
        self.status = status
        self.message = message
        self.seconds = seconds
        self.printed = printed
    }

    /// The result of a verdict.
    public init(_ graded: Isolation.Graded) {
        let v = graded.verdict
        switch (v.status, v.stopped) {
        case (.passed, _): status = .passed
        case (.notAttempted, _): status = .skipped
        case (.failed, .crashed?): status = .crashed
        case (.failed, .timedOut?): status = .timedOut
        case (.failed, _): status = .failed
        }
        message = v.status == .passed ? "" : "\(v)"
        seconds = graded.seconds
        printed = graded.printed
    }

    /// What the progress file records for it.
    public var progressStatus: ExerciseStatus {
        switch status {
        case .passed: return .passing
        case .failed: return .failing
        case .skipped: return .notStarted
        case .crashed: return .crashed
        case .timedOut: return .timedOut
        }
    }
}
