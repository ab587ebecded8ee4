package io.rstscope.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.KernelEvent;
import io.rstscope.avro.KernelReset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class KernelTraceLinesTest {
  static final String EXAMPLE = "{\"ts\":\"2026-11-25T01:02:03.123456Z\",\"event\":\"tcp_send_reset\","
      + "\"src\":\"192.0.2.10:40201\",\"dst\":\"203.0.113.10:8200\",\"state\":\"TCP_ESTABLISHED\","
      + "\"reason\":\"TCP_KEEPALIVE_TIMEOUT\"}";

  @Test
  void shouldReadTheDocumentedExampleAndWriteItBackByteForByte() {
    KernelTraceLines.Parsed p = KernelTraceLines.read(EXAMPLE, "server");
    KernelReset e = p.event();
    assertNull(p.problem());
    assertEquals("server", e.getHost());
    assertEquals(KernelEvent.SEND_RESET, e.getEvent());
    assertEquals(Instant.parse("2026-11-25T01:02:03.123456Z"), e.getTime());
    assertEquals("192.0.2.10:40201", Endpoints.endpoint(e.getSrc().getAddress(), e.getSrc().getPort()));
    assertEquals("TCP_ESTABLISHED", e.getState());
    assertEquals("TCP_KEEPALIVE_TIMEOUT", e.getReason());
    assertEquals(FlowKeys.of(new byte[] {(byte) 203, 0, 113, 10}, 8200, new byte[] {(byte) 192, 0, 2, 10}, 40201),
        e.getFlow(), "the flow key is the canonical one, the same as the packets'");
    assertEquals(EXAMPLE, KernelTraceLines.write(e));
  }

  @ParameterizedTest
  @EnumSource(KernelReason.class)
  void shouldCarryEveryKernelReason(KernelReason reason) {
    String line = EXAMPLE.replace("TCP_KEEPALIVE_TIMEOUT", reason.name());
    KernelReset e = KernelTraceLines.read(line, "h").event();
    assertEquals(reason.name(), e.getReason());
    assertEquals(reason, KernelReason.named(e.getReason()).orElseThrow());
    assertEquals(line, KernelTraceLines.write(e));
  }

  @Test
  void shouldNumberTheReasonsAsTheKernelDoes() {
    assertEquals(25, KernelReason.values().length);
    for (KernelReason r : KernelReason.values()) {
      assertEquals(r.ordinal(), r.code, r.name());
    }
    assertEquals(15, KernelReason.TCP_KEEPALIVE_TIMEOUT.code);
    assertEquals(24, KernelReason.ERROR.code);
  }

  @ParameterizedTest
  @EnumSource(KernelTcpState.class)
  void shouldCarryEveryTcpState(KernelTcpState state) {
    String line = EXAMPLE.replace("TCP_ESTABLISHED", state.name());
    KernelReset e = KernelTraceLines.read(line, "h").event();
    assertEquals(state, KernelTcpState.named(e.getState()).orElseThrow());
    assertEquals(line, KernelTraceLines.write(e));
  }

  @Test
  void shouldKeepAReasonAndAStateThisVersionDoesNotKnowAsText() {
    String line = EXAMPLE.replace("TCP_KEEPALIVE_TIMEOUT", "TCP_SOMETHING_NEW").replace("TCP_ESTABLISHED", "TCP_BOUND");
    KernelReset e = KernelTraceLines.read(line, "h").event();
    assertEquals("TCP_SOMETHING_NEW", e.getReason());
    assertTrue(KernelReason.named(e.getReason()).isEmpty());
    assertEquals("TCP_BOUND", e.getState());
    assertEquals(line, KernelTraceLines.write(e));
  }

  @Test
  void shouldReadIpv6AndWriteItInBrackets() {
    String line = "{\"ts\":\"2026-11-25T01:02:03.000001Z\",\"event\":\"tcp_send_reset\",\"src\":\"[2001:db8:3::2]:8080\","
        + "\"dst\":\"[2001:db8:1::2]:40000\",\"state\":\"UNKNOWN\",\"reason\":\"NO_SOCKET\"}";
    KernelReset e = KernelTraceLines.read(line, "h").event();
    assertEquals(16, e.getSrc().getAddress().remaining());
    assertEquals(line, KernelTraceLines.write(e));
  }

  @Test
  void shouldTurnAnIpv4MappedAddressIntoTheIpv4AddressThePacketsCarry() {
    String line = EXAMPLE.replace("192.0.2.10:40201", "[::ffff:192.0.2.10]:40201");
    KernelReset e = KernelTraceLines.read(line, "h").event();
    assertArrayEquals(new byte[] {(byte) 192, 0, 2, 10}, Endpoints.bytes(e.getSrc().getAddress()));
    assertEquals(EXAMPLE, KernelTraceLines.write(e));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0:8200", "[::]:8200"})
  void shouldReadAListeningSocketsWildcardSource(String src) {
    String line = EXAMPLE.replace("192.0.2.10:40201", src).replace("203.0.113.10:8200", src.replace("8200", "0"))
        .replace("TCP_ESTABLISHED", "TCP_LISTEN").replace("TCP_KEEPALIVE_TIMEOUT", "TCP_FLAGS");
    KernelReset e = KernelTraceLines.read(line, "h").event();
    assertTrue(Endpoints.isWildcard(e.getSrc().getAddress()));
    assertEquals(8200, e.getSrc().getPort());
    assertEquals(0, e.getDst().getPort());
    assertEquals(line, KernelTraceLines.write(e));
  }

  @Test
  void shouldReadAReceiveResetWithoutReason() {
    String line = "{\"ts\":\"2026-11-25T01:02:03.123456Z\",\"event\":\"tcp_receive_reset\",\"src\":\"203.0.113.10:8200\","
        + "\"dst\":\"192.0.2.10:40201\",\"state\":\"UNKNOWN\",\"reason\":null}";
    KernelReset e = KernelTraceLines.read(line, "client").event();
    assertEquals(KernelEvent.RECEIVE_RESET, e.getEvent());
    assertNull(e.getReason());
    assertEquals(line, KernelTraceLines.write(e));
    String bare = "{\"ts\":\"2026-11-25T01:02:03.123456Z\",\"event\":\"tcp_receive_reset\",\"src\":\"203.0.113.10:8200\","
        + "\"dst\":\"192.0.2.10:40201\"}";
    assertEquals(line, KernelTraceLines.write(KernelTraceLines.read(bare, "client").event()),
        "state and reason may be left out");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "not json", "[]", "{", "{\"ts\":1}", "{\"ts\":\"2026-11-25T01:02:03Z\"} trailing",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_send_reset\",\"src\":\"1.2.3.4:5\"}",
      "{\"ts\":\"yesterday\",\"event\":\"tcp_send_reset\",\"src\":\"1.2.3.4:5\",\"dst\":\"1.2.3.5:6\"}",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_retransmit_skb\",\"src\":\"1.2.3.4:5\",\"dst\":\"1.2.3.5:6\"}",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_send_reset\",\"src\":\"1.2.3.400:5\",\"dst\":\"1.2.3.5:6\"}",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_send_reset\",\"src\":\"1.2.3.4:65536\",\"dst\":\"1.2.3.5:6\"}",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_send_reset\",\"src\":\"2001:db8::1:5\",\"dst\":\"1.2.3.5:6\"}",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_send_reset\",\"src\":\"[1.2.3.4]:5\",\"dst\":\"1.2.3.5:6\"}",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_send_reset\",\"src\":\"example.com:5\",\"dst\":\"1.2.3.5:6\"}",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_send_reset\",\"src\":\"1.2.3.4:5\",\"dst\":\"1.2.3.5:6\",\"state\":7}",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_send_reset\",\"src\":\"1.2.3.4:5\",\"dst\":\"1.2.3.5:6\",\"reason\":\"\\x\"}",
      "{\"ts\":\"2026-11-25T01:02:03Z\",\"event\":\"tcp_send_reset\",\"src\":\"1.2.3.4:5\",\"dst\":\"1.2.3.5:6\"",
  })
  void shouldNameWhatIsWrongWithAMalformedLineInsteadOfThrowing(String line) {
    KernelTraceLines.Parsed p = KernelTraceLines.read(line, "h");
    assertNull(p.event(), line);
    assertTrue(p.problem() != null, line);
  }

  @Test
  void shouldCountAndSkipBadLinesOfARecordingAndKeepTheRest(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("kernel.jsonl");
    byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, '{', '}', '\n'};
    Files.write(file, (EXAMPLE + "\n\n" + "garbage\n" + EXAMPLE.replace("tcp_send_reset", "tcp_probe") + "\n"
        + "x".repeat(KernelTraceLines.MAX_LINE + 1) + "\n").getBytes(StandardCharsets.UTF_8));
    Files.write(file, notUtf8, java.nio.file.StandardOpenOption.APPEND);
    Files.write(file, (EXAMPLE + "\n").getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
    KernelTraceLines.Recording r = KernelTraceLines.readFile(file, "server");
    assertEquals(2, r.events().size());
    assertEquals(4, r.skippedTotal());
    assertEquals(2L, r.skipped().get(KernelTraceLines.Malformed.NOT_JSON_OBJECT));
    assertEquals(1L, r.skipped().get(KernelTraceLines.Malformed.UNKNOWN_EVENT));
    assertEquals(1L, r.skipped().get(KernelTraceLines.Malformed.TOO_LONG));
    assertEquals(List.of("server", "server"), r.events().stream().map(KernelReset::getHost).toList());
  }

  @Test
  void shouldRoundTripThroughTheKafkaSerde() {
    KernelReset e = KernelTraceLines.read(EXAMPLE, "server").event();
    AvroSerde<KernelReset> serde = AvroSerde.of(KernelReset.class);
    assertEquals(e, serde.fromBytes(serde.toBytes(e)));
    assertEquals(Topics.defaults().packets.partitions(), Topics.defaults().kernel.partitions(),
        "co-partitioned with the packets");
  }
}
