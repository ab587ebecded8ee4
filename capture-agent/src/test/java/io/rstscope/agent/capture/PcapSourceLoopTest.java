package io.rstscope.agent.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.AgentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the direct-mapped pcap_next_ex loop of {@link PcapSource}: every record of a file arrives
 * once, in order, with its bytes, captured and wire lengths and microsecond timestamp, through one
 * reused buffer (frames larger than the initial buffer included); nanosecond pcaps and pcapng
 * interfaces with if_tsresol are scaled to microseconds by libpcap; a file cut inside a record or
 * damaged ends after the complete records with a report of where; pcapng blocks of unknown type
 * are read past; breakLoop() ends a file loop and
 * a blocked live read promptly, and the loop resumes where it stopped.
 */
class PcapSourceLoopTest {
  @TempDir
  Path dir;

  /** One record as written and as it must be delivered. */
  record Rec(long sec, long subsec, int wireLength, byte[] captured) {}

  record Got(long micros, int capturedLength, int wireLength, byte[] bytes) {}

  private static List<Rec> records(int n, long subsecUnit) {
    Random random = new Random(11);
    List<Rec> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // Sizes from tiny to larger than the loop's initial buffer (2 KiB), some cut by the snap length.
      int caplen = i == 3 ? 9000 : i == 5 ? 0 : 14 + random.nextInt(1500);
      int wire = i % 4 == 1 ? caplen + 1 + random.nextInt(5000) : caplen;
      byte[] bytes = new byte[caplen];
      random.nextBytes(bytes);
      long subsec = (long) random.nextInt((int) (1_000_000L * subsecUnit / 1000)) + (i == 2 ? 999 : 0);
      out.add(new Rec(1_700_000_000L + i * 7L, Math.min(subsec, 1_000_000L * subsecUnit / 1000 - 1), wire, bytes));
    }
    return out;
  }

  private static byte[] pcap(List<Rec> recs, boolean nano, ByteOrder order) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer h = ByteBuffer.allocate(24).order(order);
    h.putInt(nano ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
        .putInt(262144).putInt(1);
    out.writeBytes(h.array());
    for (Rec r : recs) {
      ByteBuffer rh = ByteBuffer.allocate(16).order(order);
      rh.putInt((int) r.sec).putInt((int) r.subsec).putInt(r.captured.length).putInt(r.wireLength);
      out.writeBytes(rh.array());
      out.writeBytes(r.captured);
    }
    return out.toByteArray();
  }

  /** SHB, one IDB (with if_tsresol = 10^-tsresol s when given), one EPB per record. */
  private static byte[] pcapng(List<Rec> recs, int tsresol) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer shb = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
    shb.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L).putInt(28);
    out.writeBytes(shb.array());
    int idbLen = tsresol > 0 ? 20 + 8 + 4 : 20;
    ByteBuffer idb = ByteBuffer.allocate(idbLen).order(ByteOrder.LITTLE_ENDIAN);
    idb.putInt(1).putInt(idbLen).putShort((short) 1).putShort((short) 0).putInt(262144);
    if (tsresol > 0) {
      idb.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]); // if_tsresol
      idb.putShort((short) 0).putShort((short) 0); // opt_endofopt
    }
    idb.putInt(idbLen);
    out.writeBytes(idb.array());
    long unitsPerSec = tsresol > 0 ? (long) Math.pow(10, tsresol) : 1_000_000L;
    for (Rec r : recs) {
      long ts = r.sec * unitsPerSec + r.subsec;
      int padded = (r.captured.length + 3) & ~3;
      int len = 32 + padded;
      ByteBuffer epb = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
      epb.putInt(6).putInt(len).putInt(0).putInt((int) (ts >>> 32)).putInt((int) ts)
          .putInt(r.captured.length).putInt(r.wireLength).put(r.captured);
      epb.position(len - 4);
      epb.putInt(len);
      out.writeBytes(epb.array());
    }
    return out.toByteArray();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static List<Got> readAll(Path file) throws InterruptedException {
    List<Got> got = new ArrayList<>();
    try (PcapSource s = PcapSource.openFile(file, "")) {
      s.loop((FrameHandler) (buf, caplen, len, micros) ->
          got.add(new Got(micros, caplen, len, Arrays.copyOf(buf, caplen))));
      assertEquals(got.size(), s.delivered());
    }
    return got;
  }

  private static void assertDelivered(List<Rec> recs, List<Got> got, long subsecPerMicro) {
    assertEquals(recs.size(), got.size(), "records delivered");
    for (int i = 0; i < recs.size(); i++) {
      Rec r = recs.get(i);
      Got g = got.get(i);
      assertEquals(r.sec * 1_000_000L + r.subsec / subsecPerMicro, g.micros, "timestamp of record " + i);
      assertEquals(r.captured.length, g.capturedLength, "captured length of record " + i);
      assertEquals(r.wireLength, g.wireLength, "wire length of record " + i);
      assertArrayEquals(r.captured, g.bytes, "bytes of record " + i);
    }
  }

  @Test
  void shouldDeliverEveryRecordOfAMicrosecondPcapWithItsLengthsAndTimestamp() throws Exception {
    List<Rec> recs = records(60, 1000);
    assertDelivered(recs, readAll(write("le.pcap", pcap(recs, false, ByteOrder.LITTLE_ENDIAN))), 1);
    assertDelivered(recs, readAll(write("be.pcap", pcap(recs, false, ByteOrder.BIG_ENDIAN))), 1);
  }

  @Test
  void shouldScaleNanosecondPcapTimestampsToMicroseconds() throws Exception {
    List<Rec> recs = records(60, 1_000_000);
    assertDelivered(recs, readAll(write("nano.pcap", pcap(recs, true, ByteOrder.LITTLE_ENDIAN))), 1000);
  }

  @Test
  void shouldReadPcapngWithDefaultAndNanosecondResolution() throws Exception {
    List<Rec> micro = records(30, 1000);
    assertDelivered(micro, readAll(write("micro.pcapng", pcapng(micro, 0))), 1);
    List<Rec> nano = records(30, 1_000_000);
    assertDelivered(nano, readAll(write("nano.pcapng", pcapng(nano, 9))), 1000);
  }

  @Test
  void shouldHandEachFrameAsAnExactArrayThroughThePacketHandler() throws Exception {
    List<Rec> recs = records(20, 1000);
    List<byte[]> frames = new ArrayList<>();
    try (PcapSource s = PcapSource.openFile(write("f.pcap", pcap(recs, false, ByteOrder.LITTLE_ENDIAN)), "")) {
      s.loop((PacketHandler) (frame, micros) -> frames.add(frame));
    }
    for (int i = 0; i < recs.size(); i++) {
      assertArrayEquals(recs.get(i).captured, frames.get(i));
    }
  }

  @Test
  void shouldReadAFileCutInsideARecordUpToTheCutAndSayWhere() throws Exception {
    List<Rec> recs = records(10, 1000);
    byte[] whole = pcap(recs, false, ByteOrder.LITTLE_ENDIAN);
    int tenth = whole.length - 16 - recs.get(9).captured.length;
    Path cut = write("cut.pcap", Arrays.copyOf(whole, whole.length - 5));
    List<Got> got = new ArrayList<>();
    try (PcapSource s = PcapSource.openFile(cut, "")) {
      s.loop((FrameHandler) (buf, caplen, len, micros) -> got.add(new Got(micros, caplen, len, null)));
      CaptureDamage d = s.damage();
      assertEquals(9, d.packets());
      assertEquals(tenth, d.offset(), "the damaged record starts after the ninth");
      assertEquals(CaptureDamage.Kind.CUT_INSIDE_RECORD, d.kind());
      assertEquals(String.format("capture truncated after 9 packets (cut inside a record at byte %,d of %,d)", tenth,
          whole.length - 5), d.text());
      assertTrue(d.libpcap().contains("truncated"), d.libpcap());
    }
    assertEquals(9, got.size());

    // Cut inside the next record's 16-byte header: the complete records, then the same report.
    Path cutHeader = write("cut-header.pcap", Arrays.copyOf(whole, tenth + 7));
    try (PcapSource s = PcapSource.openFile(cutHeader, "")) {
      s.loop((FrameHandler) (b, c, l, m) -> {});
      assertEquals(9, s.delivered());
      assertEquals(tenth, s.damage().offset());
    }

    // A whole file has no damage.
    try (PcapSource s = PcapSource.openFile(write("whole.pcap", whole), "")) {
      s.loop((FrameHandler) (b, c, l, m) -> {});
      assertEquals(10, s.delivered());
      assertNull(s.damage());
    }
  }

  @Test
  void shouldReportAnImpossibleRecordLengthAsDamage() throws Exception {
    List<Rec> recs = records(6, 1000);
    byte[] whole = pcap(recs, false, ByteOrder.LITTLE_ENDIAN);
    int fourth = 24;
    for (int i = 0; i < 3; i++) {
      fourth += 16 + recs.get(i).captured.length;
    }
    ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN).putInt(fourth + 8, 0x7fff_0000);
    try (PcapSource s = PcapSource.openFile(write("garbage.pcap", whole), "")) {
      s.loop((FrameHandler) (b, c, l, m) -> {});
      assertEquals(3, s.delivered());
      assertEquals(CaptureDamage.Kind.IMPOSSIBLE_LENGTH, s.damage().kind());
      assertEquals(fourth, s.damage().offset());
      assertTrue(s.damage().text().startsWith("capture damaged after 3 packets"), s.damage().text());
    }
  }

  @Test
  void shouldReadPcapngPastBlocksOfUnknownTypeAndStopAtACut() throws Exception {
    List<Rec> recs = records(8, 1000);
    byte[] plain = pcapng(recs, 0);
    // A block of a type no reader knows (0x0BAD, 20 bytes) between the interface and the first packet.
    int firstEpb = 28 + 20;
    ByteBuffer unknown = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    unknown.putInt(0x0BAD).putInt(20).putInt(0xdeadbeef).putInt(0xcafe).putInt(20);
    ByteArrayOutputStream with = new ByteArrayOutputStream();
    with.write(plain, 0, firstEpb);
    with.writeBytes(unknown.array());
    with.write(plain, firstEpb, plain.length - firstEpb);
    byte[] bytes = with.toByteArray();
    assertDelivered(recs, readAll(write("unknown-block.pcapng", bytes)), 1);

    Path cut = write("cut.pcapng", Arrays.copyOf(bytes, bytes.length - 3));
    try (PcapSource s = PcapSource.openFile(cut, "")) {
      s.loop((FrameHandler) (b, c, l, m) -> {});
      assertEquals(7, s.delivered());
      CaptureDamage d = s.damage();
      assertEquals(7, d.packets(), d.toString());
      int lastEpb = bytes.length - (32 + ((recs.get(7).captured.length + 3) & ~3));
      assertEquals(lastEpb, d.offset(), d.toString());
      assertEquals(CaptureDamage.Kind.CUT_INSIDE_RECORD, d.kind());
    }
  }

  @Test
  void shouldStopAFileLoopOnBreakLoopAndResumeAtTheNextRecord() throws Exception {
    List<Rec> recs = records(50, 1000);
    List<Got> got = new ArrayList<>();
    try (PcapSource s = PcapSource.openFile(write("b.pcap", pcap(recs, false, ByteOrder.LITTLE_ENDIAN)), "")) {
      FrameHandler h = (buf, caplen, len, micros) -> {
        got.add(new Got(micros, caplen, len, Arrays.copyOf(buf, caplen)));
        if (got.size() == 20) {
          s.breakLoop(); // as a heartbeat timer or stop() would, here from the capture thread itself
        }
      };
      assertThrows(InterruptedException.class, () -> s.loop(h));
      assertEquals(20, got.size());
      s.loop(h);
    }
    assertDelivered(recs, got, 1);
  }

  @Test
  void shouldWakeABlockedLiveReadPromptlyOnBreakLoop() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "live capture needs root");
    // A filter nothing matches: the read only ever times out, breakLoop() must still end it.
    try (PcapSource s = PcapSource.openLive("lo", 128, false, 1 << 20, false, "tcp port 9 and tcp port 10")) {
      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
        for (int round = 0; round < 3; round++) {
          CountDownLatch started = new CountDownLatch(1);
          CompletableFuture<Throwable> loop = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            try {
              s.loop((FrameHandler) (b, c, l, m) -> {});
              return null;
            } catch (Throwable t) {
              return t;
            }
          });
          started.await();
          Thread.sleep(300); // inside pcap_next_ex, through several read timeouts
          long t0 = System.nanoTime();
          s.breakLoop();
          Throwable t;
          try {
            t = loop.get(2, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            t = e.getCause();
          }
          long ms = (System.nanoTime() - t0) / 1_000_000;
          assertTrue(t instanceof InterruptedException, "loop ended with " + t);
          assertTrue(ms < 1000, "breakLoop took " + ms + " ms");
        }
      });
    }
  }
}
