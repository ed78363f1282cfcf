import CBLAS
import Foundation

/// The matrix-product library (OpenBLAS) behind every `matmul` and recurrent layer.
public enum BLAS {
    /// How many threads OpenBLAS may use for one product (by default, one per core).
    ///
    /// Setting it to 1 makes every product run on the thread that asks for it. Experiments
    /// do that and run independent trainings side by side instead: the products of
    /// lessons' models (32 rows × a few hundred columns) gain nothing from a second thread,
    /// a product split over threads that another program has slowed waits for the slowest,
    /// and one thread sums in one order, so a run's figures are the same however many
    /// trainings share the machine.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}

extension BLAS {
    /// The kernels OpenBLAS chose for this processor ("Haswell", "SkylakeX", "Zen", …).
    public static var kernels: String { String(cString: openblas_get_corename()) }

    /// The AVX-512 kernels OpenBLAS could use instead of the ones it chose, or nil.
    ///
    /// OpenBLAS 0.3.21 (Debian 12's) does not know some of AMD's Zen 4 machines, which have
    /// AVX-512, and gives them its AVX2 kernels ("Haswell" or "Zen"; others, reporting bf16 as
    /// well, get "Cooperlake"); `OPENBLAS_CORETYPE=SkylakeX`, set before the
    /// program starts, selects its AVX-512 ones. `flags` are the processor's (the `flags` line
    /// of /proc/cpuinfo).
    public static func fasterKernels(than chosen: String, flags: Set<String>) -> String? {
        let avx512: Set<String> = ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]
        guard ["haswell", "zen"].contains(chosen.lowercased()), avx512.isSubset(of: flags) else { return nil }
        return "SkylakeX"
    }

    /// "OpenBLAS Haswell kernels, 2 cores": the machine a run's times were measured on.
    public static var machine: String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return "OpenBLAS \(kernels) kernels, \(cores) core\(cores == 1 ? "" : "s")"
    }

    /// The processor's feature flags, from /proc/cpuinfo (empty where there is none).
    public static var processorFlags: Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
