package dev.kiln.runtime.linux;

import java.util.Map;

/**
 * The numbers of the system calls kiln's seccomp filter names, per ABI, from the kernel's
 * {@code unistd_64.h}, {@code unistd_32.h} and {@code asm-generic/unistd.h} (aarch64);
 * SyscallNumbersTest checks them against the headers where those are installed.
 */
final class SyscallNumbers {
    private SyscallNumbers() {}

    /** The calls numbered alike on every ABI (added since Linux 5.1). */
    private static final Map<String, Integer> UNIFIED = Map.ofEntries(
            Map.entry("io_uring_setup", 425), Map.entry("io_uring_enter", 426),
            Map.entry("io_uring_register", 427), Map.entry("open_tree", 428),
            Map.entry("move_mount", 429), Map.entry("fsopen", 430), Map.entry("fsconfig", 431),
            Map.entry("fsmount", 432), Map.entry("fspick", 433), Map.entry("clone3", 435),
            Map.entry("mount_setattr", 442), Map.entry("quotactl_fd", 443));

    static final Map<String, Integer> X86_64 = with(Map.ofEntries(
            Map.entry("keyctl", 250), Map.entry("add_key", 248), Map.entry("request_key", 249),
            Map.entry("bpf", 321), Map.entry("perf_event_open", 298), Map.entry("kexec_load", 246),
            Map.entry("kexec_file_load", 320), Map.entry("init_module", 175),
            Map.entry("finit_module", 313), Map.entry("delete_module", 176),
            Map.entry("create_module", 174), Map.entry("get_kernel_syms", 177),
            Map.entry("query_module", 178), Map.entry("open_by_handle_at", 304),
            Map.entry("mount", 165), Map.entry("umount2", 166), Map.entry("pivot_root", 155),
            Map.entry("setns", 308), Map.entry("unshare", 272), Map.entry("clone", 56),
            Map.entry("userfaultfd", 323), Map.entry("acct", 163), Map.entry("swapon", 167),
            Map.entry("swapoff", 168), Map.entry("reboot", 169), Map.entry("syslog", 103),
            Map.entry("lookup_dcookie", 212), Map.entry("quotactl", 179),
            Map.entry("nfsservctl", 180), Map.entry("uselib", 134), Map.entry("iopl", 172),
            Map.entry("ioperm", 173), Map.entry("vhangup", 153), Map.entry("settimeofday", 164),
            Map.entry("clock_settime", 227), Map.entry("clock_adjtime", 305),
            Map.entry("adjtimex", 159), Map.entry("_sysctl", 156), Map.entry("fanotify_init", 300),
            Map.entry("ptrace", 101), Map.entry("process_vm_readv", 310),
            Map.entry("process_vm_writev", 311), Map.entry("kcmp", 312)));

    static final Map<String, Integer> I386 = with(Map.ofEntries(
            Map.entry("keyctl", 288), Map.entry("add_key", 286), Map.entry("request_key", 287),
            Map.entry("bpf", 357), Map.entry("perf_event_open", 336), Map.entry("kexec_load", 283),
            Map.entry("init_module", 128), Map.entry("finit_module", 350),
            Map.entry("delete_module", 129), Map.entry("create_module", 127),
            Map.entry("get_kernel_syms", 130), Map.entry("query_module", 167),
            Map.entry("open_by_handle_at", 342), Map.entry("mount", 21), Map.entry("umount", 22),
            Map.entry("umount2", 52), Map.entry("pivot_root", 217), Map.entry("setns", 346),
            Map.entry("unshare", 310), Map.entry("clone", 120), Map.entry("userfaultfd", 374),
            Map.entry("acct", 51), Map.entry("swapon", 87), Map.entry("swapoff", 115),
            Map.entry("reboot", 88), Map.entry("syslog", 103), Map.entry("lookup_dcookie", 253),
            Map.entry("quotactl", 131), Map.entry("nfsservctl", 169), Map.entry("uselib", 86),
            Map.entry("iopl", 110), Map.entry("ioperm", 101), Map.entry("vhangup", 111),
            Map.entry("settimeofday", 79), Map.entry("stime", 25), Map.entry("clock_settime", 264),
            Map.entry("clock_adjtime", 343), Map.entry("adjtimex", 124), Map.entry("_sysctl", 149),
            Map.entry("fanotify_init", 338), Map.entry("ptrace", 26),
            Map.entry("process_vm_readv", 347), Map.entry("process_vm_writev", 348),
            Map.entry("kcmp", 349)));

    static final Map<String, Integer> AARCH64 = with(Map.ofEntries(
            Map.entry("keyctl", 219), Map.entry("add_key", 217), Map.entry("request_key", 218),
            Map.entry("bpf", 280), Map.entry("perf_event_open", 241), Map.entry("kexec_load", 104),
            Map.entry("kexec_file_load", 294), Map.entry("init_module", 105),
            Map.entry("finit_module", 273), Map.entry("delete_module", 106),
            Map.entry("open_by_handle_at", 265), Map.entry("mount", 40), Map.entry("umount2", 39),
            Map.entry("pivot_root", 41), Map.entry("setns", 268), Map.entry("unshare", 97),
            Map.entry("clone", 220), Map.entry("userfaultfd", 282), Map.entry("acct", 89),
            Map.entry("swapon", 224), Map.entry("swapoff", 225), Map.entry("reboot", 142),
            Map.entry("syslog", 116), Map.entry("lookup_dcookie", 18), Map.entry("quotactl", 60),
            Map.entry("nfsservctl", 42), Map.entry("vhangup", 58), Map.entry("settimeofday", 170),
            Map.entry("clock_settime", 112), Map.entry("clock_adjtime", 266),
            Map.entry("adjtimex", 171), Map.entry("fanotify_init", 262), Map.entry("ptrace", 117),
            Map.entry("process_vm_readv", 270), Map.entry("process_vm_writev", 271),
            Map.entry("kcmp", 272)));

    private static Map<String, Integer> with(Map<String, Integer> own) {
        java.util.HashMap<String, Integer> all = new java.util.HashMap<>(UNIFIED);
        all.putAll(own);
        return Map.copyOf(all);
    }
}
