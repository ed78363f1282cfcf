#ifndef UNROLLED_CISOLATION_H
#define UNROLLED_CISOLATION_H

/// Makes this process the "subreaper" of its descendants (Linux): a process that a
/// grader's child leaves behind, even one that started its own session, becomes our
/// child when its parent exits, so that it can be found and stopped. Returns 0 on
/// success, -1 where the system has no such thing.
int unrolled_become_subreaper(void);

/// Asks the kernel to kill this process when its parent dies (Linux): a grader's child
/// does not outlive a `swift test` stopped with Ctrl-C. Returns 0 on success, -1 elsewhere.
int unrolled_die_with_parent(void);

#endif
