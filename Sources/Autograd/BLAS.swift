import CBLAS

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
