package dev.kiln.runtime.linux;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/**
 * Reads and writes raw native addresses without creating JNA {@code Pointer} objects, for code
 * that runs in a cloned child where the Java heap must not be touched.
 */
final class NativeMemory {
    private static final Unsafe UNSAFE = unsafe();

    private NativeMemory() {}

    static void putByte(long address, byte value) {
        UNSAFE.putByte(address, value);
    }

    static byte getByte(long address) {
        return UNSAFE.getByte(address);
    }

    static void putShort(long address, short value) {
        UNSAFE.putShort(address, value);
    }

    static short getShort(long address) {
        return UNSAFE.getShort(address);
    }

    static void putInt(long address, int value) {
        UNSAFE.putInt(address, value);
    }

    static int getInt(long address) {
        return UNSAFE.getInt(address);
    }

    static void putLong(long address, long value) {
        UNSAFE.putLong(address, value);
    }

    static long getLong(long address) {
        return UNSAFE.getLong(address);
    }

    /** A big-endian (Java's wire order) int at {@code address}. */
    static int getIntBigEndian(long address) {
        return Integer.reverseBytes(UNSAFE.getInt(address));
    }

    /** A big-endian (Java's wire order) long at {@code address}. */
    static long getLongBigEndian(long address) {
        return Long.reverseBytes(UNSAFE.getLong(address));
    }

    static void putIntBigEndian(long address, int value) {
        UNSAFE.putInt(address, Integer.reverseBytes(value));
    }

    static void putLongBigEndian(long address, long value) {
        UNSAFE.putLong(address, Long.reverseBytes(value));
    }

    static void copy(long from, long to, long bytes) {
        UNSAFE.copyMemory(from, to, bytes);
    }

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
