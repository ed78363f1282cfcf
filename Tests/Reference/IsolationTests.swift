import Autograd
import Foundation
import Grading
import XCTest

/// Grading that wrong work cannot pass: non-finite values, the report channel, a child that
/// stops before it reports, processes left behind, temporary files, the fixtures.
final class IsolationTests: XCTestCase {
    // MARK: - A NaN never passes

    /// A rule that only looks for values that are too large lets a NaN through; the
    /// grader must not.
    func testANaNFailsARuleThatOnlyComparesWithGreaterThan() {
        let exercise = Exercise<() -> Float>(
            id: "9.1", title: "a number", symbol: "f()", file: "F.swift", reference: { 0.5 },
            mistakes: [], criterion: .rule { got, _ in (got["x"]?.values.first ?? 0) > 1 ? "too large" : nil }
        ) { f in
            var o = Outcome()
            o.record("x", f())
            return o
        }
        XCTAssertEqual(exercise.grade { 0.7 }.status, .passed)
        XCTAssertEqual(exercise.grade { 2 }.status, .failed)
        for bad: Float in [.nan, .infinity, -.infinity] {
            let v = exercise.grade { bad }
            XCTAssertEqual(v.status, .failed, "\(bad) passed")
            XCTAssertTrue(v.summary.contains("never right here"), v.summary)
        }
    }

    /// Exercise 1.1 (a rule over fitted amplitudes) passed a tensor of NaN.
    func testLesson1SinusoidsOfNaNFail() {
        let exercise = Lesson1Graders.sinusoids
        let v = exercise.grade { count, f, w, steps, dt, noise, rng in
            let t = try exercise.reference(count, f, w, steps, dt, noise, &rng)
            return try Tensor([Float](repeating: .nan, count: t.count), shape: t.shape)
        }
        XCTAssertEqual(v.status, .failed)
        XCTAssertTrue(v.summary.contains("NaN"), v.summary)
    }

    // MARK: - The report channel

    func testAReportCountsOnlyWithItsNonceAndExercise() throws {
        var o = Outcome()
        o.record("output", [1, .nan, -.infinity, 0.1])
        let text = Isolation.encode(.outcome(o), exercise: "0.1", nonce: "n1")
        guard case .outcome(let back)? = Isolation.decode(text, exercise: "0.1", nonce: "n1") else { return XCTFail("not read back: \(text)") }
        XCTAssertTrue(back.isIdentical(to: o), "every Float bit, NaN and infinities included")
        XCTAssertNil(Isolation.decode(text, exercise: "0.1", nonce: "forged"), "a report without the nonce is no report")
        XCTAssertNil(Isolation.decode(text, exercise: "0.2", nonce: "n1"), "a report for another exercise is no report")
        XCTAssertNil(Isolation.decode("Test Case 'Lesson0Tests.test_0_1_sigmoid' passed (0.001 seconds)", exercise: "0.1", nonce: "n1"))
        XCTAssertNil(Isolation.decode(String(text.dropLast(20)), exercise: "0.1", nonce: "n1"), "a cut-off report")
        guard case .notAttempted("0.3")? = Isolation.decode(Isolation.encode(.notAttempted(exercise: "0.3"), exercise: "0.1", nonce: "n"), exercise: "0.1", nonce: "n") else {
            return XCTFail("TODO not read back")
        }
    }

    // MARK: - A child that gives no report

    static let sigmoid = Course.exercise("0.1")!

    func report(_ termination: Subprocess.Termination, output: String = "", leftovers: [String] = [], changed: [String] = [],
                written: ProbeReport? = nil) -> Verdict {
        let r = Isolation.report(Subprocess.Result(termination: termination, output: output, seconds: 0.1, leftovers: leftovers),
                                 written: written, exercise: Self.sigmoid, changed: changed)
        return Self.sigmoid.verdictOnRecorded(r, Outcome(), [:])
    }

    func testExitBeforeTheReportIsAFailureThatSaysSo() {
        for code: Int32 in [0, 3] {
            let v = report(.exited(code), output: "Test Case 'Lesson0Tests.test_0_1_sigmoid' passed (0.001 seconds)\n")
            XCTAssertEqual(v.status, .failed)
            XCTAssertTrue(v.summary.contains("ended the process (exit status \(code))"), v.summary)
            XCTAssertTrue(v.next.contains("never calls exit()"), v.next)
        }
    }

    func testACrashIsOneLineWithTheTrappingLine() {
        let crash = """
            Test Case 'Lesson0Tests.test_0_1_sigmoid' started at 2026-11-25 21:41:05.917
            Lesson0/Sigmoid.swift:24: Fatal error: Index out of range

            💣 Program crashed: Illegal instruction at 0x00007fb9caaf9361

            Thread 0 "UnrolledPackage" crashed:

              0               0x00007fb9caaf9361 _assertionFailure(_:_:file:line:flags:) + 225 in libswiftCore.so
              1 [ra]          0x0000562cb4492aee sigmoid(_:) + 109 in UnrolledPackageTests.xctest at /work/main/Lessons/Lesson0/Sigmoid.swift:24:5
              2 [ra]          0x0000562cb4478abb closure #1 in Lesson0Graders.sigmoid + 122 in UnrolledPackageTests.xctest at /work/main/Sources/Grading/Lesson0.swift:36:35

            Registers:

            rax 0x0000000000000000  0
            rdx 0x00007ffd5f8a3b40  error: Fatal
            """
        let v = report(.signalled(SIGILL), output: crash)
        XCTAssertEqual(v.stopped, .crashed)
        XCTAssertEqual(v.summary, "crashed: Fatal error: Index out of range, in sigmoid(_:) at Lessons/Lesson0/Sigmoid.swift:24:5")
        XCTAssertFalse(v.description.contains("rax"), "no register dump: \(v)")
        XCTAssertEqual(Isolation.studentOutput(crash), "", "the runtime's report is not the student's output")
        let bare = report(.signalled(SIGSEGV))
        XCTAssertTrue(bare.summary.hasPrefix("crashed: signal \(SIGSEGV), a memory fault"), bare.summary)
    }

    func testHangsLeftoversTamperingAndAMissingTest() {
        let hung = report(.timedOut(20))
        XCTAssertEqual(hung.stopped, .timedOut)
        XCTAssertTrue(hung.summary.hasPrefix("no result within 20 s"), hung.summary)
        // Even a report that would pass counts for nothing next to a process left running or a changed grading file.
        let left = report(.exited(0), leftovers: ["sleep 1000"], written: .outcome(Outcome()))
        XCTAssertEqual(left.stopped, .leftover)
        XCTAssertTrue(left.summary.contains("left a process running (`sleep 1000`)"), left.summary)
        let tampered = report(.exited(0), leftovers: ["sleep 1000"], changed: ["Tests/Exercises/Lesson0Tests.swift"], written: .outcome(Outcome()))
        XCTAssertEqual(tampered.stopped, .tampered)
        XCTAssertTrue(tampered.summary.contains("changed Tests/Exercises/Lesson0Tests.swift while it was graded"), tampered.summary)
        XCTAssertTrue(tampered.next.contains("git checkout -- Tests/Exercises/Lesson0Tests.swift"), tampered.next)
        let missing = report(.exited(0), output: "Test Suite 'Selected tests' started\n\t Executed 0 tests, with 0 failures")
        XCTAssertTrue(missing.summary.contains("a bug in the course, not in your code"), missing.summary)
    }

    // MARK: - Processes left behind (Linux)

    /// Processes that left the process group, started their own session, or were
    /// orphaned twice over are all found, reported and killed.
    func testProcessesLeftBehindAreFoundAndKilled() throws {
        #if os(Linux)
        let script = "sleep 1001 & setsid sleep 1002 & (setsid sh -c 'sleep 1003 & exit 0' &) ; sleep 0.3; exit 0"
        let r = try Subprocess.run(["/bin/sh", "-c", script], timeout: 20)
        XCTAssertEqual(r.termination, .exited(0))
        for n in 1001...1003 { XCTAssertTrue(r.leftovers.contains { $0.contains("sleep \(n)") }, "sleep \(n) not found: \(r.leftovers)") }
        let alive = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { pid -> String? in
            guard Int(pid) != nil, let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let command = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return command.contains("sleep 100") ? command : nil
        }
        XCTAssertEqual(alive, [], "still running after the grader")
        XCTAssertEqual(try Subprocess.run(["/bin/sh", "-c", "sleep 0.1 & wait"], timeout: 20).leftovers, [], "a child that waited leaves nothing")
        #else
        throw XCTSkip("finding orphans needs Linux's subreaper")
        #endif
    }

    func testTemporaryFilesAreRemoved() throws {
        let mine = { (try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())).filter { $0.hasPrefix("tutor-\(getpid())-") } }
        let before = try mine()
        _ = try Subprocess.run(["/bin/sh", "-c", "echo hi"], timeout: 10)
        XCTAssertEqual(try mine(), before)
        let url = TemporaryFiles.make("log")
        FileManager.default.createFile(atPath: url.path, contents: Data("x".utf8))
        TemporaryFiles.removeAllForTesting()
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "what Ctrl-C removes")
    }

    // MARK: - Fixtures and digests

    func testFixtureTextReadsBackBitForBit() throws {
        var o = Outcome()
        o.record("output \"quoted\" ∂x\n", try Tensor([[1e-30, -0.1], [3.4e38, .nan]]))
        o.record("scalar", Float(7))
        let text = LessonFixtures.text(lesson: 9, exercises: [(id: "9.1", outcomes: [("reference", o), ("a-mistake", Outcome())])])
        let back = try LessonFixtures.parse(Data(text.utf8), lesson: 9, path: "F.json")
        XCTAssertTrue(back.exercise("9.1")?.reference.isIdentical(to: o) == true, text)
        XCTAssertEqual(back.exercise("9.1")?.mistakes.keys.sorted(), ["a-mistake"])
        XCTAssertThrowsError(try LessonFixtures.parse(Data(text.utf8), lesson: 8, path: "F.json")) { e in
            XCTAssertTrue("\(e)".contains("expected format 1, lesson 8"), "\(e)")
        }
        XCTAssertThrowsError(try LessonFixtures.parse(Data(text.dropLast(30).utf8), lesson: 9, path: "F.json")) { e in
            XCTAssertTrue("\(e)".hasPrefix("F.json is not a readable fixture file"), "\(e)")
        }
    }

    func testSHA256MatchesKnownDigests() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array(String(repeating: "a", count: 1000).utf8)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// A changed, missing or added grading file is found; stamps see a change made while code ran.
    func testChangedGradingFilesAreFound() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("grading-files-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let write = { (path: String, text: String) in
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write("Package.swift", "// p\n")
        try write("Sources/Grading/A.swift", "let a = 1\n")
        try write("Tests/Exercises/T.swift", "let t = 1\n")
        try write("Lessons/Lesson0/S.swift", "student code is not guarded\n")
        try write(GradingFiles.manifestPath, GradingFiles.manifest(root: root))
        XCTAssertEqual(try GradingFiles.changes(root: root), [])
        let before = GradingFiles.stamps(root: root)
        try write("Lessons/Lesson0/S.swift", "changed freely\n")
        XCTAssertEqual(try GradingFiles.changes(root: root), [])
        try write("Tests/Exercises/T.swift", "let t = 2\n")
        try write("Sources/Grading/New.swift", "\n")
        try FileManager.default.removeItem(at: root.appendingPathComponent("Sources/Grading/A.swift"))
        XCTAssertEqual(try GradingFiles.changes(root: root), [
            "Sources/Grading/New.swift (not part of the course)", "Tests/Exercises/T.swift", "Sources/Grading/A.swift (missing)",
        ])
        XCTAssertEqual(GradingFiles.differences(before, GradingFiles.stamps(root: root)),
                       ["Sources/Grading/A.swift", "Sources/Grading/New.swift", "Tests/Exercises/T.swift"])
    }

    // MARK: - A grading child runs the fixtures' kernels

    /// OpenBLAS's own choice on an AVX-512 processor (Cooperlake on Zen 4) drifts a training
    /// run from the recorded one and loses the known mistakes' diagnoses: a grading child is
    /// pinned to the kernels the fixtures were made with, where the processor has them.
    func testAGradingChildIsPinnedToTheFixturesKernelsWhereTheProcessorRunsThem() {
        let zen4: Set<String> = ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx512_bf16"]
        XCTAssertEqual(Isolation.kernelPin(environment: [:], processorFlags: zen4, machine: "x86_64"), ["OPENBLAS_CORETYPE": "Haswell"])
        XCTAssertEqual(Isolation.kernelPin(environment: ["PATH": "/usr/bin"], processorFlags: ["avx2", "fma"], machine: "x86_64"), ["OPENBLAS_CORETYPE": "Haswell"])
        // Someone chose the kernels: left alone.
        XCTAssertEqual(Isolation.kernelPin(environment: ["OPENBLAS_CORETYPE": "SkylakeX"], processorFlags: zen4, machine: "x86_64"), [:])
        // A processor without AVX2 and FMA would trap in the Haswell kernels; other machines have other kernels.
        XCTAssertEqual(Isolation.kernelPin(environment: [:], processorFlags: ["sse4_2", "avx"], machine: "x86_64"), [:])
        XCTAssertEqual(Isolation.kernelPin(environment: [:], processorFlags: ["avx2"], machine: "x86_64"), [:])
        XCTAssertEqual(Isolation.kernelPin(environment: [:], processorFlags: [], machine: "other"), [:])
    }
}
