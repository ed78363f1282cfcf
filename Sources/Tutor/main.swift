#if INSTRUCTOR
import Instructor
import TutorKit

// The course's tutor: the student's commands and the instructor's (`tutor grade`).
TutorCommand.main(root: InstructorTutorCommand.self)
#else
import TutorKit

TutorCommand.main()
#endif
