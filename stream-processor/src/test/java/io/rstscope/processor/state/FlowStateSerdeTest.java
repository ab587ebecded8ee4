package io.rstscope.processor.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class FlowStateSerdeTest {
  private static Segment segment(String point, long ts, boolean fromLow, int flags, long seq) {
    Segment s = new Segment();
    s.point = point;
    s.tsMicros = ts;
    s.fromLow = fromLow;
    s.flags = flags;
    s.seq = seq;
    s.ack = 0xfffffffeL;
    s.len = 1448;
    s.ttl = 255;
    s.ttlMin = 255;
    s.ttlMax = 255;
    s.ipId = 65535;
    s.window = 65535;
    s.windowScale = 7;
    s.tsVal = 4_000_000_000L;
    return s;
  }

  @Test
  void shouldRoundTripEveryField() {
    FlowState f = new FlowState();
    f.add(segment("P1", 1, true, 0x02, 0xffffffffL));
    Segment progress = segment("P2", 2, false, 0x18, 7);
    progress.progress = true;
    progress.progressPackets = 12;
    progress.progressBytes = 17_000;
    progress.progressFirstMicros = 1;
    progress.progressSeqEnd = 0x80000000L;
    progress.ttlMin = 60;
    progress.ttlMax = 62;
    progress.ipId = null;
    progress.hintKind = "HTTP_REQUEST";
    progress.hintText = "GET h/é";
    f.add(progress);
    Segment rst = segment("P1", 3, false, 0x04, 9);
    rst.rstOccurrence = f.nextRstOccurrence(rst);
    f.add(rst);
    f.markDecided("abc");
    f.lateSightings = 3;
    FlowStateSerde serde = new FlowStateSerde();
    byte[] bytes = serde.toBytes(f);
    FlowState back = serde.fromBytes(bytes);
    assertArrayEquals(bytes, serde.toBytes(back), "what is read writes the same bytes");
    JsonSerde<FlowState> json = new JsonSerde<>(FlowState.class);
    assertEquals(new String(json.toBytes(f)), new String(json.toBytes(back)), "every field survives");
    assertEquals(0xffffffffL, back.segments.get(0).seq);
    assertEquals("syn", back.rolesFrom);
  }

  @Test
  void shouldWriteAndReadExactlyTheBytesOfTheStreamBasedLayout() throws Exception {
    FlowState f = new FlowState();
    f.add(segment("P1", 1, true, 0x02, 0xffffffffL));
    Segment hinted = segment("P\u00e9-2", 2, false, 0x18, 7);
    hinted.hintKind = "TLS_CLIENT_HELLO";
    hinted.hintText = "sni-\u00e9\u4e2d\u0000x";
    hinted.ipId = null;
    hinted.windowScale = null;
    hinted.tsVal = null;
    f.add(hinted);
    Segment rst = segment("P1", 3, false, 0x04, 9);
    rst.rstOccurrence = f.nextRstOccurrence(rst);
    f.add(rst);
    f.markDecided("id-1");
    // Written by the first, stream-based serde (the layout of existing stores and changelogs),
    // for exactly this state; kept as bytes so the layout cannot drift unnoticed.
    byte[] old;
    try (java.io.InputStream in = getClass().getResourceAsStream("flow-state-v1.bin")) {
      old = in.readAllBytes();
    }
    FlowStateSerde serde = new FlowStateSerde();
    assertArrayEquals(old, serde.toBytes(f), "same layout, same bytes");
    assertArrayEquals(old, serde.toBytes(serde.fromBytes(old)), "reads what the stream-based serde wrote");
    assertThrows(SerializationException.class, () -> serde.fromBytes(java.util.Arrays.copyOf(old, old.length - 3)));
  }

  @Test
  void shouldRefuseALayoutItDoesNotKnow() {
    assertThrows(SerializationException.class, () -> new FlowStateSerde().fromBytes(new byte[] {9, 0}));
    assertNull(new FlowStateSerde().fromBytes(null));
  }

  @Test
  void shouldKeepKernelNotesAndWriteAFlowWithoutThemAsBefore() {
    FlowState plain = new FlowState();
    plain.add(segment("P1", 1, true, 0x02, 5));
    FlowStateSerde serde = new FlowStateSerde();
    assertEquals(1, serde.toBytes(plain)[0], "no kernel notes: the earlier layout, byte for byte");

    FlowState f = new FlowState();
    f.add(segment("P1", 1, true, 0x02, 5));
    KernelNote n = new KernelNote();
    n.host = "server";
    n.sent = true;
    n.tsMicros = 1_764_000_000_123_456L;
    n.fromLow = false;
    n.hostPort = 8200;
    n.peerUnnamed = true;
    n.state = "TCP_LISTEN";
    n.reason = "TCP_FLAGS";
    f.addKernel(n);
    KernelNote accepted = new KernelNote();
    accepted.host = "client";
    accepted.tsMicros = 7;
    accepted.fromLow = true;
    accepted.state = "UNKNOWN";
    f.addKernel(accepted);
    byte[] bytes = serde.toBytes(f);
    assertEquals(2, bytes[0]);
    FlowState back = serde.fromBytes(bytes);
    assertEquals(2, back.kernel.size());
    KernelNote b = back.kernel.get(0);
    assertEquals("server", b.host);
    assertEquals(true, b.sent);
    assertEquals(n.tsMicros, b.tsMicros);
    assertEquals(false, b.fromLow);
    assertEquals(8200, b.hostPort);
    assertEquals(true, b.peerUnnamed);
    assertEquals("TCP_LISTEN", b.state);
    assertEquals("TCP_FLAGS", b.reason);
    assertNull(back.kernel.get(1).reason);
    assertEquals(false, back.kernel.get(1).sent);
    assertArrayEquals(bytes, serde.toBytes(back));
  }
}
