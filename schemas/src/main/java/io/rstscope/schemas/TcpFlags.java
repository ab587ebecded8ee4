package io.rstscope.schemas;

/** TCP flag bits as carried in {@code PacketSummary.tcpFlags}, and their tcpdump letters. */
public final class TcpFlags {
  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;
  public static final int ECE = 0x40;
  public static final int CWR = 0x80;
  public static final int NS = 0x100;

  // Order and letters as tcpdump prints them, with A instead of tcpdump's '.' (DESIGN.md).
  private static final int[] BITS = {FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS};
  private static final char[] LETTERS = {'F', 'S', 'R', 'P', 'A', 'U', 'E', 'W', 'N'};

  private TcpFlags() {}

  public static boolean has(int flags, int bit) {
    return (flags & bit) != 0;
  }

  /** {@code RST|ACK} gives "RA", a bare SYN "S", no flag at all "none". */
  public static String letters(int flags) {
    StringBuilder out = new StringBuilder(4);
    for (int i = 0; i < BITS.length; i++) {
      if ((flags & BITS[i]) != 0) {
        out.append(LETTERS[i]);
      }
    }
    return out.length() == 0 ? "none" : out.toString();
  }

  /** Inverse of {@link #letters(int)}; unknown letters are an error. */
  public static int parse(String letters) {
    if (letters.equals("none")) {
      return 0;
    }
    int flags = 0;
    for (char c : letters.toCharArray()) {
      int i = new String(LETTERS).indexOf(c == '.' ? 'A' : c);
      if (i < 0) {
        throw new IllegalArgumentException("unknown TCP flag letter '" + c + "' in " + letters);
      }
      flags |= BITS[i];
    }
    return flags;
  }
}
