package io.rstscope.agent.capture;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.rstscope.agent.AgentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;

/**
 * libpcap, live or from a pcap/pcapng file, through one code path: pcap4j opens the handle
 * (offline, or live with pcap_create/pcap_set_* /pcap_activate), compiles and sets the BPF filter,
 * reads the statistics, breaks the loop and closes; the per-packet read is ours, a JNA
 * direct-mapped {@code pcap_next_ex} that copies each frame into one reused buffer
 * ({@link #loop(FrameHandler)}). pcap4j's own {@code handle.loop(-1, RawPacketListener)} crossed
 * a JNA callback and allocated a byte[], a Timestamp and a Runnable per packet, which capped the
 * whole agent near 0.1-0.6 M packets/s (BENCHMARKS.md).
 *
 * <p>{@link #breakLoop()} (any thread) makes the loop return with InterruptedException (heartbeats
 * of a live capture, stop); the caller re-enters it. Opening, {@link #loop}, {@link #stats()} and
 * {@link #close()} belong to one thread, the capture thread: our reads do not take pcap4j's handle
 * lock, so the handle must not be closed under a running loop (CaptureAgent opens, reads and
 * closes on the thread that calls run()).
 */
public final class PcapSource implements AutoCloseable {
  /** Live read timeout: bounds how long a quiet interface holds a partial buffer. */
  static final int LIVE_TIMEOUT_MS = 100;

  private final PcapHandle handle;
  /** The {@code pcap_t*} inside {@link #handle}, for the direct-mapped read. */
  private final Pointer pcap;
  private final boolean live;
  private final String description;
  private final int linkType;
  /** The file read, null when live. */
  private final Path file;
  /** Where a file turned out damaged; null while it reads whole. */
  private CaptureDamage damage;

  // Per-packet read state, allocated once per source (the loop allocates nothing per packet).
  /** pcap_next_ex's two out-parameters: struct pcap_pkthdr** at 0, const u_char** after it. */
  private final Memory out = new Memory(2L * Native.POINTER_SIZE);
  private final Pointer headerOut = out;
  private final Pointer dataOut = out.share(Native.POINTER_SIZE);
  /** Re-pointed (Pointer.nativeValue) at each packet's header and data instead of allocating Pointers. */
  private final Pointer header = new Pointer(0);
  private final Pointer data = new Pointer(0);
  private final byte[] outBytes = new byte[2 * Native.POINTER_SIZE];
  private final byte[] headerBytes = new byte[PcapNative.LEN_OFFSET + 4];
  private byte[] buffer;
  private long delivered;
  private volatile boolean breakRequested;

  private PcapSource(PcapHandle handle, boolean live, String description, Path file) {
    this.handle = handle;
    this.file = file;
    this.live = live;
    this.description = description;
    this.linkType = handle.getDlt().value();
    this.pcap = pcapPointer(handle);
    int snap;
    try {
      snap = handle.getSnapshot();
    } catch (NotOpenException e) {
      snap = 0;
    }
    // caplen never exceeds the handle's snapshot length (libpcap clamps it); grown in loop() if it did.
    this.buffer = new byte[Math.max(2048, Math.min(snap, 1 << 18))];
  }

  private static final Field PCAP_T = pcapField();

  private static Field pcapField() {
    try {
      Field f = PcapHandle.class.getDeclaredField("handle");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * pcap4j 1.8.2 keeps the {@code pcap_t*} in the private final field {@code PcapHandle.handle}
   * and offers no getter. Reading it once per open by reflection keeps pcap4j's tested open,
   * filter, stats, breakloop and close code (live options, activation errors and warnings) while
   * only the per-packet read is ours; opening handles ourselves would duplicate all of that.
   * pcap4j is on the class path (unnamed module), so setAccessible needs no JVM flag. The pcap4j
   * version is pinned in the parent POM; a version without the field fails here, clearly, at open.
   */
  private static Pointer pcapPointer(PcapHandle handle) {
    try {
      Pointer p = PCAP_T == null ? null : (Pointer) PCAP_T.get(handle);
      if (p != null) {
        return p;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // fall through
    }
    handle.close();
    throw new AgentException("this pcap4j version does not expose its pcap_t (PcapHandle.handle); use pcap4j 1.8.2");
  }

  public static PcapSource openFile(Path file, String filter) {
    String problem = CaptureFileCheck.problem(file);
    if (problem != null) {
      throw new AgentException("capture file " + file + ": " + problem);
    }
    PcapHandle handle;
    try {
      handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.MICRO);
    } catch (PcapNativeException e) {
      throw new AgentException("not a pcap or pcapng file: " + file + " (libpcap: " + oneLine(e) + ")");
    }
    PcapSource source = new PcapSource(handle, false, file.toString(), file);
    source.applyFilter(filter);
    return source;
  }

  public static PcapSource openLive(String iface, int snapLength, boolean promiscuous, int bufferBytes,
      boolean immediate, String filter) {
    PcapNetworkInterface nif;
    try {
      nif = Pcaps.getDevByName(iface);
    } catch (PcapNativeException e) {
      throw new AgentException("cannot list interfaces: " + oneLine(e));
    }
    if (nif == null) {
      throw new AgentException("no such interface: " + iface + " (available: " + available() + ")");
    }
    PcapHandle handle;
    try {
      handle = new PcapHandle.Builder(iface)
          .snaplen(snapLength)
          .promiscuousMode(promiscuous ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
              : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
          .timeoutMillis(LIVE_TIMEOUT_MS)
          .bufferSize(bufferBytes)
          .immediateMode(immediate)
          .timestampPrecision(PcapHandle.TimestampPrecision.MICRO)
          .build();
    } catch (PcapNativeException e) {
      String msg = oneLine(e);
      if (msg.toLowerCase().contains("permitted") || msg.toLowerCase().contains("permission")) {
        throw new AgentException("no permission to capture on " + iface
            + ": run as root or grant the java binary CAP_NET_RAW and CAP_NET_ADMIN (" + msg + ")");
      }
      throw new AgentException("cannot capture on " + iface + ": " + msg);
    }
    PcapSource source = new PcapSource(handle, true, iface, null);
    source.applyFilter(filter);
    return source;
  }

  /**
   * BPF's "tcp" does not match VLAN-tagged frames; on Ethernet the default filter is widened to
   * single- and double-tagged (802.1Q, QinQ) TCP as well. Other filters are taken as written.
   */
  static String effectiveFilter(String filter, int linkType) {
    if ("tcp".equals(filter) && linkType == 1) {
      return VLAN_AWARE_TCP;
    }
    return filter;
  }

  static final String VLAN_AWARE_TCP = "tcp or (vlan and (tcp or (vlan and tcp)))";

  private void applyFilter(String requested) {
    if (requested == null || requested.isBlank()) {
      return;
    }
    String filter = effectiveFilter(requested.strip(), linkType);
    try {
      handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
    } catch (PcapNativeException | NotOpenException e) {
      if (DEFAULT_FILTER.equals(requested.strip()) && !io.rstscope.agent.decode.PacketDecoder.supports(linkType)) {
        // libpcap cannot filter this link type and the decoder cannot read it: capture unfiltered
        // so every packet is counted as unsupported_link_type instead of refusing the whole input.
        LOG.warn("{}: link type {} ({}) cannot be filtered or decoded; its packets are counted as unsupported_link_type",
            description, linkType, linkTypeName());
        return;
      }
      handle.close();
      throw new AgentException(description + ": invalid capture filter '" + filter + "' for link type " + linkType
          + " (" + linkTypeName() + "): " + oneLine(e));
    }
  }

  static final String DEFAULT_FILTER = "tcp";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PcapSource.class);

  /** libpcap's DLT_ value, e.g. 1 for Ethernet. */
  public int linkType() {
    return linkType;
  }

  public String linkTypeName() {
    return handle.getDlt().name();
  }

  public boolean live() {
    return live;
  }

  public String description() {
    return description;
  }

  /**
   * Reads packets with {@code pcap_next_ex} until the end of a file (returns normally), or until
   * {@link #breakLoop()} (throws InterruptedException). A file that libpcap cannot read to its end
   * (cut inside a packet, an absurd record length) ends there too, normally, with {@link #damage()}
   * saying where; a live read error (an interface gone) becomes an AgentException naming the
   * source and how many packets were delivered before it.
   *
   * <p>Timestamps: handles are opened with microsecond precision, so libpcap itself scales
   * nanosecond pcaps and pcapng interfaces of any if_tsresol to microseconds (truncating), and
   * {@code ts.tv_usec} is always microseconds here.
   *
   * <p>Live, {@code pcap_next_ex} returns 0 when the read timeout ({@value #LIVE_TIMEOUT_MS} ms)
   * passes without a packet, and -2 after pcap_breakloop() (on Linux it also wakes a blocked
   * poll). On a file -2 means end of file, but also pcap_breakloop() (libpcap 1.10's
   * pcap_offline_read), so a file is never broken with pcap_breakloop(): the loop checks
   * {@link #breakRequested} instead, one volatile read per packet.
   */
  public void loop(FrameHandler handler) throws InterruptedException {
    final Pointer p = pcap;
    final Pointer hdr = header;
    final Pointer dat = data;
    final byte[] ptrs = outBytes;
    final byte[] h = headerBytes;
    final boolean isLive = live;
    while (true) {
      if (!isLive && breakRequested) {
        breakRequested = false;
        throw new InterruptedException("loop broken");
      }
      int rc = PcapNative.pcap_next_ex(p, headerOut, dataOut);
      if (rc == 1) {
        // Three native reads per packet: the two pointers, the pcap_pkthdr, the captured bytes;
        // the fields are parsed in Java with native-order VarHandles (intrinsics).
        out.read(0, ptrs, 0, ptrs.length);
        Pointer.nativeValue(hdr, address(ptrs, 0));
        Pointer.nativeValue(dat, address(ptrs, Native.POINTER_SIZE));
        hdr.read(0, h, 0, h.length);
        long sec = nativeWord(h, PcapNative.TS_SEC_OFFSET, Native.LONG_SIZE);
        long usec = nativeWord(h, PcapNative.TS_USEC_OFFSET, PcapNative.TS_USEC_SIZE);
        int caplen = (int) INT.get(h, PcapNative.CAPLEN_OFFSET);
        int len = (int) INT.get(h, PcapNative.LEN_OFFSET);
        byte[] buf = buffer;
        if (caplen > buf.length) {
          buf = buffer = new byte[caplen];
        }
        if (caplen > 0) {
          dat.read(0, buf, 0, caplen);
        }
        delivered++;
        handler.frame(buf, caplen, len, sec * 1_000_000L + usec);
      } else if (rc == 0) {
        // Live read timeout, nothing arrived. pcap_breakloop() normally ends the read with -2;
        // this only guards against a break libpcap did not see.
        if (breakRequested) {
          breakRequested = false;
          throw new InterruptedException("loop broken");
        }
      } else if (rc == -2) {
        if (isLive) {
          breakRequested = false;
          throw new InterruptedException("pcap_breakloop");
        }
        return; // end of file
      } else if (!isLive) {
        // A file cut short or damaged: what came before it counts; where it broke is reported.
        damage = CaptureDamage.locate(file, error().replace('\n', ' ').strip());
        return;
      } else {
        throw new AgentException("capture error on " + description + " after " + delivered + " packets: "
            + error().replace('\n', ' ').strip());
      }
    }
  }

  /**
   * The same loop for callers that want each frame as its own exact-length array (tests, tools):
   * one copy per packet on top of {@link #loop(FrameHandler)}.
   */
  public void loop(PacketHandler handler) throws InterruptedException {
    loop((buf, caplen, len, micros) -> handler.packet(Arrays.copyOf(buf, caplen), micros));
  }

  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

  /** A native-order signed C word of 4 or 8 bytes (pointer, long, time_t) at {@code off}. */
  private static long nativeWord(byte[] b, int off, int size) {
    return size == 8 ? (long) LONG.get(b, off) : (int) INT.get(b, off);
  }

  private static long address(byte[] b, int off) {
    return Native.POINTER_SIZE == 8 ? (long) LONG.get(b, off) : (int) INT.get(b, off) & 0xffff_ffffL;
  }

  /** Where the file was found cut or damaged, null when it was read to its end (or is live). */
  public CaptureDamage damage() {
    return damage;
  }

  /** Packets handed to a handler so far. */
  public long delivered() {
    return delivered;
  }

  private String error() {
    try {
      String e = handle.getError();
      return e == null || e.isBlank() ? "libpcap read error" : e;
    } catch (NotOpenException e) {
      return "handle closed";
    }
  }

  /** Makes a running or the next {@link #loop} return with InterruptedException; any thread. */
  public void breakLoop() {
    breakRequested = true;
    if (!live) {
      // Not pcap_breakloop() on a file: pcap_next_ex would answer it with -2, the same code as
      // end of file, and a loop re-entered after a break would then end the file early.
      return;
    }
    try {
      handle.breakLoop(); // pcap_breakloop under pcap4j's handle lock: wakes a blocked live read
    } catch (NotOpenException e) {
      // Already closed: the loop is over anyway.
    }
  }

  /** libpcap's counters (ps_recv, ps_drop, ps_ifdrop); zeros for a file. */
  public long[] stats() {
    if (!live) {
      return new long[3];
    }
    try {
      PcapStat s = handle.getStats();
      return new long[] {s.getNumPacketsReceived(), s.getNumPacketsDropped(), s.getNumPacketsDroppedByIf()};
    } catch (PcapNativeException | NotOpenException e) {
      return new long[3];
    }
  }

  @Override
  public void close() {
    handle.close();
  }

  private static String available() {
    try {
      List<PcapNetworkInterface> all = Pcaps.findAllDevs();
      return all.stream().map(PcapNetworkInterface::getName).collect(Collectors.joining(", "));
    } catch (PcapNativeException e) {
      return "unknown";
    }
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replace('\n', ' ').strip();
  }
}
