/* SPDX-License-Identifier: MIT */
/* headroomctl: the control CLI. This version knows only --version and --help; the socket verbs
 * (status, list, unfreeze, ...) arrive with the control socket. */
#include <stdio.h>
#include <string.h>

static void help(void) {
        printf("Usage: headroomctl [--version | --help]\n"
               "Control CLI for headroomd. The control socket and its commands are not built yet.\n"
               "Start, stop and follow the daemon with systemctl and journalctl.\n");
}

int main(int argc, char **argv) {
        if (argc == 2 && strcmp(argv[1], "--version") == 0) {
                printf("headroomctl %s\n", HR_VERSION);
                return 0;
        }
        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                help();
                return 0;
        }
        fprintf(stderr, "headroomctl: %s: unknown command (this version has only --version and --help)\n",
                argc > 1 ? argv[1] : "(none)");
        return 2;
}
