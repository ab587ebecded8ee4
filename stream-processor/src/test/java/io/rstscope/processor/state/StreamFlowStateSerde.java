package io.rstscope.processor.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The DataInput/OutputStream implementation this layout was first written with: the reference for byte-identical output.
 * Compact binary form of {@link FlowState}: the flow state is read and written for every
 * summary, and JSON of a few dozen segments cost most of the processor's time. A leading
 * version byte lets a later layout read this one (add fields at the end, bump the version).
 * Point names are written once per state and referred to by index.
 */
final class StreamFlowStateSerde implements Serde<FlowState> {
  private static final byte VERSION = 1;
  private static final int MAX_TEXT = 1024;

  public byte[] toBytes(FlowState f) {
    if (f == null) {
      return null;
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 64 * f.segments.size());
      DataOutputStream out = new DataOutputStream(bytes);
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
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new SerializationException("cannot write flow state: " + e.getMessage(), e);
    }
  }

  public FlowState fromBytes(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      byte version = in.readByte();
      if (version != VERSION) {
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
        Segment s = readSegment(in);
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
      return f;
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new SerializationException("cannot read flow state (" + bytes.length + " bytes): " + e.getMessage(), e);
    }
  }

  private static void writeSegment(DataOutputStream out, Segment s) throws IOException {
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
  }

  private static Segment readSegment(DataInputStream in) throws IOException {
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
    return s;
  }

  private static void writeDir(DataOutputStream out, DirectionView d) throws IOException {
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

  private static DirectionView readDir(DataInputStream in) throws IOException {
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

  private static void writeText(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s);
    }
  }

  private static String readText(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  private static void writeInt(DataOutputStream out, Integer v) throws IOException {
    out.writeBoolean(v != null);
    if (v != null) {
      out.writeInt(v);
    }
  }

  private static Integer readInt(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readInt() : null;
  }

  private static void writeLong(DataOutputStream out, Long v) throws IOException {
    out.writeBoolean(v != null);
    if (v != null) {
      out.writeLong(v);
    }
  }

  private static Long readLong(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readLong() : null;
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
