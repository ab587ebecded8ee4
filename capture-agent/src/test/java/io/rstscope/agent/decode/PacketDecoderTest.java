package io.rstscope.agent.decode;

import static io.rstscope.agent.decode.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import io.rstscope.schemas.TcpFlags;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketDecoderTest {
  private static final int SYN = TcpFlags.SYN;
  private static final int ACK = TcpFlags.ACK;
  private final DecodedPacket p = new DecodedPacket();

  private Anomaly decode(int linkType, byte[] frame) {
    return new PacketDecoder(linkType).decode(frame, frame.length, 123_456L, p);
  }

  private void assertIpv4Tcp() {
    assertEquals(4, p.ipVersion);
    assertArrayEquals(bytes(10, 0, 0, 1), p.srcAddress());
    assertArrayEquals(bytes(10, 0, 3, 2), p.dstAddress());
    assertEquals(40000, p.srcPort);
    assertEquals(443, p.dstPort);
    assertEquals(1000, p.seq);
    assertEquals(2000, p.ack);
    assertEquals(64, p.ttl);
    assertEquals(0x1234, p.ipId);
    assertTrue(p.dontFragment);
    assertEquals(123_456L, p.captureMicros);
  }

  @Test
  void shouldDecodeEthernetIpv4Tcp() {
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_EN10MB, concat(ethernet(0x0800), ipv4Tcp(SYN, new byte[0], new byte[0]))));
    assertIpv4Tcp();
    assertEquals(SYN, p.tcpFlags);
    assertFalse(p.hasOptions);
  }

  @Test
  void shouldDecode8021qAndQinQ() {
    byte[] single = concat(ethernet(0x8100), vlan(6, 0x0800), ipv4Tcp(ACK, new byte[0], new byte[0]));
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_EN10MB, single));
    assertIpv4Tcp();
    byte[] qinq = concat(ethernet(0x88a8), vlan(100, 0x8100), vlan(6, 0x0800), ipv4Tcp(ACK, new byte[0], new byte[0]));
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_EN10MB, qinq));
    assertIpv4Tcp();
  }

  @Test
  void shouldRejectTooManyAndTruncatedVlanTags() {
    byte[] five = concat(ethernet(0x8100), vlan(1, 0x8100), vlan(2, 0x8100), vlan(3, 0x8100), vlan(4, 0x8100), vlan(5, 0x0800),
        ipv4Tcp(ACK, new byte[0], new byte[0]));
    assertEquals(Anomaly.TOO_MANY_VLAN_TAGS, decode(PacketDecoder.DLT_EN10MB, five));
    assertEquals(Anomaly.TRUNCATED_VLAN_HEADER, decode(PacketDecoder.DLT_EN10MB, concat(ethernet(0x8100), bytes(0, 6))));
  }

  @Test
  void shouldDecodeLinuxCookedV1AndV2() {
    byte[] sll = concat(bytes(0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00), ipv4Tcp(ACK, new byte[0], new byte[0]));
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_LINUX_SLL, sll));
    assertIpv4Tcp();
    byte[] sll2 = concat(bytes(0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0),
        ipv6(6, 57, 20), tcp(1, 2, 3, 4, ACK, 5, new byte[0]));
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_LINUX_SLL2, sll2));
    assertEquals(6, p.ipVersion);
    assertEquals(57, p.ttl);
    assertEquals(DecodedPacket.NO_VALUE, p.ipId);
    assertEquals(Anomaly.TRUNCATED_SLL_HEADER, decode(PacketDecoder.DLT_LINUX_SLL, bytes(0, 0, 0, 1)));
    assertEquals(Anomaly.TRUNCATED_SLL2_HEADER, decode(PacketDecoder.DLT_LINUX_SLL2, bytes(8, 0, 0, 0)));
  }

  @Test
  void shouldDecodeRawIpForEveryRawLinkTypeValue() {
    for (int dlt : new int[] {PacketDecoder.DLT_RAW, PacketDecoder.DLT_RAW_OPENBSD, PacketDecoder.LINKTYPE_RAW, PacketDecoder.DLT_IPV4}) {
      assertEquals(Anomaly.NONE, decode(dlt, ipv4Tcp(ACK, new byte[0], new byte[0])), "DLT " + dlt);
      assertIpv4Tcp();
    }
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, concat(ipv6(6, 64, 20), tcp(1, 2, 3, 4, ACK, 5, new byte[0]))));
    assertEquals(6, p.ipVersion);
    assertEquals(Anomaly.BAD_IP_VERSION, decode(PacketDecoder.DLT_RAW, bytes(0x50, 0, 0, 0)));
  }

  @Test
  void shouldDecodeBsdLoopbackInEitherByteOrder() {
    byte[] packet = ipv4Tcp(ACK, new byte[0], new byte[0]);
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_NULL, concat(bytes(2, 0, 0, 0), packet)));
    assertIpv4Tcp();
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_NULL, concat(bytes(0, 0, 0, 2), packet)));
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_LOOP, concat(bytes(0, 0, 0, 2), packet)));
    byte[] v6 = concat(ipv6(6, 64, 20), tcp(1, 2, 3, 4, ACK, 5, new byte[0]));
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_NULL, concat(bytes(30, 0, 0, 0), v6))); // macOS AF_INET6
    assertEquals(6, p.ipVersion);
    assertEquals(Anomaly.NON_IP, decode(PacketDecoder.DLT_NULL, concat(bytes(7, 0, 0, 0), packet)));
    assertEquals(Anomaly.TRUNCATED_NULL_HEADER, decode(PacketDecoder.DLT_NULL, bytes(2, 0)));
  }

  @Test
  void shouldSkipIpv4Options() {
    byte[] options = bytes(0x07, 7, 4, 0, 0, 0, 0, 1); // record route + end
    byte[] tcp = tcp(40000, 443, 1000, 2000, ACK, 100, new byte[0]);
    byte[] frame = concat(ipv4(6, 64, 0x1234, 0x4000, options, tcp.length + 3), tcp, bytes('a', 'b', 'c'));
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, frame));
    assertIpv4Tcp();
    assertEquals(3, p.payloadLength);
  }

  @Test
  void shouldDecodeOnlyTheFirstFragment() {
    byte[] tcp = tcp(40000, 443, 1000, 2000, ACK, 100, new byte[0]);
    byte[] first = concat(ipv4(6, 64, 0x1234, 0x2000, new byte[0], tcp.length + 8), tcp, new byte[8]);
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, first));
    assertTrue(p.firstFragment);
    assertEquals(8, p.payloadLength);
    byte[] later = concat(ipv4(6, 64, 0x1234, 0x0004, new byte[0], 24), new byte[24]);
    assertEquals(Anomaly.NON_FIRST_FRAGMENT, decode(PacketDecoder.DLT_RAW, later));
  }

  @Test
  void shouldWalkIpv6ExtensionHeaders() {
    byte[] hopByHop = bytes(60, 0, 1, 4, 0, 0, 0, 0);           // next: dest opts; PadN
    byte[] destOpts = bytes(44, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); // next: fragment, 16 bytes
    byte[] fragment = bytes(6, 0, 0, 1, 0, 0, 0x12, 0x34);        // offset 0, M=1, id 0x1234
    byte[] tcp = tcp(1, 2, 3, 4, SYN, 5, bytes(2, 4, 0x05, 0xa0));
    byte[] frame = concat(ipv6(0, 64, hopByHop.length + destOpts.length + fragment.length + tcp.length),
        hopByHop, destOpts, fragment, tcp);
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, frame));
    assertEquals(0x1234, p.ipId);
    assertTrue(p.firstFragment);
    assertEquals(1440, p.mss);
    assertEquals(0, p.payloadLength);
    byte[] laterFragment = concat(ipv6(44, 64, 16), bytes(6, 0, 0, 0x10, 0, 0, 0, 1), new byte[8]);
    assertEquals(Anomaly.NON_FIRST_FRAGMENT, decode(PacketDecoder.DLT_RAW, laterFragment));
    assertEquals(Anomaly.NON_TCP, decode(PacketDecoder.DLT_RAW, concat(ipv6(50, 64, 8), new byte[8]))); // ESP
    assertEquals(Anomaly.TRUNCATED_IPV6_EXT_HEADER, decode(PacketDecoder.DLT_RAW, concat(ipv6(0, 64, 8), bytes(6, 0))));
    byte[] chain = ipv6(60, 64, 8 * 17);
    for (int i = 0; i < 17; i++) {
      chain = concat(chain, bytes(60, 0, 1, 4, 0, 0, 0, 0));
    }
    assertEquals(Anomaly.IPV6_EXT_HEADER_CHAIN_TOO_LONG, decode(PacketDecoder.DLT_RAW, chain));
  }

  @Test
  void shouldDecodeEveryTcpFlagIncludingEceCwrNs() {
    int all = TcpFlags.FIN | TcpFlags.SYN | TcpFlags.RST | TcpFlags.PSH | TcpFlags.ACK | TcpFlags.URG
        | TcpFlags.ECE | TcpFlags.CWR | TcpFlags.NS;
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(all, new byte[0], new byte[0])));
    assertEquals(all, p.tcpFlags);
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(TcpFlags.NS | ACK, new byte[0], new byte[0])));
    assertEquals(TcpFlags.NS | ACK, p.tcpFlags);
  }

  @Test
  void shouldDecodeEveryTcpOption() {
    byte[] options = concat(
        bytes(2, 4, 0x05, 0xb4),                       // MSS 1460
        bytes(1, 3, 3, 7),                             // NOP, window scale 7
        bytes(4, 2),                                   // SACK permitted
        bytes(8, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe), // timestamps 1, 4294967294
        bytes(5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4), // SACK, 2 blocks
        bytes(0));                                     // end of list (40 bytes in all)
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(SYN, options, new byte[0])));
    assertTrue(p.hasOptions);
    assertEquals(1460, p.mss);
    assertEquals(7, p.windowScale);
    assertTrue(p.sackPermitted);
    assertEquals(2, p.sackBlocks);
    assertTrue(p.hasTimestamps);
    assertEquals(1, p.tsVal);
    assertEquals(4294967294L, p.tsEcr);
    assertEquals(Anomaly.NONE, p.note);
  }

  @Test
  void shouldSkipUnknownOptionsByTheirLength() {
    byte[] options = bytes(30, 6, 0, 0, 0, 0, 34, 2, 2, 4, 0x05, 0xb4); // MPTCP, TFO cookie request, MSS
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(SYN, options, new byte[0])));
    assertEquals(1460, p.mss);
    assertEquals(Anomaly.NONE, p.note);
  }

  @Test
  void shouldNoteBadTcpOptionButKeepThePacket() {
    byte[] zeroLength = bytes(2, 4, 0x05, 0xb4, 8, 0, 0, 0);
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(SYN, zeroLength, new byte[0])));
    assertEquals(Anomaly.BAD_TCP_OPTION, p.note);
    assertEquals(1460, p.mss);
    byte[] overrun = bytes(8, 40, 0, 0);
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(SYN, overrun, new byte[0])));
    assertEquals(Anomaly.BAD_TCP_OPTION, p.note);
    byte[] wrongMssLength = bytes(2, 3, 5, 0);
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(SYN, wrongMssLength, new byte[0])));
    assertEquals(Anomaly.BAD_TCP_OPTION, p.note);
    assertEquals(DecodedPacket.NO_VALUE, p.mss);
  }

  @Test
  void shouldRecogniseTlsClientHelloSni() {
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(ACK | TcpFlags.PSH, new byte[0], clientHello("blocked.example.com"))));
    assertEquals(DecodedPacket.HINT_TLS_CLIENT_HELLO, p.hintKind);
    assertEquals("blocked.example.com", p.sni());
    // Cut by the snap length before the extension: still a ClientHello, no name.
    byte[] full = ipv4Tcp(ACK, new byte[0], clientHello("blocked.example.com"));
    assertEquals(Anomaly.NONE, new PacketDecoder(PacketDecoder.DLT_RAW).decode(full, full.length - 30, 0, p));
    assertEquals(DecodedPacket.HINT_TLS_CLIENT_HELLO, p.hintKind);
    assertNull(p.sni());
  }

  @Test
  void shouldRecogniseHttpRequestLineAndHost() {
    byte[] req = ascii("GET /search?q=forbidden HTTP/1.1\r\nUser-Agent: x\r\nhOsT:  www.example.org \r\n\r\n");
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(ACK, new byte[0], req)));
    assertEquals(DecodedPacket.HINT_HTTP_REQUEST, p.hintKind);
    assertEquals("GET", p.httpMethod());
    assertEquals("/search?q=forbidden", p.httpTarget());
    assertEquals("www.example.org", p.httpHost());
    assertEquals(req.length, p.payloadLength);
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(ACK, new byte[0], ascii("GETTING STARTED\r\n"))));
    assertEquals(DecodedPacket.HINT_NONE, p.hintKind);
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, ipv4Tcp(ACK, new byte[0], ascii("HTTP/1.1 200 OK\r\n"))));
    assertEquals(DecodedPacket.HINT_NONE, p.hintKind);
  }

  @Test
  void shouldNameEveryMalformedPacket() {
    byte[] good = ipv4Tcp(ACK, new byte[0], new byte[0]);
    assertEquals(Anomaly.TRUNCATED_ETHERNET_HEADER, decode(PacketDecoder.DLT_EN10MB, bytes(1, 2, 3)));
    assertEquals(Anomaly.NON_IP, decode(PacketDecoder.DLT_EN10MB, concat(ethernet(0x0806), new byte[28]))); // ARP
    assertEquals(Anomaly.TRUNCATED_IPV4_HEADER, decode(PacketDecoder.DLT_RAW, Arrays.copyOf(good, 12)));
    byte[] badIhl = good.clone();
    badIhl[0] = 0x43;
    assertEquals(Anomaly.BAD_IPV4_HEADER_LENGTH, decode(PacketDecoder.DLT_RAW, badIhl));
    byte[] longIhl = good.clone();
    longIhl[0] = 0x4f; // 60-byte header, only 40 bytes captured
    assertEquals(Anomaly.TRUNCATED_IPV4_HEADER, decode(PacketDecoder.DLT_RAW, Arrays.copyOf(longIhl, 40)));
    byte[] shortTotal = good.clone();
    shortTotal[2] = 0;
    shortTotal[3] = 10;
    assertEquals(Anomaly.BAD_IPV4_TOTAL_LENGTH, decode(PacketDecoder.DLT_RAW, shortTotal));
    assertEquals(Anomaly.NON_TCP, decode(PacketDecoder.DLT_RAW, concat(ipv4(17, 64, 1, 0, new byte[0], 8), new byte[8])));
    assertEquals(Anomaly.TRUNCATED_TCP_HEADER, decode(PacketDecoder.DLT_RAW, Arrays.copyOf(good, 30)));
    byte[] badOffset = good.clone();
    badOffset[20 + 12] = 0x30; // data offset 3 words
    assertEquals(Anomaly.BAD_TCP_DATA_OFFSET, decode(PacketDecoder.DLT_RAW, badOffset));
    byte[] offsetBeyondSegment = good.clone();
    offsetBeyondSegment[20 + 12] = (byte) 0xf0; // 60-byte header in a 20-byte segment
    assertEquals(Anomaly.BAD_TCP_DATA_OFFSET, decode(PacketDecoder.DLT_RAW, offsetBeyondSegment));
    assertEquals(Anomaly.TRUNCATED_IPV6_HEADER, decode(PacketDecoder.DLT_RAW, Arrays.copyOf(ipv6(6, 1, 0), 30)));
    assertEquals(Anomaly.BAD_IPV6_PAYLOAD_LENGTH, decode(PacketDecoder.DLT_RAW,
        concat(ipv6(0, 64, 4), bytes(6, 0, 1, 4, 0, 0, 0, 0), tcp(1, 2, 3, 4, ACK, 5, new byte[0]))));
    assertEquals(Anomaly.UNSUPPORTED_LINK_TYPE, decode(147, good));
    assertFalse(PacketDecoder.supports(147));
  }

  @Test
  void shouldTakeLengthFromCaptureWhenIpv4TotalLengthIsZero() {
    byte[] tso = ipv4Tcp(ACK, new byte[0], new byte[100]);
    tso[2] = 0;
    tso[3] = 0;
    assertEquals(Anomaly.NONE, decode(PacketDecoder.DLT_RAW, tso));
    assertEquals(100, p.payloadLength);
  }

  @Test
  void shouldTakePayloadLengthFromIpNotFromSnapLength() {
    byte[] frame = ipv4Tcp(ACK, new byte[0], new byte[1000]);
    assertEquals(Anomaly.NONE, new PacketDecoder(PacketDecoder.DLT_RAW).decode(frame, 60, 0, p));
    assertEquals(1000, p.payloadLength);
    assertEquals(20, p.payloadCaptured);
  }

  @Test
  void shouldNeverThrowOnTruncatedOrCorruptedBytes() {
    byte[][] seeds = {
        concat(ethernet(0x8100), vlan(6, 0x0800), ipv4Tcp(ACK, bytes(2, 4, 5, 0xb4, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2), clientHello("a.example"))),
        concat(ethernet(0x86dd), ipv6(0, 64, 60), bytes(44, 0, 1, 4, 0, 0, 0, 0), bytes(6, 0, 0, 1, 0, 0, 0, 9),
            tcp(1, 2, 3, 4, ACK, 5, bytes(5, 10, 0, 0, 0, 1, 0, 0, 0, 2)), ascii("POST /x HTTP/1.1\r\nHost: h\r\n\r\n"))};
    Random random = new Random(42);
    PacketDecoder decoder = new PacketDecoder(PacketDecoder.DLT_EN10MB);
    int decodedCount = 0;
    for (byte[] seed : seeds) {
      for (int cut = 0; cut <= seed.length; cut++) {
        assertNotNull(decoder.decode(Arrays.copyOf(seed, cut), cut, 0, p));
      }
      for (int i = 0; i < 50_000; i++) {
        byte[] mutated = seed.clone();
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
          mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
        }
        Anomaly a = decoder.decode(mutated, random.nextInt(mutated.length + 1), 0, p);
        assertTrue(a == Anomaly.NONE || a.dropsPacket(), a.label());
        if (a == Anomaly.NONE) {
          decodedCount++;
        }
      }
    }
    assertTrue(decodedCount > 0, "some mutations must still decode");
  }
}
