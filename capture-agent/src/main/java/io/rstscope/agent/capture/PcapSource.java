package io.rstscope.agent.capture;

import io.rstscope.agent.AgentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.stream.Collectors;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;

/**
 * libpcap through pcap4j, live or from a pcap/pcapng file, through one code path:
 * {@code handle.loop(-1, RawPacketListener)} with raw bytes and our own decoder (about ten times
 * faster than pcap4j's packet factory, BUILD-NOTES.md). {@link #breakLoop()} makes the loop
 * return (heartbeats of a live capture, stop); the caller re-enters it.
 */
public final class PcapSource implements AutoCloseable {
  /** Live read timeout: bounds how long a quiet interface holds a partial buffer. */
  static final int LIVE_TIMEOUT_MS = 100;

  private final PcapHandle handle;
  private final boolean live;
  private final String description;
  private final int linkType;

  private PcapSource(PcapHandle handle, boolean live, String description) {
    this.handle = handle;
    this.live = live;
    this.description = description;
    this.linkType = handle.getDlt().value();
  }

  public static PcapSource openFile(Path file, String filter) {
    if (!Files.exists(file)) {
      throw new AgentException("capture file not found: " + file);
    }
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      throw new AgentException("cannot read capture file: " + file);
    }
    PcapHandle handle;
    try {
      handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.MICRO);
    } catch (PcapNativeException e) {
      throw new AgentException("not a pcap or pcapng file: " + file + " (libpcap: " + oneLine(e) + ")");
    }
    PcapSource source = new PcapSource(handle, false, file.toString());
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
    PcapSource source = new PcapSource(handle, true, iface);
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
      handle.close();
      throw new AgentException("invalid capture filter '" + filter + "': " + oneLine(e));
    }
  }

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
   * Runs libpcap's loop until the end of a file (returns normally), or until {@link #breakLoop()}
   * (throws InterruptedException). A libpcap read error becomes an AgentException.
   */
  public void loop(PacketHandler handler) throws InterruptedException {
    PcapHandle h = handle;
    RawPacketListener listener = frame -> handler.packet(frame, micros(h.getTimestamp()));
    try {
      h.loop(-1, listener);
    } catch (PcapNativeException e) {
      throw new AgentException("capture error on " + description + ": " + oneLine(e));
    } catch (NotOpenException e) {
      throw new AgentException("capture handle of " + description + " is closed");
    }
  }

  public void breakLoop() {
    try {
      handle.breakLoop();
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

  static long micros(Timestamp ts) {
    return Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1_000;
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
