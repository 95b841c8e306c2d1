package dev.kiln.runtime.linux;

/** Symbolic names of Linux errno values, for messages ("EPERM", not "1"). */
public final class Errno {
    private static final String[] NAMES = {
        "0", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF",
        "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV",
        "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG",
        "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG",
        "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
    };

    private Errno() {}

    public static String name(int errno) {
        if (errno >= 0 && errno < NAMES.length) {
            return NAMES[errno];
        }
        return switch (errno) {
            case 95 -> "EOPNOTSUPP";
            case 28 -> "ENOSPC";
            default -> "errno " + errno;
        };
    }

    /** Name and the C library's text: {@code "EPERM (Operation not permitted)"}. */
    public static String describe(int errno) {
        LibC.load();
        String text = com.sun.jna.Function.getFunction("libc.so.6", "strerror")
                .invokeString(new Object[] {errno}, false);
        return text == null ? name(errno) : name(errno) + " (" + text + ")";
    }
}
