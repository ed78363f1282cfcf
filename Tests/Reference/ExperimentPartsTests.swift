import Autograd
import ExperimentKit
import XCTest

/// `tutor run N --part NAME`: which parts run, and what `--help` lists.
final class ExperimentPartsTests: XCTestCase {
    let parts: [Experiment.Part] = [
        .init("signals", "the data"), .init("prediction", "training"),
        .init("generation", "free-running", needs: ["prediction"]), .init("loops", "eigenvalues", needs: ["generation"]),
    ]

    func testEveryPartRunsWhenNoneIsAskedFor() throws {
        XCTAssertEqual(try Experiment.running([], parts: parts), ["signals", "prediction", "generation", "loops"])
    }

    func testAPartRunsWithWhatItNeedsTransitively() throws {
        XCTAssertEqual(try Experiment.running(["loops"], parts: parts), ["prediction", "generation", "loops"])
        XCTAssertEqual(try Experiment.running(["signals"], parts: parts), ["signals"])
        XCTAssertEqual(try Experiment.running(["signals", "generation"], parts: parts), ["signals", "prediction", "generation"])
    }

    func testAnUnknownPartIsOneLineNamingTheParts() {
        XCTAssertThrowsError(try Experiment.running(["sampels"], parts: parts)) { error in
            XCTAssertEqual("\(error)", "lesson experiment has no part \"sampels\"; its parts are signals, prediction, generation, loops")
        }
    }

    func testHelpListsThePartsAndWhatTheyNeed() {
        let help = Experiment.help(lesson: 1, parts: parts, options: "--cell tanh|gru")
        XCTAssertTrue(help.hasPrefix("usage: swift run tutor run 1 [--full] [--seed N] [--jobs N] [--part NAME[,NAME…]] [-- --cell tanh|gru]"), help)
        XCTAssertTrue(help.contains("generation  free-running (needs prediction)"), help)
        XCTAssertEqual(help.split(separator: "\n").count, 5 + parts.count, help)
    }

    func testTheCommandLineSelectsParts() {
        let e = Experiment(lesson: 1, parts: parts, commandLine: ["--part", "generation", "--seed", "3", "--cell", "gru"], report: false)
        XCTAssertEqual(e.running, ["prediction", "generation"])
        XCTAssertEqual(e.seed, 3)
        XCTAssertEqual(e.arguments, ["--cell", "gru"], "the lesson's own options pass through")
        XCTAssertEqual(Experiment(lesson: 1, parts: parts, commandLine: ["--part", "signals,loops"], report: false).running,
                       ["signals", "prediction", "generation", "loops"])
    }

    func testAVerdictSkipsAnUnwrittenExerciseAndStopsOnAnError() {
        let e = Experiment(lesson: 5, parts: parts, commandLine: [], report: false)
        let skipped = e.verdict(on: TODO("5.5"), uses: ["5.1", "5.5"], what: "Model 4")
        XCTAssertEqual(skipped.outcome, .skipped("exercise 5.5 is not written yet"))
        XCTAssertEqual(skipped.message, "Skipped: exercise 5.5 is not written yet. Write it (hint: `swift run tutor hint 5.5`), then run this again.")
        let stopped = e.verdict(on: ExperimentError("shapes differ"), uses: ["5.1", "5.5"], what: "Model 4")
        XCTAssertEqual(stopped.outcome, .stopped("shapes differ"))
        XCTAssertEqual(stopped.message, "Stopped: shapes differ\nModel 4 uses exercises 5.1, 5.5: `swift run tutor check 5` says which one is wrong.")
    }

    func testTakeOptionsTakesWhatItKnowsAndLeavesTheRestInOrder() {
        var arguments = ["--seeds", "4", "--text", "a.txt", "--resume", "--models", "1,7", "--other"]
        var taken: [String] = []
        Experiment.takeOptions(&arguments) { option, value in
            switch option {
            case "--seeds", "--models": taken.append("\(option)=\(value())")
            case "--resume": taken.append(option)
            default: return false
            }
            return true
        }
        XCTAssertEqual(taken, ["--seeds=4", "--resume", "--models=1,7"])
        XCTAssertEqual(arguments, ["--text", "a.txt", "--other"], "what a part does not know stays, for the next part or the unknown-option error")
    }
}
