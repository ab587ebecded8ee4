package io.rstscope.agent.kernel;

import io.rstscope.agent.AgentException;
import io.rstscope.agent.capture.NetworkNamespace;
import io.rstscope.schemas.Endpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The addresses configured on a host: in its network namespace when one is named, else in the probe's own. Read
 * from {@code /proc/thread-self/net} (per thread, so it follows setns): IPv4 from the LOCAL entries of
 * {@code fib_trie}, IPv6 from {@code if_inet6}. Loopback addresses are left out: every namespace has 127.0.0.1 and
 * ::1, so they cannot tell hosts apart on a shared kernel.
 */
final class HostAddresses {
  private static final Path NET = Path.of("/proc/thread-self/net");

  private HostAddresses() {}

  /** Address texts as {@link Endpoints#address(byte[])} writes them, sorted. */
  static Set<String> of(String netns) {
    return NetworkNamespace.within(netns, () -> {
      Set<String> out = new TreeSet<>();
      try {
        out.addAll(ipv4(Files.readAllLines(NET.resolve("fib_trie"))));
        Path v6 = NET.resolve("if_inet6");
        if (Files.exists(v6)) {
          out.addAll(ipv6(Files.readAllLines(v6)));
        }
      } catch (IOException e) {
        throw new AgentException("cannot read the host's addresses from " + NET + ": " + e.getMessage());
      }
      return out;
    });
  }

  /** {@code |-- 10.0.1.2} followed by {@code /32 host LOCAL}: an address of this host. */
  static Set<String> ipv4(List<String> fibTrie) {
    Set<String> out = new TreeSet<>();
    String last = null;
    for (String line : fibTrie) {
      String t = line.trim();
      if (t.startsWith("|-- ")) {
        last = t.substring(4).trim();
      } else if (last != null && t.startsWith("/32 host LOCAL")) {
        byte[] a = Endpoints.parseAddress(last);
        if ((a[0] & 0xff) != 127) {
          out.add(Endpoints.address(a));
        }
      }
    }
    return out;
  }

  /** One address per line: 32 hex digits, then index, prefix, scope, flags, interface name. */
  static Set<String> ipv6(List<String> ifInet6) {
    Set<String> out = new TreeSet<>();
    for (String line : ifInet6) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 6 || f[0].length() != 32 || "lo".equals(f[5])) {
        continue;
      }
      byte[] a = new byte[16];
      for (int i = 0; i < 16; i++) {
        a[i] = (byte) Integer.parseInt(f[0].substring(2 * i, 2 * i + 2), 16);
      }
      out.add(Endpoints.address(a));
    }
    return out;
  }
}
