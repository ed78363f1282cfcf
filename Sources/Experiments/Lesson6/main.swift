// Lesson 6's experiment: being written (issue 12).
import ExperimentKit
import Lesson6
print("lesson 6's experiment is not written yet")
