package io.rstscope.agent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rstscope.avro.KernelEvent;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.KernelReason;
import io.rstscope.schemas.KernelTcpState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Lines as this machine's kernel (6.18) prints them in trace_pipe, copied from a run on loopback in a namespace. */
class TraceLineTest {
  static final String SEND = "         python3-11573   [000] ..s1.   476.513699: tcp_send_reset: skbaddr=000000002548c378"
      + " skaddr=0000000000000000 src=127.0.0.1:9 dest=127.0.0.1:35814 state=UNKNOWN reason=NO_SOCKET";

  static String text(io.rstscope.avro.Endpoint e) {
    return Endpoints.endpoint(e.getAddress(), e.getPort());
  }

  @Test
  void shouldReadASentResetWithItsReasonStateAndMicroseconds() {
    TraceLine.Parsed p = TraceLine.parse(SEND);
    assertEquals(TraceLine.Kind.EVENT, p.kind());
    assertEquals(KernelEvent.SEND_RESET, p.event());
    assertEquals(476_513_699L, p.traceMicros());
    assertEquals("127.0.0.1:9", text(p.src()));
    assertEquals("127.0.0.1:35814", text(p.dst()));
    assertEquals("UNKNOWN", p.state());
    assertEquals("NO_SOCKET", p.reason());
  }

  @ParameterizedTest
  @EnumSource(KernelReason.class)
  void shouldReadEveryReason(KernelReason reason) {
    assertEquals(reason.name(), TraceLine.parse(SEND.replace("NO_SOCKET", reason.name())).reason());
  }

  @ParameterizedTest
  @EnumSource(KernelTcpState.class)
  void shouldReadEveryState(KernelTcpState state) {
    assertEquals(state.name(), TraceLine.parse(SEND.replace("state=UNKNOWN", "state=" + state.name())).state());
  }

  @Test
  void shouldReadIpv6AndAListenersWildcardSource() {
    TraceLine.Parsed v6 = TraceLine.parse(SEND.replace("src=127.0.0.1:9 dest=127.0.0.1:35814",
        "src=[::1]:9 dest=[::1]:51518"));
    assertEquals("[::1]:9", text(v6.src()));
    TraceLine.Parsed listener = TraceLine.parse("         python3-12001   [001] ..s1.   500.194002: tcp_send_reset:"
        + " skbaddr=0000000095940579 skaddr=000000004fd8ed83 src=0.0.0.0:8200 dest=0.0.0.0:0 state=TCP_LISTEN"
        + " reason=TCP_FLAGS");
    assertEquals("0.0.0.0:8200", text(listener.src()));
    assertEquals("0.0.0.0:0", text(listener.dst()));
    assertEquals("TCP_LISTEN", listener.state());
  }

  @Test
  void shouldReadAKernelWithoutReasonField() {
    TraceLine.Parsed p = TraceLine.parse(SEND.replace(" reason=NO_SOCKET", ""));
    assertEquals(TraceLine.Kind.EVENT, p.kind());
    assertNull(p.reason());
  }

  @Test
  void shouldTurnAnAcceptedResetIntoTheRstsOwnDirection() {
    TraceLine.Parsed v4 = TraceLine.parse("         python3-11573   [000] .....   476.513724: tcp_receive_reset:"
        + " family=AF_INET sport=35814 dport=9 saddr=127.0.0.2 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.2"
        + " daddrv6=::ffff:127.0.0.1 sock_cookie=1");
    assertEquals(KernelEvent.RECEIVE_RESET, v4.event());
    assertEquals("127.0.0.1:9", text(v4.src()), "the peer sent the RST");
    assertEquals("127.0.0.2:35814", text(v4.dst()), "to this socket");
    assertNull(v4.reason());
    TraceLine.Parsed v6 = TraceLine.parse("         python3-11573   [000] .....   476.513935: tcp_receive_reset:"
        + " family=AF_INET6 sport=51518 dport=9 saddr=0.0.0.0 daddr=0.0.0.0 saddrv6=2001:db8::1 daddrv6=2001:db8::2"
        + " sock_cookie=2");
    assertEquals("[2001:db8::2]:9", text(v6.src()));
    assertEquals("[2001:db8::1]:51518", text(v6.dst()));
  }

  @Test
  void shouldKnowItsOwnMarkerAndTheKernelsLostEventsNote() {
    assertEquals(TraceLine.Kind.MARKER, TraceLine.parse(
        "           java-4242    [001] .....   501.000001: tracing_mark_write: rstscope-probe-stop").kind());
    TraceLine.Parsed lost = TraceLine.parse("CPU:1 [LOST 1234 EVENTS]");
    assertEquals(TraceLine.Kind.LOST, lost.kind());
    assertEquals(1234, lost.lost());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "   x-1 [000] ..... 12.5: tcp_send_reset: src=1.2.3.4:5",
      "   x-1 [000] ..... 12.000005: tcp_send_reset: src=1.2.3.999:5 dest=1.2.3.4:6 state=TCP_CLOSE reason=TCP_STATE",
      "   x-1 [000] ..... 12.000005: tcp_retransmit_skb: skbaddr=0 src=1.2.3.4:5",
      "   x-1 [000] ..... 12.000005: tcp_receive_reset: family=AF_INET sport=70000 dport=1 saddr=1.2.3.4 daddr=1.2.3.5"})
  void shouldCountWhatItCannotReadInsteadOfThrowing(String line) {
    TraceLine.Parsed p = TraceLine.parse(line);
    assertEquals(TraceLine.Kind.UNREADABLE, p.kind(), line);
    assertEquals(false, p.problem().isEmpty());
  }

  @Test
  void shouldReadTheHostsAddressesFromProcFiles() {
    assertEquals(List.of("10.0.1.2"), List.copyOf(HostAddresses.ipv4(List.of(
        "Main:", "  +-- 0.0.0.0/0 3 0 5", "     |-- 10.0.1.0", "        /24 link UNICAST",
        "Local:", "  +-- 10.0.1.0/24 2 0 2", "     |-- 10.0.1.2", "        /32 host LOCAL",
        "     |-- 127.0.0.1", "        /32 host LOCAL", "     |-- 10.0.1.255", "        /32 link BROADCAST"))));
    assertEquals(List.of("2001:db8::2"), List.copyOf(HostAddresses.ipv6(List.of(
        "20010db8000000000000000000000002 02 40 00 80 rkp-sv",
        "00000000000000000000000000000001 01 80 10 80       lo"))));
  }
}
