package io.rstscope.processor.evaluate;

import java.util.Objects;

/**
 * What identifies one RST packet in the lab's truth and in a finding: the header fields the lab
 * writes into truth.json. Identical RSTs (a kernel answering three segments with three RSTs of IP
 * ID 0) share a key and are told apart by their order of occurrence.
 *
 * @param ipId the IPv4 ID, null for IPv6
 */
public record RstKey(String src, String dst, long seq, long ack, String flags, Integer ipId) {
  public RstKey {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    Objects.requireNonNull(flags, "flags");
  }

  @Override
  public String toString() {
    return src + " > " + dst + " " + flags + " seq " + seq + " ack " + ack + (ipId == null ? "" : " id " + ipId);
  }
}
