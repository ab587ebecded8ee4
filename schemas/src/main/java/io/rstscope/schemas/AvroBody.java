package io.rstscope.schemas;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A cursor over an Avro binary body held in an array: the primitives of Avro's binary encoding (zig-zag
 * varints, length-prefixed bytes and strings, union and enum indexes), each checked against the end of the
 * array, so a truncated or hostile body fails with an IOException instead of reading past it or allocating
 * what its lengths claim.
 */
final class AvroBody {
  private final byte[] buf;
  private int pos;
  private final int end;

  AvroBody(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  int readInt() throws IOException {
    long v = readLong();
    if (v != (int) v) {
      throw new IOException("int out of range: " + v);
    }
    return (int) v;
  }

  long readLong() throws IOException {
    long raw = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw new EOFException("body ends inside a number");
      }
      int b = buf[pos++] & 0xff;
      raw |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new IOException("malformed varint: more than 10 bytes");
  }

  boolean readBoolean() throws IOException {
    if (pos >= end) {
      throw new EOFException("body ends inside a boolean");
    }
    return buf[pos++] == 1; // as Avro's BinaryDecoder: any other byte is false
  }

  /** Index of a union branch or enum symbol, checked against the number there are. */
  int readIndex(int count) throws IOException {
    int i = readInt();
    if (i < 0 || i >= count) {
      throw new IOException("index " + i + " of " + count);
    }
    return i;
  }

  ByteBuffer readBytes() throws IOException {
    int n = length();
    byte[] out = new byte[n];
    System.arraycopy(buf, pos, out, 0, n);
    pos += n;
    return ByteBuffer.wrap(out);
  }

  String readString() throws IOException {
    int n = length();
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  /** A timestamp-micros long as Avro's TimestampMicrosConversion makes it. */
  Instant readMicros() throws IOException {
    long micros = readLong();
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  private int length() throws IOException {
    long n = readLong();
    if (n < 0 || n > end - pos) {
      throw new EOFException("length " + n + " with " + (end - pos) + " bytes left");
    }
    return (int) n;
  }
}
