package dev.kiln.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.linux.SeccompFilter.Abi;
import dev.kiln.runtime.linux.SeccompFilter.Rule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The BPF the filter compiles to, run by a small interpreter; the numbers against the headers. */
class SeccompFilterTest {
    private static final int X86_64 = 0xC000003E;
    private static final int I386 = 0x40000003;
    private static final int AARCH64 = 0xC00000B7;
    private static final int ARM = 0x40000028;
    private static final long CLONE_NEWUSER = 0x10000000L;
    private static final int SIGCHLD = 17;
    private static final List<Rule> RULES = List.of(new Rule("keyctl", 0, 1), new Rule("mount", 0, 1),
            new Rule("clone", 0x7E020000L, 1), new Rule("clone3", 0, 38), new Rule("umount", 0, 1));

    @Test
    void x86_64_deniesListedCallsOnBothAbis_andAllowsTheRest() {
        byte[] bpf = SeccompFilter.compile(RULES, List.of(Abi.X86_64, Abi.I386));
        assertThat(run(bpf, X86_64, 250, 0)).isEqualTo(SeccompFilter.RET_ERRNO | 1); // keyctl
        assertThat(run(bpf, X86_64, 165, 0)).isEqualTo(SeccompFilter.RET_ERRNO | 1); // mount
        assertThat(run(bpf, X86_64, 0, 0)).isEqualTo(SeccompFilter.RET_ALLOW); // read
        assertThat(run(bpf, X86_64, 56, CLONE_NEWUSER | SIGCHLD)).isEqualTo(SeccompFilter.RET_ERRNO | 1);
        assertThat(run(bpf, X86_64, 56, SIGCHLD)).isEqualTo(SeccompFilter.RET_ALLOW);
        assertThat(run(bpf, X86_64, 435, 0)).isEqualTo(SeccompFilter.RET_ERRNO | 38); // clone3
        assertThat(run(bpf, X86_64, 0x40000000 | 250, 0)).isEqualTo(SeccompFilter.RET_ERRNO | 38); // x32
        assertThat(run(bpf, I386, 288, 0)).isEqualTo(SeccompFilter.RET_ERRNO | 1); // keyctl
        assertThat(run(bpf, I386, 22, 0)).isEqualTo(SeccompFilter.RET_ERRNO | 1); // umount
        assertThat(run(bpf, I386, 250, 0)).isEqualTo(SeccompFilter.RET_ALLOW); // i386 250 is fadvise64
        assertThat(run(bpf, I386, 120, CLONE_NEWUSER)).isEqualTo(SeccompFilter.RET_ERRNO | 1);
        assertThat(run(bpf, AARCH64, 219, 0)).isEqualTo(SeccompFilter.RET_KILL_PROCESS);
    }

    @Test
    void aarch64_deniesItsNumbers_andKillsArm32() {
        byte[] bpf = SeccompFilter.compile(RULES, List.of(Abi.AARCH64));
        assertThat(run(bpf, AARCH64, 219, 0)).isEqualTo(SeccompFilter.RET_ERRNO | 1); // keyctl
        assertThat(run(bpf, AARCH64, 220, CLONE_NEWUSER)).isEqualTo(SeccompFilter.RET_ERRNO | 1);
        assertThat(run(bpf, AARCH64, 250, 0)).isEqualTo(SeccompFilter.RET_ALLOW);
        assertThat(run(bpf, ARM, 0, 0)).isEqualTo(SeccompFilter.RET_KILL_PROCESS);
    }

    @Test
    void numbers_matchTheKernelHeaders() throws IOException {
        check(SyscallNumbers.X86_64, Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"));
        check(SyscallNumbers.I386, Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_32.h"));
        check(SyscallNumbers.AARCH64, Path.of("/usr/include/asm-generic/unistd.h"));
    }

    private static void check(Map<String, Integer> numbers, Path header) throws IOException {
        assumeTrue(Files.isRegularFile(header), header + " missing (linux-libc-dev)");
        Map<String, Integer> defined = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^#define __NR(?:3264)?_(\\w+)\\s+(\\d+)").matcher(Files.readString(header));
        while (m.find()) {
            defined.putIfAbsent(m.group(1), Integer.parseInt(m.group(2)));
        }
        numbers.forEach((name, nr) -> assertThat(defined.get(name)).as(header + " " + name).isEqualTo(nr));
    }

    /** Classic BPF over struct seccomp_data {nr, arch, ip, args[6]}: what the kernel would answer. */
    private static int run(byte[] program, int arch, int nr, long arg0) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(16, arg0);
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        int acc = 0;
        for (int pc = 0; pc < program.length / 8; pc++) {
            int op = code.getShort(pc * 8) & 0xffff;
            int jt = code.get(pc * 8 + 2) & 0xff;
            int jf = code.get(pc * 8 + 3) & 0xff;
            int k = code.getInt(pc * 8 + 4);
            switch (op) {
                case 0x20 -> acc = data.getInt(k);
                case 0x15 -> pc += acc == k ? jt : jf;
                case 0x35 -> pc += Integer.compareUnsigned(acc, k) >= 0 ? jt : jf;
                case 0x45 -> pc += (acc & k) != 0 ? jt : jf;
                case 0x05 -> pc += k;
                case 0x06 -> {
                    return k;
                }
                default -> throw new AssertionError("unexpected opcode " + op);
            }
        }
        throw new AssertionError("ran off the end of the program");
    }
}
