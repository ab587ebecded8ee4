package io.rstscope.agent.capture;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The one libpcap function on the per-packet path, JNA direct-mapped ({@link Native#register}):
 * a direct call with primitive/pointer arguments, no per-call reflection, no Java callback from
 * native code. pcap4j's {@code handle.loop(-1, RawPacketListener)} instead crosses into Java
 * once per packet through a JNA callback and allocates a byte[] copy, a Timestamp and a
 * Runnable per packet; that, not our decoder, capped the agent at 0.1-0.6 M packets/s
 * (BENCHMARKS.md).
 *
 * <p>Same shared object as pcap4j: pcap4j loads {@code org.pcap4j.core.pcapLibName} (default
 * "pcap", JNA resolves libpcap.so.0.8 on Debian; "wpcap" on Windows); dlopen of the same name
 * returns the same library, so a {@code pcap_t*} opened by pcap4j is valid here.
 */
final class PcapNative {
  static final String LIB_NAME =
      System.getProperty("org.pcap4j.core.pcapLibName", Platform.isWindows() ? "wpcap" : "pcap");

  static {
    Native.register(PcapNative.class, NativeLibrary.getInstance(LIB_NAME));
  }

  private PcapNative() {}

  /**
   * {@code int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **pkt_header, const u_char **pkt_data)}:
   * 1 = a packet (header and data valid until the next call on this handle), 0 = live read
   * timeout, -1 = error (pcap_geterr), -2 = PCAP_ERROR_BREAK: end of file when reading a file,
   * pcap_breakloop() when live.
   */
  static native int pcap_next_ex(Pointer p, Pointer pktHeaderOut, Pointer pktDataOut);

  /**
   * Layout of {@code struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; }}.
   * timeval is two C longs on Linux (LP64: 8+8 bytes, ILP32: 4+4) and Windows (4+4); on macOS
   * tv_usec is a 32-bit int padded to a long.
   */
  static final int TS_SEC_OFFSET = 0;
  static final int TS_USEC_OFFSET = Native.LONG_SIZE;
  static final int TS_USEC_SIZE = Platform.isMac() ? 4 : Native.LONG_SIZE;
  static final int CAPLEN_OFFSET = 2 * Native.LONG_SIZE;
  static final int LEN_OFFSET = CAPLEN_OFFSET + 4;
}
