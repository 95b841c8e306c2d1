package dev.kiln.runtime.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A seccomp deny list compiled to classic BPF for this machine's architecture, to install with
 * {@link ChildProgram#seccompFilter}. Calls the list names fail with their errno; every other call
 * is allowed. The filter checks the architecture first: x86_64 also filters the i386 ABI (with its
 * own numbers) and refuses the x32 ABI; any other architecture kills the process, as libseccomp
 * does, since a deny list by number means nothing for an ABI it was not written for.
 */
public final class SeccompFilter {
    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_ERRNO = 0x00050000;
    static final int RET_ALLOW = 0x7fff0000;
    private static final int LD_W_ABS = 0x20;
    private static final int JEQ_K = 0x15;
    private static final int JGE_K = 0x35;
    private static final int JSET_K = 0x45;
    private static final int JA = 0x05;
    private static final int RET_K = 0x06;
    private static final int OFFSET_NR = 0;
    private static final int OFFSET_ARCH = 4;
    /** The low 32 bits of args[0] (little-endian machines only). */
    private static final int OFFSET_ARG0 = 16;
    private static final int X32_SYSCALL_BIT = 0x40000000;

    /**
     * One denied call: {@code syscall} fails with {@code errno} always ({@code arg0Mask} 0) or
     * only when its first argument has a bit of {@code arg0Mask} set (clone's namespace flags).
     */
    public record Rule(String syscall, long arg0Mask, int errno) {}

    /** An ABI the filter knows: its audit architecture and system call numbers. */
    enum Abi {
        X86_64(0xC000003E, SyscallNumbers.X86_64),
        I386(0x40000003, SyscallNumbers.I386),
        AARCH64(0xC00000B7, SyscallNumbers.AARCH64);

        final int auditArch;
        final Map<String, Integer> numbers;

        Abi(int auditArch, Map<String, Integer> numbers) {
            this.auditArch = auditArch;
            this.numbers = numbers;
        }
    }

    private SeccompFilter() {}

    /** The filter for this JVM's architecture (x86_64 or aarch64). */
    public static byte[] compile(List<Rule> rules) {
        return LibC.AARCH64 ? compile(rules, List.of(Abi.AARCH64))
                : compile(rules, List.of(Abi.X86_64, Abi.I386));
    }

    /** The filter for {@code abis}; the first is the native one. */
    static byte[] compile(List<Rule> rules, List<Abi> abis) {
        Assembler a = new Assembler();
        a.load(OFFSET_ARCH);
        for (Abi abi : abis) {
            a.jumpIfEqual(abi.auditArch, 0, 1);
            a.jumpTo(abi.name());
        }
        a.ret(RET_KILL_PROCESS);
        for (Abi abi : abis) {
            a.label(abi.name());
            a.load(OFFSET_NR);
            if (abi == Abi.X86_64) {
                a.emit(JGE_K, 0, 1, X32_SYSCALL_BIT);
                a.ret(RET_ERRNO | LibC.ENOSYS);
            }
            for (Rule r : rules) {
                Integer nr = abi.numbers.get(r.syscall());
                if (nr == null) {
                    continue; // the ABI has no such call
                }
                if (r.arg0Mask() == 0) {
                    a.jumpIfEqual(nr, 0, 1);
                    a.ret(RET_ERRNO | r.errno());
                } else {
                    a.jumpIfEqual(nr, 0, 4);
                    a.load(OFFSET_ARG0);
                    a.emit(JSET_K, 0, 1, (int) r.arg0Mask());
                    a.ret(RET_ERRNO | r.errno());
                    a.ret(RET_ALLOW);
                }
            }
            a.ret(RET_ALLOW);
        }
        return a.assemble();
    }

    /** Classic BPF with forward jumps to labels (JA takes a 32-bit offset). */
    private static final class Assembler {
        private final List<int[]> code = new ArrayList<>();
        private final Map<Integer, String> jumps = new HashMap<>();
        private final Map<String, Integer> labels = new HashMap<>();

        void emit(int op, int jt, int jf, int k) {
            code.add(new int[] {op, jt, jf, k});
        }

        void load(int offset) {
            emit(LD_W_ABS, 0, 0, offset);
        }

        void jumpIfEqual(int k, int jt, int jf) {
            emit(JEQ_K, jt, jf, k);
        }

        void ret(int value) {
            emit(RET_K, 0, 0, value);
        }

        void jumpTo(String label) {
            jumps.put(code.size(), label);
            emit(JA, 0, 0, 0);
        }

        void label(String name) {
            labels.put(name, code.size());
        }

        byte[] assemble() {
            ByteBuffer b = ByteBuffer.allocate(8 * code.size()).order(ByteOrder.nativeOrder());
            for (int i = 0; i < code.size(); i++) {
                int[] insn = code.get(i);
                int k = jumps.containsKey(i) ? labels.get(jumps.get(i)) - i - 1 : insn[3];
                b.putShort((short) insn[0]).put((byte) insn[1]).put((byte) insn[2]).putInt(k);
            }
            return b.array();
        }
    }
}
