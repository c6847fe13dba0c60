/* milestones: run a command, watch its stdout, and report the monotonic time (seconds
   since just before the fork) at which each pattern first appears; then kill it.

     milestones [-t SECS] [-o LOG] [-e ERRLOG] [-w] [-p PATTERN]... -- CMD [ARG]...

   -p PATTERN   a plain substring; "A|B" matches either alternative. Repeatable.
   -w           after the patterns, wait for the command to exit instead of killing it.
   -t SECS      give up (kill) after SECS seconds (default 900).
   -o LOG       copy of the command's stdout; -e ERRLOG receives its stderr (default: ours).

   The command's stdin is a pipe we keep open and never write, so an interactive guest
   (the Debian installer) waits for input instead of seeing EOF. Output, on stdout:
     match N SECONDS          once per pattern reached (N counts from 1, in -p order)
     end SECONDS exited|killed|timeout STATUS
     maxrss_kb KB             the command's peak RSS, from wait4's rusage (ru_maxrss)  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PATTERNS 16
#define MAX_ALTS 4

struct pattern {
    const char *alt[MAX_ALTS];
    size_t len[MAX_ALTS];
    int nalt;
    int found;
};

static volatile pid_t child;

/* Interrupted (Ctrl-C, a timeout around us): take the emulator down too. */
static void on_signal(int sig)
{
    if (child > 0) kill(child, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static double now_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void usage(void)
{
    fprintf(stderr, "usage: milestones [-t SECS] [-o LOG] [-e ERRLOG] [-w] [-p PATTERN]... -- CMD [ARG]...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct pattern pats[MAX_PATTERNS];
    int npat = 0, wait_exit = 0;
    double limit = 900;
    const char *log_path = NULL, *err_path = NULL;
    size_t maxlen = 1;
    int opt;

    while ((opt = getopt(argc, argv, "+t:o:e:wp:")) != -1) {
        switch (opt) {
        case 't': limit = atof(optarg); break;
        case 'o': log_path = optarg; break;
        case 'e': err_path = optarg; break;
        case 'w': wait_exit = 1; break;
        case 'p': {
            if (npat == MAX_PATTERNS) usage();
            struct pattern *p = &pats[npat++];
            char *s = strdup(optarg), *save = NULL;
            p->nalt = 0;
            p->found = 0;
            for (char *a = strtok_r(s, "|", &save); a && p->nalt < MAX_ALTS; a = strtok_r(NULL, "|", &save)) {
                p->alt[p->nalt] = a;
                p->len[p->nalt] = strlen(a);
                if (p->len[p->nalt] > maxlen) maxlen = p->len[p->nalt];
                p->nalt++;
            }
            if (p->nalt == 0) usage();
            break;
        }
        default: usage();
        }
    }
    if (optind >= argc) usage();
    char **cmd = &argv[optind];

    FILE *log = NULL;
    if (log_path && !(log = fopen(log_path, "w"))) { perror(log_path); return 2; }
    int errfd = -1;
    if (err_path && (errfd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) { perror(err_path); return 2; }

    int in[2], out[2];
    if (pipe(in) || pipe(out)) { perror("pipe"); return 2; }
    signal(SIGPIPE, SIG_IGN);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid > 0) {
        child = pid;
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        if (errfd >= 0) dup2(errfd, 2);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        if (errfd >= 0) close(errfd);
        execvp(cmd[0], cmd);
        fprintf(stderr, "milestones: %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (errfd >= 0) close(errfd);

    /* Search each new chunk together with the last maxlen-1 bytes of the previous ones, so a
       pattern split across two reads is still found (and found only once). */
    size_t carry = maxlen - 1, have = 0;
    char *buf = malloc(carry + 65536);
    int remaining = npat, eof = 0, timed_out = 0;
    while (!eof) {
        if (remaining == 0 && !wait_exit) break;
        double left = limit - now_since(&t0);
        if (left <= 0) { timed_out = 1; break; }
        struct pollfd pfd = { .fd = out[0], .events = POLLIN };
        int r = poll(&pfd, 1, left > 1 ? 1000 : (int)(left * 1000) + 1);
        if (r < 0 && errno != EINTR) { perror("poll"); break; }
        if (r <= 0) continue;
        ssize_t n = read(out[0], buf + have, 65536);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { eof = 1; break; }
        double t = now_since(&t0);
        if (log) fwrite(buf + have, 1, (size_t)n, log);
        size_t total = have + (size_t)n;
        for (int i = 0; i < npat; i++) {
            if (pats[i].found) continue;
            for (int a = 0; a < pats[i].nalt; a++) {
                if (memmem(buf, total, pats[i].alt[a], pats[i].len[a])) {
                    pats[i].found = 1;
                    remaining--;
                    printf("match %d %.6f\n", i + 1, t);
                    fflush(stdout);
                    break;
                }
            }
        }
        have = total < carry ? total : carry;
        memmove(buf, buf + total - have, have);
    }

    const char *how = "exited";
    if (!eof) {
        how = timed_out ? "timeout" : "killed";
        kill(pid, SIGKILL);
    }
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {}
    double end = now_since(&t0);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (strcmp(how, "exited") == 0 && WIFSIGNALED(status)) how = "signalled";
    printf("end %.6f %s %d\n", end, how, code);
    printf("maxrss_kb %ld\n", ru.ru_maxrss);
    if (log) fclose(log);
    close(in[1]);
    return 0;
}
