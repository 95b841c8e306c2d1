package dev.kiln.runtime.linux;

import dev.kiln.oci.files.FileNames;
import com.sun.jna.Memory;
import java.util.List;

/**
 * One block of native memory, allocated once, handed out by bumping an offset and reset per
 * request. Keeps the spawner from creating (and JNA's cleaner thread from freeing) a native buffer
 * per RUN, and gives the cloned child only raw addresses to work with.
 */
final class NativeArena {
    private final Memory block;
    private final long base;
    private long used;

    NativeArena(long size) {
        block = new Memory(size);
        base = com.sun.jna.Pointer.nativeValue(block);
    }

    void reset() {
        used = 0;
    }

    /** {@code size} zeroed bytes, 16-byte aligned. */
    long alloc(long size) {
        long aligned = (used + 15) & ~15L;
        if (aligned + size > block.size()) {
            throw new IllegalStateException("native arena exhausted (" + block.size() + " bytes)");
        }
        used = aligned + size;
        block.setMemory(aligned, size, (byte) 0);
        return base + aligned;
    }

    /** A NUL-terminated copy of {@code s}'s bytes ({@link FileNames} text form), or 0 for null. */
    long string(String s) {
        if (s == null) {
            return 0;
        }
        return bytes(FileNames.encode(s));
    }

    /** A NUL-terminated copy of raw bytes. */
    long bytes(byte[] b) {
        long p = alloc(b.length + 1L);
        block.write(p - base, b, 0, b.length);
        return p;
    }

    /** A NUL-terminated copy of {@code length} bytes at {@code address} (native memory). */
    long copy(long address, int length) {
        long p = alloc(length + 1L);
        NativeMemory.copy(address, p, length);
        return p;
    }

    /** A NULL-terminated array of C strings, as execve wants. */
    long stringArray(List<String> items) {
        long p = alloc(8L * (items.size() + 1));
        for (int i = 0; i < items.size(); i++) {
            block.setLong(p - base + 8L * i, string(items.get(i)));
        }
        return p;
    }

    /** Copies {@code into.length} bytes from {@code address}, which this arena handed out. */
    void read(long address, byte[] into) {
        block.read(address - base, into, 0, into.length);
    }

    int getInt(long address) {
        return block.getInt(address - base);
    }

    long getLong(long address) {
        return block.getLong(address - base);
    }

    void setInt(long address, int value) {
        block.setInt(address - base, value);
    }

    void setByte(long address, byte value) {
        block.setByte(address - base, value);
    }

    byte getByte(long address) {
        return block.getByte(address - base);
    }
}
