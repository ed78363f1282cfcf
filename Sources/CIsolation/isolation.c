#include "CIsolation.h"

#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
int unrolled_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
int unrolled_die_with_parent(void) { return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); }
#else
int unrolled_die_with_parent(void) { return -1; }
int unrolled_become_subreaper(void) { return -1; }
#endif
