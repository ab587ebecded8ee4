package io.rstscope.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rstscope.avro.FlowKey;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class FlowKeysTest {

  @Test
  void shouldMatchTheCommunityIdSpecBaselineForTcp() throws Exception {
    // corelight/community-id-spec baseline: tcp 128.232.110.120:34855 -> 66.35.250.204:80, seed 0.
    byte[] src = InetAddress.getByName("128.232.110.120").getAddress();
    byte[] dst = InetAddress.getByName("66.35.250.204").getAddress();
    assertEquals("1:LQU9qZlK+B5F3KDmev6m5PMibrg=", FlowKeys.communityId(src, 34855, dst, 80, 6));
    assertEquals("1:LQU9qZlK+B5F3KDmev6m5PMibrg=", FlowKeys.communityId(dst, 80, src, 34855, 6));
    assertEquals("1:LQU9qZlK+B5F3KDmev6m5PMibrg=", FlowKeys.communityId(FlowKeys.of(dst, 80, src, 34855)));
  }

  @Test
  void shouldTellTheSameFlowExactlyAsEqualsDoes() {
    AvroSerde<FlowKey> serde = AvroSerde.of(FlowKey.class);
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 5_000; i++) {
      byte[] a = new byte[random.nextBoolean() ? 4 : 16];
      byte[] b = new byte[a.length];
      random.nextBytes(a);
      System.arraycopy(a, 0, b, 0, a.length);
      b[random.nextInt(b.length)] ^= (byte) (random.nextInt(3) == 0 ? 1 : 0); // sometimes the same address
      FlowKey x = FlowKeys.of(a, random.nextInt(4), b, random.nextInt(4));
      FlowKey decoded = serde.fromBytes(serde.toBytes(x)); // another instance, buffers of its own
      assertEquals(true, FlowKeys.same(x, decoded));
      assertEquals(FlowKeys.hash(x), FlowKeys.hash(decoded));
      FlowKey y = FlowKeys.of(b, random.nextInt(4), a, random.nextInt(4));
      assertEquals(x.equals(y), FlowKeys.same(x, y), x + " vs " + y);
      if (x.equals(y)) {
        assertEquals(FlowKeys.hash(x), FlowKeys.hash(y));
      }
    }
    FlowKey tcp = FlowKeys.of(new byte[] {10, 0, 0, 1}, 1, new byte[] {10, 0, 0, 2}, 2);
    FlowKey udp = new FlowKey(tcp.getLow(), tcp.getHigh(), 17);
    assertEquals(false, FlowKeys.same(tcp, udp));
  }

  @Test
  void shouldOrderEndpointsByUnsignedAddressThenPort() {
    byte[] high = {(byte) 192, (byte) 168, 0, 1};
    byte[] low = {10, 0, 0, 1};
    FlowKey key = FlowKeys.of(high, 80, low, 50000);
    assertEquals("10.0.0.1:50000-192.168.0.1:80", FlowKeys.text(key));
    FlowKey samePort = FlowKeys.of(low, 9000, low, 80);
    assertEquals(80, samePort.getLow().getPort());
  }

  @Test
  void shouldPrintIpv6EndpointsInRfc5952Form() throws Exception {
    assertEquals("[2001:db8::1]:443", Endpoints.endpoint(InetAddress.getByName("2001:db8:0:0:0:0:0:1").getAddress(), 443));
    assertEquals("fd00:0:1::2", Endpoints.address(InetAddress.getByName("fd00:0:1:0:0:0:0:2").getAddress()));
    assertEquals("::1", Endpoints.address(InetAddress.getByName("::1").getAddress()));
    assertEquals("2001:db8:1:1:1:1:1:1", Endpoints.address(InetAddress.getByName("2001:db8:1:1:1:1:1:1").getAddress()));
    assertThrows(IllegalArgumentException.class, () -> Endpoints.address(new byte[5]));
  }

  @Test
  void shouldPrintFlagsAsTcpdumpLettersAndParseThemBack() {
    assertEquals("RA", TcpFlags.letters(TcpFlags.RST | TcpFlags.ACK));
    assertEquals("R", TcpFlags.letters(TcpFlags.RST));
    assertEquals("FSU", TcpFlags.letters(TcpFlags.SYN | TcpFlags.FIN | TcpFlags.URG));
    assertEquals(TcpFlags.RST | TcpFlags.ACK, TcpFlags.parse("RA"));
    assertEquals(TcpFlags.RST | TcpFlags.ACK, TcpFlags.parse("R."));
    assertThrows(IllegalArgumentException.class, () -> TcpFlags.parse("RX"));
  }
}
