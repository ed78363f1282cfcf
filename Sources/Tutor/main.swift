import TutorKit

TutorCommand.main()
