package io.puffgres.client;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte array, as {@link java.io.ByteArrayOutputStream} without its locks: requests are assembled from
 * thousands of small copies (each document's values, the commas between them), and a lock per copy showed.
 */
final class Bytes extends OutputStream {

    private byte[] buf;
    private int size;

    Bytes(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    @Override
    public void write(int b) {
        if (size == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (size + len > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + len));
        }
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    int size() {
        return size;
    }

    void reset() {
        size = 0;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
