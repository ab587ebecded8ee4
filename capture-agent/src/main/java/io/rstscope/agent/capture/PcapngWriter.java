package io.rstscope.agent.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a pcapng file (little-endian, one section): interface description blocks, each with a
 * name (if_name) and optionally a description, then enhanced packet blocks with microsecond
 * timestamps (the default if_tsresol) and an optional comment (opt_comment), which Wireshark shows
 * as the packet's comment and {@code frame.comment}.
 *
 * <pre>
 *  block:  type (4) | total length (4) | body ... | options, 32-bit aligned | total length (4)
 *  option: code (2) | length (2) | value, padded to 32 bits      (code 0, length 0: end of options)
 * </pre>
 */
public final class PcapngWriter implements AutoCloseable {
  private static final int SHB = 0x0A0D0D0A;
  private static final int IDB = 1;
  private static final int EPB = 6;
  private static final int OPT_END = 0;
  private static final int OPT_COMMENT = 1;
  private static final int IF_NAME = 2;
  private static final int IF_DESCRIPTION = 3;

  private final OutputStream out;
  private int interfaces;

  public PcapngWriter(OutputStream out) throws IOException {
    this.out = out;
    ByteBuffer shb = block(SHB, 16, 0);
    shb.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L); // byte order, v1.0, length unknown
    finish(shb);
  }

  /** Adds an interface; returns its id for {@link #packet}. */
  public int addInterface(int linkType, String name, String description) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] d = description == null ? null : description.getBytes(StandardCharsets.UTF_8);
    int options = option(n.length) + (d == null ? 0 : option(d.length)) + 4;
    ByteBuffer idb = block(IDB, 8, options);
    idb.putShort((short) linkType).putShort((short) 0).putInt(0); // snaplen 0: no limit
    putOption(idb, IF_NAME, n);
    if (d != null) {
      putOption(idb, IF_DESCRIPTION, d);
    }
    idb.putShort((short) OPT_END).putShort((short) 0);
    finish(idb);
    return interfaces++;
  }

  /** One packet, {@code micros} since the epoch, {@code comment} null for none. */
  public void packet(int iface, long micros, byte[] data, int capturedLength, int wireLength, String comment)
      throws IOException {
    byte[] c = comment == null ? null : comment.getBytes(StandardCharsets.UTF_8);
    int options = c == null ? 0 : option(c.length) + 4;
    ByteBuffer epb = block(EPB, 20 + padded(capturedLength), options);
    epb.putInt(iface).putInt((int) (micros >>> 32)).putInt((int) micros).putInt(capturedLength).putInt(wireLength)
        .put(data, 0, capturedLength);
    epb.position(epb.position() + padded(capturedLength) - capturedLength);
    if (c != null) {
      putOption(epb, OPT_COMMENT, c);
      epb.putShort((short) OPT_END).putShort((short) 0);
    }
    finish(epb);
  }

  private static int padded(int n) {
    return (n + 3) & ~3;
  }

  private static int option(int valueLength) {
    return 4 + padded(valueLength);
  }

  private static void putOption(ByteBuffer b, int code, byte[] value) {
    b.putShort((short) code).putShort((short) value.length).put(value);
    b.position(b.position() + padded(value.length) - value.length);
  }

  private static ByteBuffer block(int type, int body, int options) {
    int total = 12 + body + options;
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(type).putInt(total);
    return b;
  }

  private void finish(ByteBuffer b) throws IOException {
    b.putInt(b.capacity());
    out.write(b.array());
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
