package io.rstscope.processor.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.PointRole;
import io.rstscope.avro.PointStatus;
import io.rstscope.schemas.KernelTraceLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelTracesTest {
  static final String SENT = "{\"ts\":\"2026-11-25T02:46:36.320330Z\",\"event\":\"tcp_send_reset\",\"src\":\"10.0.3.2:8081\","
      + "\"dst\":\"10.0.1.2:40001\",\"state\":\"UNKNOWN\",\"reason\":\"NO_SOCKET\"}";
  static final String ACCEPTED = "{\"ts\":\"2026-11-25T02:46:36.320400Z\",\"event\":\"tcp_receive_reset\","
      + "\"src\":\"10.0.3.2:8081\",\"dst\":\"10.0.1.2:40001\",\"state\":\"UNKNOWN\",\"reason\":null}";
  static final String LISTENER = "{\"ts\":\"2026-11-25T02:46:37Z\",\"event\":\"tcp_send_reset\",\"src\":\"0.0.0.0:8081\","
      + "\"dst\":\"0.0.0.0:0\",\"state\":\"TCP_LISTEN\",\"reason\":\"TCP_FLAGS\"}";

  @Test
  void shouldCoverTheHostsItsEventsShowAndCountBadLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("kernel.jsonl");
    Files.writeString(file, SENT + "\n" + ACCEPTED + "\n" + LISTENER + "\nnot json\n");
    KernelTraces.Trace t = KernelTraces.read(List.of(file.toString())).get(0);
    assertEquals("kernel", t.name());
    assertEquals(3, t.events().size());
    assertEquals(List.of("10.0.1.2", "10.0.3.2"), List.copyOf(t.addresses()),
        "the sender of a sent RST and the receiver of an accepted one; not the wildcard");
    assertEquals(1L, t.skipped().get(KernelTraceLines.Malformed.NOT_JSON_OBJECT));
    PointStatus s = t.status(Instant.parse("2026-12-02T00:00:00Z"));
    assertEquals(PointRole.KERNEL_PROBE, s.getRole());
    assertEquals("kernel:kernel", s.getPoint());
    assertEquals(Instant.EPOCH, s.getStartedAt(), "a recording is taken to cover the whole analysis");
    assertTrue(s.getFinished());
    assertEquals(1L, s.getAnomalies().get("not_json_object"));
  }

  @Test
  void shouldTakeTheAddressesGivenBeforeTheFileAndNameTwoRecordingsApart(@TempDir Path dir) throws Exception {
    Path a = Files.createDirectories(dir.resolve("a")).resolve("kernel.jsonl");
    Path b = Files.createDirectories(dir.resolve("b")).resolve("kernel.jsonl");
    Files.writeString(a, "");
    Files.writeString(b, SENT + "\n");
    List<KernelTraces.Trace> t = KernelTraces.read(List.of("10.0.3.2,2001:DB8::2=" + a, b.toString()));
    assertEquals(List.of("10.0.3.2", "2001:db8::2"), List.copyOf(t.get(0).addresses()));
    assertEquals("kernel", t.get(0).name());
    assertEquals("kernel-2", t.get(1).name());
  }

  @Test
  void shouldRefuseAMissingFileOrABadAddressInOneLine(@TempDir Path dir) throws Exception {
    CaptureFiles.BadInput missing = assertThrows(CaptureFiles.BadInput.class,
        () -> KernelTraces.read(List.of(dir.resolve("none.jsonl").toString())));
    assertTrue(missing.getMessage().contains("no such readable file"), missing.getMessage());
    Path f = Files.writeString(dir.resolve("k.jsonl"), SENT);
    CaptureFiles.BadInput address = assertThrows(CaptureFiles.BadInput.class,
        () -> KernelTraces.read(List.of("server.example=" + f)));
    assertTrue(address.getMessage().contains("not an IP address"), address.getMessage());
  }
}
