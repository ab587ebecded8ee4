package io.rstscope.processor.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary form of {@link FlowState}: the flow state is read and written for every
 * summary, and JSON of a few dozen segments cost most of the processor's time. A leading
 * version byte lets a later layout read this one (add fields at the end, bump the version).
 * Point names are written once per state and referred to by index.
 *
 * <p>The layout is that of {@link DataOutputStream} (big-endian, strings as {@code writeUTF}), but
 * written into a plain growable array and read from a {@link ByteBuffer}: through the streams, every
 * {@code readLong} went through {@code readFully} and the serde was 40 % of the processor's CPU
 * (BENCHMARKS.md, "Stream processor"). Same bytes as before, so existing state reads as it was.
 */
public final class FlowStateSerde implements Serde<FlowState> {
  /**
   * Layout written. Still read: 1 (segments without the run's first ACK/data times and RST data) and 2 (those,
   * but no kernel notes); 3 adds the kernel notes at the end of the state.
   */
  private static final byte VERSION = 3;
  /** First layout with the segments' first ACK/data times and RST data. */
  private static final byte WITH_SEGMENT_TIMES = 2;
  /** First layout with the kernel notes. */
  private static final byte WITH_KERNEL = 3;
  private static final int MAX_TEXT = 1024;

  public byte[] toBytes(FlowState f) {
    if (f == null) {
      return null;
    }
    try {
      Out out = new Out(256 + 64 * f.segments.size());
      out.writeByte(VERSION);
      out.writeByte(f.clientIsLow == null ? 0 : f.clientIsLow ? 2 : 1);
      writeText(out, f.rolesFrom);
      List<String> names = new ArrayList<>(f.views.keySet());
      for (Segment s : f.segments) {
        if (!names.contains(s.point)) {
          names.add(s.point);
        }
      }
      out.writeShort(names.size());
      for (String n : names) {
        out.writeUTF(n);
      }
      out.writeShort(f.views.size());
      for (Map.Entry<String, PointView> e : f.views.entrySet()) {
        out.writeShort(names.indexOf(e.getKey()));
        writeDir(out, e.getValue().lowToHigh);
        writeDir(out, e.getValue().highToLow);
      }
      out.writeInt(f.segments.size());
      for (Segment s : f.segments) {
        out.writeShort(names.indexOf(s.point));
        writeSegment(out, s);
      }
      out.writeInt(f.droppedSegments);
      out.writeLong(f.lastActivityMicros);
      out.writeShort(f.decided.size());
      for (String id : f.decided) {
        out.writeUTF(id);
      }
      out.writeLong(f.lateSightings);
      out.writeShort(f.rstOccurrences.size());
      for (Map.Entry<String, Integer> e : f.rstOccurrences.entrySet()) {
        writeText(out, e.getKey());
        out.writeInt(e.getValue());
      }
      out.writeShort(f.kernel.size());
      for (KernelNote k : f.kernel) {
        writeText(out, k.host);
        out.writeByte((k.sent ? 1 : 0) | (k.fromLow ? 2 : 0) | (k.peerUnnamed ? 4 : 0));
        out.writeLong(k.tsMicros);
        out.writeInt(k.hostPort);
        writeText(out, k.state);
        writeText(out, k.reason);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new SerializationException("cannot write flow state: " + e.getMessage(), e);
    }
  }

  public FlowState fromBytes(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      In in = new In(bytes);
      byte version = in.readByte();
      if (version < 1 || version > VERSION) {
        throw new SerializationException("flow state layout " + version + " is newer than this processor ("
            + VERSION + ")");
      }
      FlowState f = new FlowState();
      int roles = in.readByte();
      f.clientIsLow = roles == 0 ? null : roles == 2;
      f.rolesFrom = readText(in);
      int nameCount = in.readShort();
      List<String> names = new ArrayList<>(nameCount);
      for (int i = 0; i < nameCount; i++) {
        names.add(in.readUTF());
      }
      int viewCount = in.readShort();
      for (int i = 0; i < viewCount; i++) {
        PointView v = new PointView();
        String point = names.get(in.readShort());
        v.lowToHigh = readDir(in);
        v.highToLow = readDir(in);
        f.views.put(point, v);
      }
      int segCount = in.readInt();
      f.segments = new ArrayList<>(segCount + 1);
      for (int i = 0; i < segCount; i++) {
        String point = names.get(in.readShort());
        Segment s = readSegment(in, version);
        s.point = point;
        f.segments.add(s);
      }
      f.droppedSegments = in.readInt();
      f.lastActivityMicros = in.readLong();
      int decided = in.readShort();
      for (int i = 0; i < decided; i++) {
        f.decided.add(in.readUTF());
      }
      f.lateSightings = in.readLong();
      int occ = in.readShort();
      for (int i = 0; i < occ; i++) {
        f.rstOccurrences.put(readText(in), in.readInt());
      }
      if (version >= WITH_KERNEL) {
        int notes = in.readShort();
        for (int i = 0; i < notes; i++) {
          KernelNote k = new KernelNote();
          k.host = readText(in);
          int bits = in.readByte();
          k.sent = (bits & 1) != 0;
          k.fromLow = (bits & 2) != 0;
          k.peerUnnamed = (bits & 4) != 0;
          k.tsMicros = in.readLong();
          k.hostPort = in.readInt();
          k.state = readText(in);
          k.reason = readText(in);
          f.kernel.add(k);
        }
      }
      return f;
    } catch (IOException | IndexOutOfBoundsException | BufferUnderflowException e) {
      throw new SerializationException("cannot read flow state (" + bytes.length + " bytes): " + e.getMessage(), e);
    }
  }

  private static void writeSegment(Out out, Segment s) throws IOException {
    out.writeLong(s.tsMicros);
    int bits = (s.fromLow ? 1 : 0) | (s.progress ? 2 : 0) | (s.sackPermitted ? 4 : 0);
    out.writeByte(bits);
    out.writeShort(s.flags);
    out.writeInt((int) s.seq);
    out.writeInt((int) s.ack);
    out.writeInt(s.len);
    out.writeByte(s.ttl);
    writeInt(out, s.ipId);
    out.writeInt(s.window);
    if (s.progress) {
      out.writeLong(s.progressPackets);
      out.writeLong(s.progressBytes);
      out.writeLong(s.progressFirstMicros);
      out.writeInt((int) s.progressSeqEnd);
      out.writeByte(s.ttlMin);
      out.writeByte(s.ttlMax);
    }
    writeText(out, s.hintKind);
    writeText(out, s.hintText);
    writeInt(out, s.windowScale);
    writeLong(out, s.tsVal);
    out.writeInt(s.rstOccurrence);
    if (s.progress) {
      out.writeLong(s.progressFirstAckMicros);
      out.writeLong(s.progressFirstDataMicros);
    }
    writeText(out, s.rstDataFormat);
    writeText(out, s.rstData);
  }

  private static Segment readSegment(In in, byte version) throws IOException {
    Segment s = new Segment();
    s.tsMicros = in.readLong();
    int bits = in.readByte();
    s.fromLow = (bits & 1) != 0;
    s.progress = (bits & 2) != 0;
    s.sackPermitted = (bits & 4) != 0;
    s.flags = in.readShort() & 0xffff;
    s.seq = in.readInt() & 0xffffffffL;
    s.ack = in.readInt() & 0xffffffffL;
    s.len = in.readInt();
    s.ttl = in.readByte() & 0xff;
    s.ipId = readInt(in);
    s.window = in.readInt();
    if (s.progress) {
      s.progressPackets = in.readLong();
      s.progressBytes = in.readLong();
      s.progressFirstMicros = in.readLong();
      s.progressSeqEnd = in.readInt() & 0xffffffffL;
      s.ttlMin = in.readByte() & 0xff;
      s.ttlMax = in.readByte() & 0xff;
    } else {
      s.ttlMin = s.ttl;
      s.ttlMax = s.ttl;
    }
    s.hintKind = readText(in);
    s.hintText = readText(in);
    s.windowScale = readInt(in);
    s.tsVal = readLong(in);
    s.rstOccurrence = in.readInt();
    if (version >= WITH_SEGMENT_TIMES) {
      if (s.progress) {
        s.progressFirstAckMicros = in.readLong();
        s.progressFirstDataMicros = in.readLong();
      }
      s.rstDataFormat = readText(in);
      s.rstData = readText(in);
    }
    return s;
  }

  private static void writeDir(Out out, DirectionView d) throws IOException {
    out.writeLong(d.packets);
    out.writeLong(d.payloadBytes);
    out.writeLong(d.firstMicros);
    out.writeLong(d.lastMicros);
    writeLong(out, d.synMicros);
    writeLong(out, d.synAckMicros);
    writeLong(out, d.finMicros);
    out.writeInt(d.rsts);
    out.writeInt(d.ttlMin);
    out.writeInt(d.ttlMax);
    writeInt(out, d.lastIpId);
    out.writeInt(d.ipIdSteps);
    out.writeInt(d.ipIdJumps);
    writeLong(out, d.nextSeq);
    writeLong(out, d.lastAck);
    writeInt(out, d.windowScale);
    out.writeByte((d.sackPermitted ? 1 : 0) | (d.timestamps ? 2 : 0));
    writeText(out, d.lastHint);
  }

  private static DirectionView readDir(In in) throws IOException {
    DirectionView d = new DirectionView();
    d.packets = in.readLong();
    d.payloadBytes = in.readLong();
    d.firstMicros = in.readLong();
    d.lastMicros = in.readLong();
    d.synMicros = readLong(in);
    d.synAckMicros = readLong(in);
    d.finMicros = readLong(in);
    d.rsts = in.readInt();
    d.ttlMin = in.readInt();
    d.ttlMax = in.readInt();
    d.lastIpId = readInt(in);
    d.ipIdSteps = in.readInt();
    d.ipIdJumps = in.readInt();
    d.nextSeq = readLong(in);
    d.lastAck = readLong(in);
    d.windowScale = readInt(in);
    int bits = in.readByte();
    d.sackPermitted = (bits & 1) != 0;
    d.timestamps = (bits & 2) != 0;
    d.lastHint = readText(in);
    return d;
  }

  private static void writeText(Out out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s);
    }
  }

  private static String readText(In in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  private static void writeInt(Out out, Integer v) throws IOException {
    out.writeBoolean(v != null);
    if (v != null) {
      out.writeInt(v);
    }
  }

  private static Integer readInt(In in) throws IOException {
    return in.readBoolean() ? in.readInt() : null;
  }

  private static void writeLong(Out out, Long v) throws IOException {
    out.writeBoolean(v != null);
    if (v != null) {
      out.writeLong(v);
    }
  }

  private static Long readLong(In in) throws IOException {
    return in.readBoolean() ? in.readLong() : null;
  }

  /**
   * A growable big-endian byte array with DataOutputStream's encodings. Ints and longs are stored whole through
   * a VarHandle view, not byte by byte: the write-back encodes every changed flow state at each commit and this
   * was a fifth of the processor's CPU (BENCHMARKS.md, "Stream processor").
   */
  static final class Out {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private byte[] buf;
    private int n;

    Out(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int more) {
      if (n + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
      }
    }

    void writeByte(int v) {
      ensure(1);
      buf[n++] = (byte) v;
    }

    void writeBoolean(boolean v) {
      writeByte(v ? 1 : 0);
    }

    void writeShort(int v) {
      ensure(2);
      SHORT.set(buf, n, (short) v);
      n += 2;
    }

    void writeInt(int v) {
      ensure(4);
      INT.set(buf, n, v);
      n += 4;
    }

    void writeLong(long v) {
      ensure(8);
      LONG.set(buf, n, v);
      n += 8;
    }

    /** DataOutputStream.writeUTF: 2-byte length, modified UTF-8. */
    void writeUTF(String s) throws IOException {
      int len = s.length();
      boolean ascii = len <= 65535;
      for (int i = 0; i < len && ascii; i++) {
        char c = s.charAt(i);
        ascii = c >= 1 && c < 0x80;
      }
      if (ascii) {
        writeShort(len);
        ensure(len);
        for (int i = 0; i < len; i++) {
          buf[n++] = (byte) s.charAt(i);
        }
        return;
      }
      ByteArrayOutputStream b = new ByteArrayOutputStream(len * 3 + 2);
      new DataOutputStream(b).writeUTF(s);
      byte[] enc = b.toByteArray();
      ensure(enc.length);
      System.arraycopy(enc, 0, buf, n, enc.length);
      n += enc.length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, n);
    }
  }

  /** Reads what {@link Out} (or a DataOutputStream) wrote. */
  static final class In {
    private final ByteBuffer b;

    In(byte[] bytes) {
      b = ByteBuffer.wrap(bytes);
    }

    byte readByte() {
      return b.get();
    }

    boolean readBoolean() {
      return b.get() != 0;
    }

    short readShort() {
      return b.getShort();
    }

    int readInt() {
      return b.getInt();
    }

    long readLong() {
      return b.getLong();
    }

    String readUTF() throws IOException {
      int len = b.getShort() & 0xffff;
      int pos = b.position();
      if (len > b.remaining()) {
        throw new UTFDataFormatException("string of " + len + " bytes past the end");
      }
      byte[] a = b.array();
      int off = b.arrayOffset() + pos;
      boolean ascii = true;
      for (int i = 0; i < len && ascii; i++) {
        ascii = a[off + i] > 0;
      }
      String s;
      if (ascii) {
        s = new String(a, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
      } else {
        byte[] enc = new byte[len + 2];
        enc[0] = (byte) (len >>> 8);
        enc[1] = (byte) len;
        System.arraycopy(a, off, enc, 2, len);
        s = new DataInputStream(new ByteArrayInputStream(enc)).readUTF();
      }
      b.position(pos + len);
      return s;
    }
  }

  @Override
  public Serializer<FlowState> serializer() {
    return (topic, data) -> toBytes(data);
  }

  @Override
  public Deserializer<FlowState> deserializer() {
    return (topic, data) -> fromBytes(data);
  }
}
