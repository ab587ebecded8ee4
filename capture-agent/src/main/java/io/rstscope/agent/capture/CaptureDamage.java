package io.rstscope.agent.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where and how a capture file is damaged, found after libpcap stopped reading it: the file's
 * record structure (pcap records, pcapng blocks) is walked from the start to the first record
 * that is cut short or impossible. Everything before it was read; the one-line {@link #text()}
 * says what was lost, as tcpdump's "truncated dump file" does not.
 *
 * @param packets complete packet records before the damage (all of them, whatever the filter)
 * @param offset byte offset of the damaged record (or block)
 * @param kind what is wrong there
 * @param fileBytes size of the file
 * @param libpcap libpcap's own message
 */
public record CaptureDamage(long packets, long offset, Kind kind, long fileBytes, String libpcap) {

  /** What is wrong at the damaged record. */
  public enum Kind {
    /** The file ends inside a record or block: the capture was cut (tcpdump killed, disk full, copy cut). */
    CUT_INSIDE_RECORD("truncated", "cut inside a record"),
    /** A record or block claims a length no capture can have: the bytes there are garbage. */
    IMPOSSIBLE_LENGTH("damaged", "impossible record length"),
    /** A pcapng block's trailing length differs from its leading one. */
    LENGTH_MISMATCH("damaged", "block lengths disagree"),
    /** The structure looks whole; libpcap refused a record for a reason of its own. */
    UNREADABLE("damaged", "unreadable record");

    final String state;
    final String where;

    Kind(String state, String where) {
      this.state = state;
      this.where = where;
    }
  }

  /** Largest record libpcap accepts (its MAXIMUM_SNAPLEN for most link types). */
  static final long MAX_RECORD_BYTES = 262_144L;

  /** "capture truncated after 18,204 packets (cut inside a record at byte 2,104,331)". */
  public String text() {
    return String.format(Locale.ROOT, "capture %s after %,d packets (%s at byte %,d of %,d)", kind.state, packets,
        kind.where, offset, fileBytes);
  }

  /** Walks the file to its first damaged record; {@code libpcap} is kept as the reason when none is found. */
  public static CaptureDamage locate(Path file, String libpcap) {
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      long size = Files.size(file);
      byte[] head = in.readNBytes(4);
      if (head.length < 4) {
        return new CaptureDamage(0, 0, Kind.CUT_INSIDE_RECORD, size, libpcap);
      }
      int magic = ByteBuffer.wrap(head).order(ByteOrder.BIG_ENDIAN).getInt();
      Walker w = new Walker(in, size, libpcap);
      return magic == 0x0a0d0d0a ? w.pcapng(head) : w.pcap(head, magic);
    } catch (IOException e) {
      return new CaptureDamage(0, 0, Kind.UNREADABLE, 0, libpcap + "; " + e.getMessage());
    }
  }

  private static final class Walker {
    private final InputStream in;
    private final long size;
    private final String libpcap;
    private long pos;
    private long packets;

    Walker(InputStream in, long size, String libpcap) {
      this.in = in;
      this.size = size;
      this.libpcap = libpcap;
      this.pos = 4;
    }

    private CaptureDamage at(long offset, Kind kind) {
      return new CaptureDamage(packets, offset, kind, size, libpcap);
    }

    /** pcap: a 24-byte file header, then records of a 16-byte header (caplen at 8) and caplen bytes. */
    CaptureDamage pcap(byte[] head, int magic) throws IOException {
      ByteOrder order = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      if (!skip(20)) {
        return at(0, Kind.CUT_INSIDE_RECORD);
      }
      byte[] rec = new byte[16];
      while (pos < size) {
        long start = pos;
        if (!read(rec)) {
          return at(start, Kind.CUT_INSIDE_RECORD);
        }
        long caplen = ByteBuffer.wrap(rec).order(order).getInt(8) & 0xffff_ffffL;
        if (caplen > MAX_RECORD_BYTES) {
          return at(start, Kind.IMPOSSIBLE_LENGTH);
        }
        if (!skip(caplen)) {
          return at(start, Kind.CUT_INSIDE_RECORD);
        }
        packets++;
      }
      return at(pos, Kind.UNREADABLE);
    }

    /** pcapng: blocks of type, total length, body, total length again; byte order from each section header. */
    CaptureDamage pcapng(byte[] head) throws IOException {
      ByteOrder order = ByteOrder.LITTLE_ENDIAN;
      byte[] hdr = new byte[8];
      System.arraycopy(head, 0, hdr, 0, 4);
      long start = 0;
      if (!readInto(hdr, 4, 4)) {
        return at(start, Kind.CUT_INSIDE_RECORD);
      }
      while (true) {
        int type = ByteBuffer.wrap(hdr).order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (type == 0x0a0d0d0a) {
          byte[] bom = new byte[4];
          if (!read(bom)) {
            return at(start, Kind.CUT_INSIDE_RECORD);
          }
          order = ByteBuffer.wrap(bom).order(ByteOrder.BIG_ENDIAN).getInt() == 0x1a2b3c4d
              ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }
        long length = ByteBuffer.wrap(hdr).order(order).getInt(4) & 0xffff_ffffL;
        if (length < 12 || length % 4 != 0 || length > MAX_RECORD_BYTES + 1024) {
          return at(start, Kind.IMPOSSIBLE_LENGTH);
        }
        long bodyLeft = length - 12 - (type == 0x0a0d0d0a ? 4 : 0);
        if (!skip(bodyLeft)) {
          return at(start, Kind.CUT_INSIDE_RECORD);
        }
        byte[] trail = new byte[4];
        if (!read(trail)) {
          return at(start, Kind.CUT_INSIDE_RECORD);
        }
        if ((ByteBuffer.wrap(trail).order(order).getInt() & 0xffff_ffffL) != length) {
          return at(start, Kind.LENGTH_MISMATCH);
        }
        int typeInOrder = ByteBuffer.wrap(hdr).order(order).getInt(0);
        if (typeInOrder == 6 || typeInOrder == 3 || typeInOrder == 2) {
          packets++; // enhanced, simple, obsolete packet blocks; other types (known or not) carry no packet
        }
        start = pos;
        if (pos >= size) {
          return at(pos, Kind.UNREADABLE);
        }
        if (!read(hdr)) {
          return at(start, Kind.CUT_INSIDE_RECORD);
        }
      }
    }

    private boolean read(byte[] b) throws IOException {
      return readInto(b, 0, b.length);
    }

    private boolean readInto(byte[] b, int off, int len) throws IOException {
      int n = in.readNBytes(b, off, len);
      pos += n;
      return n == len;
    }

    private boolean skip(long n) throws IOException {
      long left = n;
      while (left > 0) {
        long s = in.skip(left);
        if (s <= 0) {
          if (in.read() < 0) {
            pos += n - left;
            return false;
          }
          s = 1;
        }
        left -= s;
      }
      pos += n;
      return true;
    }
  }
}
