// swift-tools-version: 6.0
// Unrolled: a graded course on sequence models, on its own autograd core.
import PackageDescription

/// The core is compiled with optimization even in debug builds: `swift test`
/// builds debug, and a student waits on every grader.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "Unrolled",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .executable(name: "autograd-bench", targets: ["AutogradBench"]),
    ],
    targets: [
        // OpenBLAS through its C interface (apt: libopenblas-dev).
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // The tensor + reverse-mode autodiff core every lesson is built on.
        .target(name: "Autograd", dependencies: ["CBLAS"], swiftSettings: optimized),
        // `swift run -c release autograd-bench`: matmul and LSTM training-step timings.
        .executableTarget(name: "AutogradBench", dependencies: ["Autograd", "CBLAS"]),
        // Tests of the core, and of the graders against the reference solutions.
        .testTarget(name: "Reference", dependencies: ["Autograd"]),
    ],
    swiftLanguageModes: [.v5]
)
