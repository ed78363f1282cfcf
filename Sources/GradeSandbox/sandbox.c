// grade-sandbox: runs one exercise's grader child for `tutor grade` (instructor only).
//
//   grade-sandbox STATUS SECONDS BYTES FOLDER -- COMMAND [ARG...]
//   grade-sandbox --probe          prints the Landlock ABI this kernel offers (0: none)
//
// The child runs COMMAND in FOLDER (its working directory, HOME and TMPDIR), with its
// address space limited to BYTES and, where the kernel has Landlock (Linux >= 5.13), no
// right to write anywhere but FOLDER. This process waits for it at most SECONDS, then kills
// it; as the "subreaper" of every process the child starts, it finds and kills what the
// child left behind, however it escaped. STATUS, written by this process only (outside
// FOLDER, so the child cannot forge it), says how the child ended:
//   exited N | signalled N | timedout     first line
//   landlock N                            the ABI that restricted the child (0: none)
//   leftover COMMAND-LINE                 one line per process left running, now killed
// This program's own exit status is 0 when STATUS was written.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<linux/landlock.h>)
#include <linux/landlock.h>
#endif

// The Landlock interface, for headers older than the kernel (values from the kernel's uapi).
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
struct landlock_ruleset_attr { uint64_t handled_access_fs; };
struct landlock_path_beneath_attr { uint64_t allowed_access; int32_t parent_fd; } __attribute__((packed));
#define LANDLOCK_RULE_PATH_BENEATH 1
#endif
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

// Every right that writes (ABI 1), then what later ABIs added: REFER (2), TRUNCATE (3).
#define WRITE_RIGHTS_V1 ((1ULL << 1) | (1ULL << 4) | (1ULL << 5) | (1ULL << 6) | (1ULL << 7) | (1ULL << 8) | \
                         (1ULL << 9) | (1ULL << 10) | (1ULL << 11) | (1ULL << 12))
#define RIGHT_REFER (1ULL << 13)
#define RIGHT_TRUNCATE (1ULL << 14)

static int landlock_abi(void) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

/// Allows writing beneath `folder` (and to /dev/null) only. Returns the ABI used, or 0.
static int restrict_writes(const char *folder) {
    int abi = landlock_abi();
    if (abi <= 0) return 0;
    uint64_t rights = WRITE_RIGHTS_V1 | (abi >= 2 ? RIGHT_REFER : 0) | (abi >= 3 ? RIGHT_TRUNCATE : 0);
    struct landlock_ruleset_attr attr = { .handled_access_fs = rights };
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0) return 0;
    const char *allowed[] = { folder, "/dev/null" };
    for (int i = 0; i < 2; i++) {
        int fd = open(allowed[i], O_PATH | O_CLOEXEC);
        if (fd < 0) continue;
        // A file (not a directory) takes only the rights that apply to files.
        uint64_t file_rights = (1ULL << 1) | (abi >= 3 ? RIGHT_TRUNCATE : 0);
        struct landlock_path_beneath_attr rule = { .allowed_access = i == 0 ? rights : file_rights, .parent_fd = fd };
        syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
        close(fd);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
        close(ruleset);
        return 0;
    }
    close(ruleset);
    return abi;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/// This process's children (from /proc), up to `max`; zombies are reaped, not listed.
static int children(pid_t *out, int max) {
    int n = 0;
    DIR *proc = opendir("/proc");
    if (!proc) return 0;
    struct dirent *d;
    char path[64], buf[512];
    while ((d = readdir(proc)) && n < max) {
        pid_t pid = (pid_t)atoi(d->d_name);
        if (pid <= 0) continue;
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        ssize_t len = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (len <= 0) continue;
        buf[len] = 0;
        char *close_paren = strrchr(buf, ')');  // "pid (comm) S ppid ..."
        if (!close_paren) continue;
        char state = 0;
        int ppid = 0;
        if (sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2 || ppid != getpid()) continue;
        if (state == 'Z') { waitpid(pid, NULL, WNOHANG); continue; }
        out[n++] = pid;
    }
    closedir(proc);
    return n;
}

static void command_line(pid_t pid, char *out, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    int fd = open(path, O_RDONLY);
    ssize_t len = fd < 0 ? 0 : read(fd, out, size - 1);
    if (fd >= 0) close(fd);
    if (len < 0) len = 0;
    for (ssize_t i = 0; i < len; i++) if (out[i] == 0 || out[i] == '\n') out[i] = ' ';
    out[len] = 0;
    if (len == 0) snprintf(out, size, "pid %d", pid);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--probe") == 0) {
        printf("%d\n", landlock_abi());
        return 0;
    }
    if (argc < 7 || strcmp(argv[5], "--") != 0) {
        fprintf(stderr, "usage: grade-sandbox STATUS SECONDS BYTES FOLDER -- COMMAND [ARG...]\n");
        return 2;
    }
    const char *status_path = argv[1], *folder = argv[4];
    double seconds = atof(argv[2]);
    unsigned long long bytes = strtoull(argv[3], NULL, 10);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

    int pipefd[2];  // the child's Landlock ABI, told before it execs
    if (pipe2(pipefd, O_CLOEXEC) != 0) return 3;
    double start = now();
    pid_t child = fork();
    if (child < 0) return 3;
    if (child == 0) {
        close(pipefd[0]);
        if (chdir(folder) != 0) _exit(126);
        setenv("HOME", folder, 1);
        setenv("TMPDIR", folder, 1);
        struct rlimit limit = { bytes, bytes };
        if (bytes > 0) setrlimit(RLIMIT_AS, &limit);
        struct rlimit nocore = { 0, 0 };
        setrlimit(RLIMIT_CORE, &nocore);
        int abi = restrict_writes(folder);
        if (write(pipefd[1], &abi, sizeof abi) != sizeof abi) _exit(126);
        execvp(argv[6], argv + 6);
        _exit(127);
    }
    close(pipefd[1]);
    int abi = 0;
    if (read(pipefd[0], &abi, sizeof abi) != sizeof abi) abi = 0;
    close(pipefd[0]);

    int status = 0, timed_out = 0;
    for (;;) {
        pid_t r = waitpid(child, &status, WNOHANG);
        if (r == child) break;
        if (r < 0 && errno != EINTR) break;
        if (now() - start >= seconds) {
            timed_out = 1;
            kill(child, SIGKILL);
            while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
            break;
        }
        usleep(5000);
    }

    FILE *out = fopen(status_path, "w");
    if (!out) return 4;
    if (timed_out) fprintf(out, "timedout\n");
    else if (WIFSIGNALED(status)) fprintf(out, "signalled %d\n", WTERMSIG(status));
    else fprintf(out, "exited %d\n", WEXITSTATUS(status));
    fprintf(out, "landlock %d\n", abi);
    // What the child left behind is ours now (the subreaper's): name it, kill it, until none is left.
    pid_t left[256], named[256];
    int named_count = 0;
    char line[200];
    for (int round = 0; round < 100; round++) {
        int n = children(left, 256);
        if (n == 0) break;
        for (int i = 0; i < n; i++) {
            int seen = 0;  // a process killed but not gone yet is named once
            for (int j = 0; j < named_count; j++) seen |= named[j] == left[i];
            if (!seen && named_count < 256) {
                named[named_count++] = left[i];
                command_line(left[i], line, sizeof line);
                fprintf(out, "leftover %s\n", line);
            }
            kill(left[i], SIGKILL);
        }
        for (int i = 0; i < n; i++) while (waitpid(left[i], NULL, 0) < 0 && errno == EINTR) {}
    }
    fclose(out);
    return 0;
}
