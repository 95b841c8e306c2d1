/* The chown calls busybox does not make, for ChownRecorderIT: built static with gcc and run
 * inside a container. chown-calls at DIR NAME UID GID | atnofollow DIR NAME UID GID |
 * fd PATH UID GID | empty PATH UID GID (an O_PATH|O_NOFOLLOW descriptor, AT_EMPTY_PATH) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: chown-calls at|atnofollow|fd|empty ...\n");
        return 2;
    }
    const char *op = argv[1];
    int rc;
    if (!strcmp(op, "at") || !strcmp(op, "atnofollow")) {
        int dir = open(argv[2], O_PATH | O_DIRECTORY);
        rc = fchownat(dir, argv[3], atoi(argv[4]), atoi(argv[5]),
                      !strcmp(op, "at") ? 0 : AT_SYMLINK_NOFOLLOW);
    } else if (!strcmp(op, "fd")) {
        int fd = open(argv[2], O_RDONLY);
        rc = fchown(fd, atoi(argv[3]), atoi(argv[4]));
    } else {
        int fd = open(argv[2], O_PATH | O_NOFOLLOW);
        rc = fchownat(fd, "", atoi(argv[3]), atoi(argv[4]), AT_EMPTY_PATH);
    }
    if (rc != 0) {
        perror(op);
        return 1;
    }
    return 0;
}
