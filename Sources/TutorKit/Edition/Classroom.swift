import Foundation

/// The GitHub Classroom autograding workflow a student edition ships with
/// (`.github/workflows/classroom.yml`): on each push it sets up Swift and OpenBLAS,
/// builds once, then grades each released exercise in a step of its own
/// (`classroom-resources/autograding-command-grader`), worth the exercise's points, and
/// reports the total (`classroom-resources/autograding-grading-reporter`). Classroom reads
/// the tests from this file: it is generated from the catalog, so it lists exactly the
/// lessons released.
///
/// A step's command is `swift run tutor check N.k`, which exits non-zero unless the
/// exercise passes: a stub not yet written (its XCTest case skipped, which `swift test`
/// would count as a success) earns nothing.
public enum Classroom {
    public static let workflowPath = ".github/workflows/classroom.yml"

    /// The official Swift image the job runs in (Ubuntu; `start.sh` adds OpenBLAS).
    public static let image = "swift:6.3"

    /// Minutes a step may take before Classroom stops it (the command grader's `timeout`).
    public static let stepTimeout = 10

    /// Points an exercise is worth: its `"points"` in lesson.json, else 1 (as in the gradebook).
    public static func points(_ e: ExerciseInfo) -> Int { e.points ?? 1 }

    /// The step id (and the reporter's runner name) of exercise "3.2": `exercise_3_2`.
    public static func stepID(_ e: ExerciseInfo) -> String { "exercise_" + e.id.replacingOccurrences(of: ".", with: "_") }

    /// The command that grades exercise `e`; non-zero unless it passes.
    public static func command(_ e: ExerciseInfo) -> String { "swift run tutor check \(e.id)" }

    /// The workflow for `lessons` (in the catalog's order).
    public static func workflow(_ lessons: [LessonInfo]) -> String {
        let exercises = lessons.flatMap(\.exercises)
        var y = """
            # GitHub Classroom autograding, written by `swift run tutor release` (regenerate it, do not edit):
            # one test per exercise, worth its points in lesson.json (1 when none is given). A test
            # passes only when `swift run tutor check N.k` does: an exercise not attempted (its
            # grader skipped) earns nothing. Total: \(exercises.map(points).reduce(0, +)) points.
            name: Autograding Tests
            'on':
            - push
            - repository_dispatch
            - workflow_dispatch
            permissions:
              checks: write
              actions: read
              contents: read
            jobs:
              run-autograding-tests:
                runs-on: ubuntu-latest
                if: github.actor != 'github-classroom[bot]'
                container:
                  image: \(image)
                env:
                  NO_COLOR: '1'
                steps:
                - name: Checkout code
                  uses: actions/checkout@v4
                - name: Set up OpenBLAS
                  run: bash start.sh --setup-only
                - name: Build once
                  run: swift build --build-tests

            """
        for e in exercises {
            y += """
                - name: \(quoted("\(e.id) \(e.title)"))
                  id: \(stepID(e))
                  uses: classroom-resources/autograding-command-grader@v1
                  with:
                    test-name: \(quoted("\(e.id) \(e.title)"))
                    setup-command: ''
                    command: \(quoted(command(e)))
                    timeout: \(stepTimeout)
                    max-score: \(points(e))

            """
        }
        y += """
                - name: Autograding Reporter
                  uses: classroom-resources/autograding-grading-reporter@v1
                  env:

            """
        for e in exercises {
            y += "        \(stepID(e).uppercased())_RESULTS: \"${{steps.\(stepID(e)).outputs.result}}\"\n"
        }
        y += "      with:\n        runners: \(exercises.map(stepID).joined(separator: ","))\n"
        return y
    }

    /// `text` as a single-quoted YAML scalar.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
