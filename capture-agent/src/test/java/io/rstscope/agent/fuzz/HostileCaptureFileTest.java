package io.rstscope.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.AgentConfig;
import io.rstscope.agent.AgentException;
import io.rstscope.agent.AgentReport;
import io.rstscope.agent.CaptureAgent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated, corrupted and unsupported capture files fed to a real agent (libpcap through pcap4j,
 * no Kafka): each run either finishes with every bad packet counted as a named anomaly (a file cut
 * short or damaged: read up to there, with the damage reported), or stops with one AgentException
 * whose one-line message names the file; never another exception, never a hang.
 */
class HostileCaptureFileTest {
  private static final int FRAMES = 40;
  private static byte[] pcap;
  private static List<byte[]> frames;

  @TempDir
  Path dir;

  @BeforeAll
  static void buildCapture() {
    pcap = syntheticPcap(FRAMES);
    frames = framesOf(pcap);
    assertEquals(FRAMES, frames.size());
  }

  @Test
  void shouldReadAFileCutInsideAPacketUpToTheCutAndSaySo() throws IOException {
    Path f = write("cut.pcap", Arrays.copyOf(pcap, pcap.length - 7));
    AgentReport r = run(f).orThrow();
    assertEquals(frames.size() - 1, r.captured(), "complete packets before the cut");
    assertEquals(frames.size() - 1, r.damage().packets(), r.damage().text());
  }

  @Test
  void shouldRefuseFilesThatAreNotCaptures() throws IOException {
    Random random = new Random(7);
    byte[] garbage = new byte[4096];
    random.nextBytes(garbage);
    for (Path f : List.of(write("empty.pcap", new byte[0]), write("header-only.pcap", Arrays.copyOf(pcap, 10)),
        write("garbage.pcap", garbage), write("garbage.pcapng", pcapng(frames, 1, false, true)))) {
      Outcome o = run(f);
      assertTrue(o.error != null, f.getFileName() + " was accepted: " + (o.report == null ? "" : o.report.summaryLine()));
      assertClear(o.error, f);
    }
  }

  @Test
  void shouldReadUpToAnAbsurdRecordLengthAndSaySo() throws IOException {
    byte[] bad = pcap.clone();
    int second = 24 + 16 + frames.get(0).length;
    ByteBuffer.wrap(bad).order(order(pcap)).putInt(second + 8, 0x7fff_fff0); // incl_len of record 2
    AgentReport r = run(write("absurd-length.pcap", bad)).orThrow();
    assertEquals(1, r.captured());
    assertEquals(second, r.damage().offset(), r.damage().text());
  }

  @Test
  void shouldCountEveryCorruptedPacketAndKeepGoing() throws IOException {
    byte[] bad = pcap.clone();
    Random random = new Random(42);
    int off = 24;
    int n = 0;
    while (off + 16 <= bad.length) {
      int incl = ByteBuffer.wrap(bad).order(order(pcap)).getInt(off + 8);
      int data = off + 16;
      // Flip bytes in the link, IP and TCP headers, where lengths, versions and offsets live.
      for (int k = 0; k < 6 && incl > 0; k++) {
        bad[data + random.nextInt(Math.min(incl, 74))] ^= (byte) (1 + random.nextInt(255));
      }
      off = data + incl;
      n++;
    }
    Path f = write("corrupted.pcap", bad);
    AgentReport r = run(f).orThrow();
    assertEquals(n, r.captured());
    long dropped = r.captured() - r.decoded();
    assertTrue(dropped > 0, "no corrupted packet was refused: " + r.summaryLine());
    assertTrue(r.anomalies().values().stream().mapToLong(Long::longValue).sum() >= dropped,
        "packets refused without a named anomaly: " + r.summaryLine());
  }

  @Test
  void shouldCountPacketsOfAnUnsupportedLinkType() throws IOException {
    byte[] user0 = pcap.clone();
    ByteBuffer.wrap(user0).order(order(pcap)).putInt(20, 147); // DLT_USER0
    AgentReport r = run(write("user0.pcap", user0)).orThrow();
    assertEquals(frames.size(), r.captured());
    assertEquals(0, r.decoded());
    assertEquals(frames.size(), r.anomalies().getOrDefault("unsupported_link_type", 0L), r.summaryLine());
  }

  @Test
  void shouldCountAnUnsupportedLinkTypeEvenWithTheDefaultFilterThatLibpcapCannotCompileForIt() throws IOException {
    byte[] user0 = pcap.clone();
    ByteBuffer.wrap(user0).order(order(pcap)).putInt(20, 147); // DLT_USER0: no BPF "tcp" for it
    AgentReport r = run(write("user0-default-filter.pcap", user0), "tcp").orThrow();
    assertEquals(frames.size(), r.anomalies().getOrDefault("unsupported_link_type", 0L), r.summaryLine());
  }

  @Test
  void shouldNameTheFileAndLinkTypeWhenAGivenFilterCannotCompile() throws IOException {
    Path f = write("bad-filter.pcap", pcap.clone());
    Outcome o = run(f, "tcp and nonsense-word");
    assertClear(o.error, f);
    assertTrue(o.error.getMessage().contains("invalid capture filter"), o.error.getMessage());
  }

  @Test
  void shouldReadAWellFormedPcapngAndATruncatedOneUpToItsCut() throws IOException {
    AgentReport whole = run(write("whole.pcapng", pcapng(frames, 1, false, false))).orThrow();
    assertEquals(frames.size(), whole.captured());
    assertTrue(whole.decoded() > 0);

    assertNull(whole.damage());
    AgentReport cut = run(write("cut.pcapng", pcapng(frames, 1, true, false))).orThrow();
    assertEquals(frames.size() - 1, cut.captured());
    assertEquals(frames.size() - 1, cut.damage().packets(), cut.damage().text());
  }

  // ---- helpers ------------------------------------------------------------------------------

  private record Outcome(AgentReport report, AgentException error) {
    AgentReport orThrow() {
      if (error != null) {
        throw error;
      }
      return report;
    }
  }

  private static Outcome run(Path file) {
    // No BPF filter: with "tcp", libpcap would drop most corrupted frames before the decoder saw them.
    return run(file, "");
  }

  private static Outcome run(Path file, String filter) {
    AgentConfig config = AgentConfig.builder().point("P1").file(file).filter(filter).publish(false).build();
    try (CaptureAgent agent = new CaptureAgent(config)) {
      return new Outcome(agent.run(), null);
    } catch (AgentException e) {
      return new Outcome(null, e);
    }
  }

  private static void assertClear(AgentException e, Path file) {
    String m = e.getMessage();
    assertFalse(m == null || m.isBlank(), "empty message");
    assertFalse(m.contains("\n"), "message spans lines: " + m);
    assertTrue(m.contains(file.getFileName().toString()), "message does not name the file: " + m);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  /**
   * A well-formed little-endian pcap of Ethernet/IPv4/TCP frames: handshake, data with a
   * timestamp option, and a closing RST, repeated over several flows.
   */
  static byte[] syntheticPcap(int count) {
    ByteBuffer out = ByteBuffer.allocate(24 + count * (16 + 14 + 20 + 32 + 40)).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
    int[] flags = {0x02, 0x12, 0x10, 0x18, 0x04};
    for (int i = 0; i < count; i++) {
      int payload = flags[i % 5] == 0x18 ? 40 : 0;
      ByteBuffer f = ByteBuffer.allocate(14 + 20 + 32 + payload); // big-endian: network order
      f.put(new byte[] {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6}).putShort((short) 0x0800);
      f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 32 + payload)).putShort((short) i).putShort((short) 0x4000)
          .put((byte) 64).put((byte) 6).putShort((short) 0).putInt(0x0a000001).putInt(0x0a000302);
      f.putShort((short) (40000 + i / 5)).putShort((short) 443).putInt(1000 + i).putInt(i % 5 == 0 ? 0 : 5000)
          .put((byte) 0x80).put((byte) flags[i % 5]).putShort((short) 64240).putShort((short) 0).putShort((short) 0)
          .put(new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}); // data offset 8: NOP NOP timestamps
      f.put(new byte[payload]);
      byte[] frame = f.array();
      out.putInt(1_700_000_000 + i).putInt(i * 1000).putInt(frame.length).putInt(frame.length).put(frame);
    }
    return Arrays.copyOf(out.array(), out.position());
  }

  private static ByteOrder order(byte[] pcap) {
    return (pcap[0] & 0xff) == 0xd4 || (pcap[0] & 0xff) == 0x4d ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
  }

  private static List<byte[]> framesOf(byte[] pcap) {
    ByteBuffer b = ByteBuffer.wrap(pcap).order(order(pcap));
    List<byte[]> out = new ArrayList<>();
    int off = 24;
    while (off + 16 <= pcap.length) {
      int incl = b.getInt(off + 8);
      out.add(Arrays.copyOfRange(pcap, off + 16, off + 16 + incl));
      off += 16 + incl;
    }
    return out;
  }

  /** A pcapng (SHB, IDB, one EPB per frame), optionally cut inside the last block or with a broken magic. */
  private static byte[] pcapng(List<byte[]> frames, int linkType, boolean cutLast, boolean badMagic) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer shb = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
    shb.putInt(0x0A0D0D0A).putInt(28).putInt(badMagic ? 0x1A2B3C4E : 0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
        .putLong(-1L).putInt(28);
    out.writeBytes(shb.array());
    ByteBuffer idb = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    idb.putInt(1).putInt(20).putShort((short) linkType).putShort((short) 0).putInt(65535).putInt(20);
    out.writeBytes(idb.array());
    long micros = 1_700_000_000_000_000L;
    for (byte[] frame : frames) {
      int padded = (frame.length + 3) & ~3;
      int len = 32 + padded;
      ByteBuffer epb = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
      epb.putInt(6).putInt(len).putInt(0).putInt((int) (micros >>> 32)).putInt((int) micros)
          .putInt(frame.length).putInt(frame.length).put(frame);
      epb.position(len - 4);
      epb.putInt(len);
      out.writeBytes(epb.array());
      micros += 1000;
    }
    byte[] all = out.toByteArray();
    return cutLast ? Arrays.copyOf(all, all.length - 9) : all;
  }
}
