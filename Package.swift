// swift-tools-version: 6.0
// Unrolled: a graded course on sequence models, on its own autograd core.
import PackageDescription
import Foundation

/// The lessons that exist. Each N has a module `LessonN` (Lessons/LessonN: what the
/// student edits), its reference `SolutionN` (Sources/Solutions/LessonN) and an
/// experiment `ExperimentN` (Sources/Experiments/LessonN) that `tutor run N` starts, and a
/// scratch pad `PlayN` (Play/LessonN/main.swift) that `tutor play N` runs.
let lessons = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]

/// Whether this is a student edition, written by `swift run tutor release` (which sets this to
/// true and `lessons` to the released ones): no reference solutions, no benchmark, no tests of
/// the reference. Its graders import the student's `LessonN` where the course's import
/// `SolutionN`, are compiled with `EDITION`, and compare with the recorded fixtures alone.
let edition = false

/// The core is compiled with optimization even in debug builds: `swift test`
/// builds debug, and a student waits on every grader.
///
/// `-fno-math-errno`: nothing here reads C's `errno`; with it a square root is one vector
/// instruction instead of a libm call per lane that might set `errno` (Adam's update took
/// three times as long).
///
/// On an x86-64 Linux machine whose processor has AVX2 and FMA (Intel since 2013, AMD
/// since 2015), the core is also compiled for that processor: the eight-lane kernels
/// (gates, softmax, Adam) use one 256-bit register per eight floats instead of two 128-bit
/// ones, and the exp polynomial fused multiply-adds (`FUSED_MULTIPLY_ADD`, Lanes.swift);
/// the LSTM's gate loops take about half the time. Elsewhere, the portable baseline. The
/// choice is made on the machine that builds the package, which is the one that runs it.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O", "-Xcc", "-fno-math-errno"] + (hostHasAVX2 ? ["-target-cpu", "haswell", "-DFUSED_MULTIPLY_ADD"] : []))]

/// Whether this machine's processor has AVX2 and FMA (read from /proc/cpuinfo).
var hostHasAVX2: Bool {
    #if os(Linux) && arch(x86_64)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return false }
    let set = Set(flags.split(separator: " "))
    return set.contains("avx2") && set.contains("fma")
    #else
    return false
    #endif
}

let lessonTargets: [Target] = lessons.flatMap { n -> [Target] in
    [
        .target(name: "Lesson\(n)", dependencies: ["Autograd"], path: "Lessons/Lesson\(n)",
                exclude: ["README.md", "lesson.json"]),
    ] + (edition ? [] : [
        .target(name: "Solution\(n)", dependencies: ["Autograd"], path: "Sources/Solutions/Lesson\(n)"),
    ]) + [
        .executableTarget(name: "Experiment\(n)", dependencies: [.target(name: "Lesson\(n)"), "Autograd", "Plots", "ExperimentKit"],
                          path: "Sources/Experiments/Lesson\(n)"),
        // `tutor play N`: the student's scratch pad, Play/LessonN/main.swift.
        .executableTarget(name: "Play\(n)", dependencies: [.target(name: "Lesson\(n)"), "Autograd"], path: "Play/Lesson\(n)"),
    ]
}

// BEGIN COURSE ONLY
// Packages only the course's instructor tools use. `tutor release` writes each list below as
// `[]` and drops the rest of this part: a student edition never names, fetches or builds them.
let instructorPackages: [Package.Dependency] = [
    // `tutor grade`'s gradebook: SQLite (Debian's libsqlite3-dev), through GRDB.
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
]
let instructorProducts: [Target.Dependency] = [.product(name: "GRDB", package: "GRDB.swift")]
// END COURSE ONLY

let package = Package(
    name: "Unrolled",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .executable(name: "tutor", targets: ["Tutor"]),
    ] + (edition ? [] : [.executable(name: "autograd-bench", targets: ["AutogradBench"])]),
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ] + instructorPackages,
    targets: lessonTargets + [
        // OpenBLAS through its C interface (apt: libopenblas-dev).
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // The tensor + reverse-mode autodiff core every lesson is built on.
        .target(name: "Autograd", dependencies: ["CBLAS"], swiftSettings: optimized),
        // Graders: fixed probes, reference comparisons, known mistakes, verdicts; grading in
        // a child process against recorded fixtures (Sources/Grading/Fixtures).
        .target(name: "Grading", dependencies: ["Autograd", "CIsolation"] + lessons.map { .target(name: "\(edition ? "Lesson" : "Solution")\($0)") },
                exclude: ["Fixtures"], swiftSettings: edition ? [.define("EDITION")] : []),
        // Two Linux calls Swift cannot make (prctl is variadic): adopting orphans, dying with the parent.
        .target(name: "CIsolation"),
        // The tutor's logic (a library the tests can call) and its thin executable.
        .target(name: "TutorKit", dependencies: [
            "Grading", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The `tutor` program: the course's adds the instructor's commands (Sources/Instructor).
        .executableTarget(name: "Tutor", dependencies: ["TutorKit"] + (edition ? [] : ["Instructor"]),
                          swiftSettings: edition ? [] : [.define("INSTRUCTOR")]),
        // Pictures for `tutor run`: line plots, heatmaps, bars and tables, in the terminal and as SVG.
        .target(name: "Plots"),
        // What every experiment shares: arguments, "not written yet" handling, saving plots.
        .target(name: "ExperimentKit", dependencies: ["Autograd", "Plots"], path: "Sources/Experiments/Kit"),
        // The graders a student runs: `swift test --filter Lesson3`.
        .testTarget(name: "Exercises", dependencies: ["Grading", "Autograd"] + lessons.map { .target(name: "Lesson\($0)") }),
    ] + (edition ? [] : [
        // The instructor's commands (`tutor grade`): never part of a student edition.
        .target(name: "Instructor", dependencies: ["TutorKit", "Grading", .product(name: "ArgumentParser", package: "swift-argument-parser")] + instructorProducts),
        // `tutor grade`'s jailer of one exercise: time and memory limits, writes confined to a folder (Landlock).
        .executableTarget(name: "GradeSandbox"),
        // `swift run -c release autograd-bench`: matmul and LSTM training-step timings.
        .executableTarget(name: "AutogradBench", dependencies: ["Autograd", "CBLAS", "ExperimentKit", "Solution1", "Solution2", "Solution3", "Solution4", "Solution5"]),
        // Tests of the core, and of the graders against the reference solutions.
        .testTarget(name: "Reference", dependencies: ["Autograd", "Grading", "TutorKit", "Instructor", "Plots", "ExperimentKit"]),
    ]),
    swiftLanguageModes: [.v5]
)
