package dev.kiln.runtime.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

        long[] reused = new long[3 * ChildExecutor.STRIDE];
        Arrays.fill(reused, -1); // what an earlier, longer program left
        long[] table = Cloner.load(frame, wire.length, arena, reused);

        assertEquals(3, Cloner.opCount(frame));
        assertSame(reused, table, "a table large enough is reused");
        assertEquals(Ops.MOUNT, table[0]);
        assertEquals(0, table[1]);
        assertEquals(0, table[2], "a null string is a null pointer");
        assertEquals("/merged", cString(table[3]));
        assertEquals("overlay", cString(table[4]));
        assertEquals(0x4000L, table[5]);
        assertEquals("lowerdir=/l,upperdir=/u", cString(table[6]));

        int filter = ChildExecutor.STRIDE;
        long bytes = table[filter + 2];
        byte[] read = new byte[9];
        for (int i = 0; i < read.length; i++) {
            read[i] = NativeMemory.getByte(bytes + i);
        }
        assertEquals(Arrays.toString(new byte[] {1, 0, 2, 0, 3, 0, 0, 4, 0}), Arrays.toString(read),
                "raw bytes, then a NUL");
        assertEquals(1, table[filter + 3], "the instruction count");

        int exec = 2 * ChildExecutor.STRIDE;
        assertEquals(Ops.EXEC, table[exec]);
        assertEquals(List.of("/bin/true", "/usr/bin/true"), strings(table[exec + 2]));
        assertEquals(List.of("true", "ünï"), strings(table[exec + 3]));
        assertEquals(List.of(), strings(table[exec + 4]));
        assertEquals(0, table[exec + 5], "slots past an op's arguments are cleared");
    }

    @Test
    void aTruncatedOrMalformedProgramIsRefusedNotReadPastItsEnd() throws IOException {
        byte[] wire = write(new ChildProgram().mount(null, "/merged", "overlay", 0L, "data", "mount"));
        for (int cut : new int[] {0, 3, 4, 15, wire.length - 1}) {
            long frame = arena.bytes(Arrays.copyOf(wire, Math.max(cut, 4)));
            int length = cut;
            assertThrows(IOException.class, () -> Cloner.load(frame, length, arena, new long[0]), "cut at " + cut);
        }
        byte[] tooManyArgs = wire.clone();
        tooManyArgs[15] = 6; // the mount's argument count (5) as 6
        long frame = arena.bytes(tooManyArgs);
        assertThrows(IOException.class, () -> Cloner.load(frame, tooManyArgs.length, arena, new long[0]));
        byte[] badTag = wire.clone();
        badTag[16] = 9; // the first argument's tag
        long other = arena.bytes(badTag);
        assertThrows(IOException.class, () -> Cloner.load(other, badTag.length, arena, new long[0]));
        byte[] longString = wire.clone();
        longString[20] = 100; // the target's length, past the end
        long third = arena.bytes(longString);
        assertThrows(IOException.class, () -> Cloner.load(third, longString.length, arena, new long[0]));
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
        List<String> out = new ArrayList<>();
        for (int i = 0; NativeMemory.getLong(array + 8L * i) != 0; i++) {
            out.add(cString(NativeMemory.getLong(array + 8L * i)));
        }
        return out;
    }
}
