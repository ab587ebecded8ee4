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
