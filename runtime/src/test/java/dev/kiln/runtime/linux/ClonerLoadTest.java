package dev.kiln.runtime.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spawner's loader: a program as kiln writes it, parsed in native memory into the op table. */
class ClonerLoadTest {
    private final NativeArena arena = new NativeArena(1 << 16);

    @Test
    void everyKindOfArgumentArrivesInTheTableAsTheChildReadsIt() throws IOException {
        ChildProgram program = new ChildProgram()
                .mount(null, "/merged", "overlay", 0x4000L, "lowerdir=/l,upperdir=/u", "mount")
                .seccompFilter(new byte[] {1, 0, 2, 0, 3, 0, 0, 4}, "filter")
                .exec(List.of("/bin/true", "/usr/bin/true"), List.of("true", "ünï"), List.of());
        byte[] wire = write(program);
        long frame = arena.bytes(wire);

        long table = Cloner.load(frame, wire.length, arena);

        assertEquals(3, Cloner.opCount(frame));
        long mount = table;
        assertEquals(Ops.MOUNT, NativeMemory.getLong(mount));
        assertEquals(0, NativeMemory.getLong(mount + 8));
        assertEquals(0, NativeMemory.getLong(mount + 16), "a null string is a null pointer");
        assertEquals("/merged", cString(NativeMemory.getLong(mount + 24)));
        assertEquals("overlay", cString(NativeMemory.getLong(mount + 32)));
        assertEquals(0x4000L, NativeMemory.getLong(mount + 40));
        assertEquals("lowerdir=/l,upperdir=/u", cString(NativeMemory.getLong(mount + 48)));

        long filter = table + 8L * ChildExecutor.STRIDE;
        long bytes = NativeMemory.getLong(filter + 16);
        byte[] read = new byte[9];
        for (int i = 0; i < read.length; i++) {
            read[i] = NativeMemory.getByte(bytes + i);
        }
        assertEquals(Arrays.toString(new byte[] {1, 0, 2, 0, 3, 0, 0, 4, 0}), Arrays.toString(read),
                "raw bytes, then a NUL");
        assertEquals(1, NativeMemory.getLong(filter + 24), "the instruction count");

        long exec = table + 16L * ChildExecutor.STRIDE;
        assertEquals(Ops.EXEC, NativeMemory.getLong(exec));
        assertEquals(List.of("/bin/true", "/usr/bin/true"), strings(NativeMemory.getLong(exec + 16)));
        assertEquals(List.of("true", "ünï"), strings(NativeMemory.getLong(exec + 24)));
        assertEquals(List.of(), strings(NativeMemory.getLong(exec + 32)));
    }

    @Test
    void aTruncatedOrMalformedProgramIsRefusedNotReadPastItsEnd() throws IOException {
        byte[] wire = write(new ChildProgram().mount(null, "/merged", "overlay", 0L, "data", "mount"));
        for (int cut : new int[] {0, 3, 4, 15, wire.length - 1}) {
            long frame = arena.bytes(Arrays.copyOf(wire, Math.max(cut, 4)));
            int length = cut;
            assertThrows(IOException.class, () -> Cloner.load(frame, length, arena), "cut at " + cut);
        }
        byte[] tooManyArgs = wire.clone();
        tooManyArgs[15] = 6; // the mount's argument count (5) as 6
        long frame = arena.bytes(tooManyArgs);
        assertThrows(IOException.class, () -> Cloner.load(frame, tooManyArgs.length, arena));
        byte[] badTag = wire.clone();
        badTag[16] = 9; // the first argument's tag
        long other = arena.bytes(badTag);
        assertThrows(IOException.class, () -> Cloner.load(other, badTag.length, arena));
    }

    private static byte[] write(ChildProgram program) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        program.writeTo(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static String cString(long address) {
        int n = 0;
        while (NativeMemory.getByte(address + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = NativeMemory.getByte(address + i);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> strings(long array) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (int i = 0; NativeMemory.getLong(array + 8L * i) != 0; i++) {
            out.add(cString(NativeMemory.getLong(array + 8L * i)));
        }
        return out;
    }
}
