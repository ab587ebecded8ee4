package io.rstscope.agent.decode;

/**
 * Why a packet (or part of it) was not decoded. Every anomaly is counted by its {@link #label()}
 * in heartbeats and reports; bad bytes never throw.
 *
 * <p>{@link #dropsPacket()} anomalies mean the packet produced no TCP segment: for every packet,
 * exactly one of "decoded" or one dropping anomaly is counted, so {@code captured = decoded +
 * sum(dropping anomalies)}. The others are notes on a packet that was still decoded (a bad TCP
 * option stops option parsing, the header fields are still good).
 */
public enum Anomaly {
  NONE("none", false),
  UNSUPPORTED_LINK_TYPE("unsupported_link_type", true),
  TRUNCATED_ETHERNET_HEADER("truncated_ethernet_header", true),
  TRUNCATED_VLAN_HEADER("truncated_vlan_header", true),
  TOO_MANY_VLAN_TAGS("too_many_vlan_tags", true),
  TRUNCATED_SLL_HEADER("truncated_sll_header", true),
  TRUNCATED_SLL2_HEADER("truncated_sll2_header", true),
  TRUNCATED_NULL_HEADER("truncated_null_header", true),
  NON_IP("non_ip", true),
  TRUNCATED_IPV4_HEADER("truncated_ipv4_header", true),
  BAD_IP_VERSION("bad_ip_version", true),
  BAD_IPV4_HEADER_LENGTH("bad_ipv4_header_length", true),
  BAD_IPV4_TOTAL_LENGTH("bad_ipv4_total_length", true),
  NON_FIRST_FRAGMENT("non_first_fragment", true),
  TRUNCATED_IPV6_HEADER("truncated_ipv6_header", true),
  TRUNCATED_IPV6_EXT_HEADER("truncated_ipv6_ext_header", true),
  IPV6_EXT_HEADER_CHAIN_TOO_LONG("ipv6_ext_header_chain_too_long", true),
  BAD_IPV6_PAYLOAD_LENGTH("bad_ipv6_payload_length", true),
  NON_TCP("non_tcp", true),
  TRUNCATED_TCP_HEADER("truncated_tcp_header", true),
  BAD_TCP_DATA_OFFSET("bad_tcp_data_offset", true),
  // Notes: the packet is still decoded.
  BAD_TCP_OPTION("bad_tcp_option", false),
  TRUNCATED_TCP_OPTIONS("truncated_tcp_options", false);

  private static final Anomaly[] VALUES = values();

  private final String label;
  private final boolean dropsPacket;

  Anomaly(String label, boolean dropsPacket) {
    this.label = label;
    this.dropsPacket = dropsPacket;
  }

  /** The counter name, e.g. {@code truncated_ipv4_header}. */
  public String label() {
    return label;
  }

  public boolean dropsPacket() {
    return dropsPacket;
  }

  public static Anomaly of(int ordinal) {
    return VALUES[ordinal];
  }

  public static int count() {
    return VALUES.length;
  }
}
