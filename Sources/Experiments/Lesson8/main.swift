import Autograd
import ExperimentKit
import Lesson8

// `swift run tutor run 8`: a transformer that reverses sequences (being written).
print("Lesson 8's experiment is being written.")
