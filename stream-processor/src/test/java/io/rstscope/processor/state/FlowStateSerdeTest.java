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
    assertArrayEquals(serde.toBytes(f), serde.toBytes(serde.fromBytes(old)), "reads the first layout into the same state");
    assertThrows(SerializationException.class, () -> serde.fromBytes(java.util.Arrays.copyOf(old, old.length - 3)));

    // Layout 2: a run's first ACK and first payload times, and what a RST's payload said.
    Segment run = segment("P1", 4, true, 0x10, 11);
    run.progress = true;
    run.progressPackets = 7;
    run.progressBytes = 3000;
    run.progressFirstMicros = 4;
    run.progressFirstAckMicros = 5;
    run.progressFirstDataMicros = 4;
    f.add(run);
    Segment diagnostic = segment("P1", 6, false, 0x14, 13);
    diagnostic.rstDataFormat = "COMPACT";
    diagnostic.rstData = "reason code 2 (Desynchronized state), PEN 0";
    f.add(diagnostic);
    byte[] v2;
    try (java.io.InputStream in = getClass().getResourceAsStream("flow-state-v2.bin")) {
      v2 = in.readAllBytes();
    }
    assertArrayEquals(serde.toBytes(f), serde.toBytes(serde.fromBytes(v2)), "reads layout 2 into the same state");
    Segment back = serde.fromBytes(v2).segments.get(3);
    assertEquals(5, back.progressFirstAckMicros);
    assertEquals("COMPACT", serde.fromBytes(v2).segments.get(4).rstDataFormat);
    assertEquals(0, serde.fromBytes(v2).kernel.size());

    // Layout 3: layout 2 and the kernel notes (a listener's reset without a named peer, a RST a client accepted).
    KernelNote listener = new KernelNote();
    listener.host = "server";
    listener.sent = true;
    listener.tsMicros = 3; // within the segments' times: the state's last activity stays as in layout 2's bytes
    listener.hostPort = 8200;
    listener.peerUnnamed = true;
    listener.state = "TCP_LISTEN";
    listener.reason = "INVALID_SYN";
    f.addKernel(listener);
    KernelNote accepted = new KernelNote();
    accepted.host = "client";
    accepted.tsMicros = 5;
    accepted.fromLow = true;
    accepted.hostPort = 40000;
    accepted.state = "UNKNOWN";
    f.addKernel(accepted);
    byte[] v3;
    try (java.io.InputStream in = getClass().getResourceAsStream("flow-state-v3.bin")) {
      v3 = in.readAllBytes();
    }
    assertArrayEquals(v3, serde.toBytes(f), "same layout, same bytes");
    assertArrayEquals(v3, serde.toBytes(serde.fromBytes(v3)));
    assertEquals("INVALID_SYN", serde.fromBytes(v3).kernel.get(0).reason);
    assertEquals(5, serde.fromBytes(v3).segments.get(3).progressFirstAckMicros);
  }

  @Test
  void shouldRefuseALayoutItDoesNotKnow() {
    assertThrows(SerializationException.class, () -> new FlowStateSerde().fromBytes(new byte[] {9, 0}));
    assertNull(new FlowStateSerde().fromBytes(null));
  }

  @Test
  void shouldKeepKernelNotes() {
    FlowStateSerde serde = new FlowStateSerde();

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
    assertEquals(3, bytes[0]);
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
