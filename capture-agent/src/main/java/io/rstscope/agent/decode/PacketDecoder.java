package io.rstscope.agent.decode;

/**
 * Decodes link, IP and TCP headers of one captured frame into a reusable {@link DecodedPacket}.
 * One small method per layer, dispatch kept apart from parsing (Zeek's packet analysers); every
 * offset is checked against the captured length, and bad bytes yield a named {@link Anomaly}
 * instead of an exception. Nothing is allocated per packet.
 *
 * <p>Lengths: the IP header's lengths say how long the TCP segment was on the wire; the captured
 * length (snap length) only limits what can be read. A zero IPv4 total length or IPv6 payload
 * length (TSO on the capturing host, jumbograms) means "as long as what was captured".
 */
public final class PacketDecoder {
  // Link-layer header types (libpcap's DLT_ values as pcap_datalink() returns them).
  public static final int DLT_NULL = 0;
  public static final int DLT_EN10MB = 1;
  public static final int DLT_RAW = 12;
  public static final int DLT_RAW_OPENBSD = 14;
  public static final int LINKTYPE_RAW = 101;
  public static final int DLT_LOOP = 108;
  public static final int DLT_LINUX_SLL = 113;
  public static final int DLT_IPV4 = 228;
  public static final int DLT_IPV6 = 229;
  public static final int DLT_LINUX_SLL2 = 276;

  static final int ETHERTYPE_IPV4 = 0x0800;
  static final int ETHERTYPE_IPV6 = 0x86DD;
  static final int ETHERTYPE_VLAN = 0x8100;
  static final int ETHERTYPE_QINQ = 0x88A8;
  static final int ETHERTYPE_QINQ_OLD1 = 0x9100;
  static final int ETHERTYPE_QINQ_OLD2 = 0x9200;
  static final int MAX_VLAN_TAGS = 4;
  static final int MAX_IPV6_EXT_HEADERS = 16;
  static final int PROTO_TCP = 6;

  private final int linkType;
  private final int link;

  private static final int LINK_ETHERNET = 1;
  private static final int LINK_RAW = 2;
  private static final int LINK_NULL = 3;
  private static final int LINK_LOOP = 4;
  private static final int LINK_SLL = 5;
  private static final int LINK_SLL2 = 6;
  private static final int LINK_IPV4 = 7;
  private static final int LINK_IPV6 = 8;
  private static final int LINK_UNSUPPORTED = 0;

  public PacketDecoder(int linkType) {
    this.linkType = linkType;
    this.link = linkOf(linkType);
  }

  public static boolean supports(int linkType) {
    return linkOf(linkType) != LINK_UNSUPPORTED;
  }

  public int linkType() {
    return linkType;
  }

  private static int linkOf(int linkType) {
    switch (linkType) {
      case DLT_EN10MB: return LINK_ETHERNET;
      case DLT_RAW: case DLT_RAW_OPENBSD: case LINKTYPE_RAW: return LINK_RAW;
      case DLT_NULL: return LINK_NULL;
      case DLT_LOOP: return LINK_LOOP;
      case DLT_LINUX_SLL: return LINK_SLL;
      case DLT_LINUX_SLL2: return LINK_SLL2;
      case DLT_IPV4: return LINK_IPV4;
      case DLT_IPV6: return LINK_IPV6;
      default: return LINK_UNSUPPORTED;
    }
  }

  /**
   * Decodes one frame. Returns {@link Anomaly#NONE} when {@code out} holds a TCP segment (which
   * may still carry a note in {@code out.note}), otherwise the anomaly that stopped decoding.
   */
  public Anomaly decode(byte[] frame, int capturedLength, long captureMicros, DecodedPacket out) {
    int len = Math.min(capturedLength, frame.length);
    out.reset(frame, len, captureMicros);
    switch (link) {
      case LINK_ETHERNET: return ethernet(frame, len, out);
      case LINK_RAW: return rawIp(frame, len, 0, out);
      case LINK_NULL: return nullLink(frame, len, out);
      case LINK_LOOP: return loopLink(frame, len, out);
      case LINK_SLL: return sll(frame, len, out);
      case LINK_SLL2: return sll2(frame, len, out);
      case LINK_IPV4: return ipv4(frame, len, 0, out);
      case LINK_IPV6: return ipv6(frame, len, 0, out);
      default: return Anomaly.UNSUPPORTED_LINK_TYPE;
    }
  }

  // ---- link layers ------------------------------------------------------------------------

  /* Ethernet II: dst MAC (6) | src MAC (6) | EtherType (2) | payload */
  private Anomaly ethernet(byte[] b, int len, DecodedPacket out) {
    if (len < 14) {
      return Anomaly.TRUNCATED_ETHERNET_HEADER;
    }
    return etherType(b, len, 14, u16(b, 12), out);
  }

  /* 802.1Q / 802.1ad tag: TCI (2) | inner EtherType (2); QinQ stacks several. */
  private Anomaly etherType(byte[] b, int len, int off, int type, DecodedPacket out) {
    int tags = 0;
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD1
        || type == ETHERTYPE_QINQ_OLD2) {
      if (++tags > MAX_VLAN_TAGS) {
        return Anomaly.TOO_MANY_VLAN_TAGS;
      }
      if (off + 4 > len) {
        return Anomaly.TRUNCATED_VLAN_HEADER;
      }
      type = u16(b, off + 2);
      off += 4;
    }
    if (type == ETHERTYPE_IPV4) {
      return ipv4(b, len, off, out);
    }
    if (type == ETHERTYPE_IPV6) {
      return ipv6(b, len, off, out);
    }
    return Anomaly.NON_IP;
  }

  /* Linux cooked v1: packet type (2) | ARPHRD (2) | addr len (2) | addr (8) | protocol (2) */
  private Anomaly sll(byte[] b, int len, DecodedPacket out) {
    if (len < 16) {
      return Anomaly.TRUNCATED_SLL_HEADER;
    }
    return etherType(b, len, 16, u16(b, 14), out);
  }

  /* Linux cooked v2: protocol (2) | reserved (2) | ifindex (4) | ARPHRD (2) | pkt type (1) | addr len (1) | addr (8) */
  private Anomaly sll2(byte[] b, int len, DecodedPacket out) {
    if (len < 20) {
      return Anomaly.TRUNCATED_SLL2_HEADER;
    }
    return etherType(b, len, 20, u16(b, 0), out);
  }

  /* BSD loopback: 4-byte address family in the capturing host's byte order. */
  private Anomaly nullLink(byte[] b, int len, DecodedPacket out) {
    if (len < 4) {
      return Anomaly.TRUNCATED_NULL_HEADER;
    }
    int family = (b[0] & 0xff) == 0 && (b[1] & 0xff) == 0 ? (int) u32(b, 0)
        : (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    return family(b, len, family, out);
  }

  /* OpenBSD loopback: the same, always network byte order. */
  private Anomaly loopLink(byte[] b, int len, DecodedPacket out) {
    if (len < 4) {
      return Anomaly.TRUNCATED_NULL_HEADER;
    }
    return family(b, len, (int) u32(b, 0), out);
  }

  private Anomaly family(byte[] b, int len, int family, DecodedPacket out) {
    switch (family) {
      case 2: return ipv4(b, len, 4, out);
      case 10: case 24: case 28: case 30: return ipv6(b, len, 4, out); // Linux, NetBSD/OpenBSD, FreeBSD, macOS
      default: return Anomaly.NON_IP;
    }
  }

  private Anomaly rawIp(byte[] b, int len, int off, DecodedPacket out) {
    if (len - off < 1) {
      return Anomaly.TRUNCATED_IPV4_HEADER;
    }
    int version = (b[off] & 0xff) >>> 4;
    if (version == 4) {
      return ipv4(b, len, off, out);
    }
    if (version == 6) {
      return ipv6(b, len, off, out);
    }
    return Anomaly.BAD_IP_VERSION;
  }

  // ---- IP ---------------------------------------------------------------------------------

  /*
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * |Version|  IHL  |Type of Service|          Total Length         |
   * |         Identification        |Flags|      Fragment Offset    |
   * |  Time to Live |    Protocol   |         Header Checksum       |
   * |                       Source Address                          |
   * |                    Destination Address                        |
   * |                    Options (IHL > 5)                          |
   */
  private Anomaly ipv4(byte[] b, int len, int off, DecodedPacket out) {
    int avail = len - off;
    if (avail < 20) {
      return Anomaly.TRUNCATED_IPV4_HEADER;
    }
    int vihl = b[off] & 0xff;
    if (vihl >>> 4 != 4) {
      return Anomaly.BAD_IP_VERSION;
    }
    int ihl = (vihl & 0x0f) * 4;
    if (ihl < 20) {
      return Anomaly.BAD_IPV4_HEADER_LENGTH;
    }
    if (avail < ihl) {
      return Anomaly.TRUNCATED_IPV4_HEADER;
    }
    int total = u16(b, off + 2);
    if (total == 0) {
      total = avail; // TSO: the stack left the length for the NIC to fill in
    } else if (total < ihl) {
      return Anomaly.BAD_IPV4_TOTAL_LENGTH;
    }
    int fragment = u16(b, off + 6);
    out.ipVersion = 4;
    out.ipId = u16(b, off + 4);
    out.dontFragment = (fragment & 0x4000) != 0;
    out.ttl = b[off + 8] & 0xff;
    out.srcLo = u32(b, off + 12);
    out.dstLo = u32(b, off + 16);
    if ((b[off + 9] & 0xff) != PROTO_TCP) {
      return Anomaly.NON_TCP;
    }
    if ((fragment & 0x1fff) != 0) {
      return Anomaly.NON_FIRST_FRAGMENT;
    }
    out.firstFragment = (fragment & 0x2000) != 0;
    return tcp(b, len, off + ihl, total - ihl, out);
  }

  /*
   * | Version| Traffic Class |           Flow Label                  |
   * |         Payload Length        |  Next Header  |   Hop Limit   |
   * |                 Source Address (16)                           |
   * |              Destination Address (16)                         |
   * then extension headers, each naming the next, until TCP.
   */
  private Anomaly ipv6(byte[] b, int len, int off, DecodedPacket out) {
    if (len - off < 40) {
      return Anomaly.TRUNCATED_IPV6_HEADER;
    }
    if ((b[off] & 0xff) >>> 4 != 6) {
      return Anomaly.BAD_IP_VERSION;
    }
    int payloadLength = u16(b, off + 4);
    int next = b[off + 6] & 0xff;
    out.ipVersion = 6;
    out.ttl = b[off + 7] & 0xff;
    out.srcHi = u64(b, off + 8);
    out.srcLo = u64(b, off + 16);
    out.dstHi = u64(b, off + 24);
    out.dstLo = u64(b, off + 32);
    int cur = off + 40;
    int end = payloadLength == 0 ? len : cur + payloadLength;
    for (int i = 0; i < MAX_IPV6_EXT_HEADERS; i++) {
      switch (next) {
        case PROTO_TCP:
          if (end < cur) {
            return Anomaly.BAD_IPV6_PAYLOAD_LENGTH;
          }
          return tcp(b, len, cur, end - cur, out);
        case 0: case 43: case 60: case 135: case 139: case 140: // hop-by-hop, routing, dest opts, mobility, HIP, shim6
          if (cur + 8 > len) {
            return Anomaly.TRUNCATED_IPV6_EXT_HEADER;
          }
          next = b[cur] & 0xff;
          cur += ((b[cur + 1] & 0xff) + 1) * 8;
          break;
        case 51: // AH: length in 4-octet units minus 2
          if (cur + 8 > len) {
            return Anomaly.TRUNCATED_IPV6_EXT_HEADER;
          }
          next = b[cur] & 0xff;
          cur += ((b[cur + 1] & 0xff) + 2) * 4;
          break;
        case 44: { // fragment: next (1) | reserved (1) | offset (13 bits) res (2) M (1) | identification (4)
          if (cur + 8 > len) {
            return Anomaly.TRUNCATED_IPV6_EXT_HEADER;
          }
          next = b[cur] & 0xff;
          int offsetFlags = u16(b, cur + 2);
          out.ipId = u32(b, cur + 4);
          if ((offsetFlags & 0xfff8) != 0) {
            return next == PROTO_TCP ? Anomaly.NON_FIRST_FRAGMENT : Anomaly.NON_TCP;
          }
          out.firstFragment = (offsetFlags & 1) != 0;
          cur += 8;
          break;
        }
        default: // ICMPv6, UDP, ESP (encrypted), no next header, ...
          return Anomaly.NON_TCP;
      }
    }
    return Anomaly.IPV6_EXT_HEADER_CHAIN_TOO_LONG;
  }

  // ---- TCP --------------------------------------------------------------------------------

  /*
   * |          Source Port          |       Destination Port        |
   * |                        Sequence Number                        |
   * |                    Acknowledgment Number                      |
   * |  Data |     |N|C|E|U|A|P|R|S|F|                               |
   * | Offset| Res |S|W|C|R|C|S|S|Y|I|            Window             |
   * |           Checksum            |         Urgent Pointer        |
   * |                    Options (data offset > 5)                  |
   */
  private Anomaly tcp(byte[] b, int len, int off, int segmentLength, DecodedPacket out) {
    if (segmentLength < 20 || len - off < 20) {
      return Anomaly.TRUNCATED_TCP_HEADER;
    }
    int headerLength = ((b[off + 12] & 0xff) >>> 4) * 4;
    if (headerLength < 20 || headerLength > segmentLength) {
      return Anomaly.BAD_TCP_DATA_OFFSET;
    }
    out.srcPort = u16(b, off);
    out.dstPort = u16(b, off + 2);
    out.seq = u32(b, off + 4);
    out.ack = u32(b, off + 8);
    out.tcpFlags = (b[off + 13] & 0xff) | (b[off + 12] & 0x01) << 8;
    out.window = u16(b, off + 14);
    out.payloadOffset = off + headerLength;
    out.payloadLength = segmentLength - headerLength;
    out.payloadCaptured = Math.max(0, Math.min(len, off + segmentLength) - out.payloadOffset);
    if (headerLength > 20) {
      out.hasOptions = true;
      int optionsEnd = off + headerLength;
      if (optionsEnd > len) {
        out.note = Anomaly.TRUNCATED_TCP_OPTIONS;
      }
      options(b, off + 20, optionsEnd, Math.min(optionsEnd, len), out);
    }
    if ((out.tcpFlags & 0x04) != 0) {
      // A RST's data is not part of the stream (RFC 9293 3.5.3): a diagnostic payload or other data, never a hint.
      RstPayload.read(b, out);
    } else if (out.payloadCaptured > 0) {
      PayloadHints.recognise(b, out.payloadOffset, out.payloadCaptured, out);
    }
    return Anomaly.NONE;
  }

  /* kind (1) | length (1) | value; kinds 0 (end) and 1 (no-op) are one byte. */
  private static void options(byte[] b, int i, int declaredEnd, int end, DecodedPacket out) {
    while (i < end) {
      int kind = b[i] & 0xff;
      if (kind == 0) {
        return;
      }
      if (kind == 1) {
        i++;
        continue;
      }
      if (i + 1 >= end) {
        noteOption(i + 1 >= declaredEnd ? Anomaly.BAD_TCP_OPTION : Anomaly.TRUNCATED_TCP_OPTIONS, out);
        return;
      }
      int length = b[i + 1] & 0xff;
      if (length < 2 || i + length > declaredEnd) {
        noteOption(Anomaly.BAD_TCP_OPTION, out);
        return;
      }
      if (i + length > end) {
        noteOption(Anomaly.TRUNCATED_TCP_OPTIONS, out);
        return;
      }
      boolean ok = true;
      switch (kind) {
        case 2:
          ok = length == 4;
          if (ok) {
            out.mss = u16(b, i + 2);
          }
          break;
        case 3:
          ok = length == 3;
          if (ok) {
            out.windowScale = b[i + 2] & 0xff;
          }
          break;
        case 4:
          ok = length == 2;
          out.sackPermitted |= ok;
          break;
        case 5:
          ok = length >= 10 && (length - 2) % 8 == 0;
          if (ok) {
            out.sackBlocks = (length - 2) / 8;
          }
          break;
        case 8:
          ok = length == 10;
          if (ok) {
            out.hasTimestamps = true;
            out.tsVal = u32(b, i + 2);
            out.tsEcr = u32(b, i + 6);
          }
          break;
        default:
          break; // MPTCP, TFO cookie, MD5, ...: skipped by length
      }
      if (!ok) {
        noteOption(Anomaly.BAD_TCP_OPTION, out);
        return;
      }
      i += length;
    }
  }

  private static void noteOption(Anomaly anomaly, DecodedPacket out) {
    if (out.note == Anomaly.NONE) {
      out.note = anomaly;
    }
  }

  static int u16(byte[] b, int i) {
    return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
  }

  static long u32(byte[] b, int i) {
    return ((long) (b[i] & 0xff) << 24) | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
  }

  static long u64(byte[] b, int i) {
    return u32(b, i) << 32 | u32(b, i + 4);
  }
}
