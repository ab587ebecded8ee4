package io.rstscope.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rstscope.agent.AgentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NetworkNamespaceTest {

  static String ownNamespace() throws Exception {
    return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
  }

  @Test
  void shouldRunInsideTheNamespaceAndComeBack() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a namespace");
    String name = "rsa-nstest-" + ProcessHandle.current().pid();
    assumeTrue(sh("ip", "netns", "add", name), "ip netns add failed");
    try {
      // An interface that exists only inside the namespace.
      assumeTrue(sh("ip", "netns", "exec", name, "ip", "link", "add", "rsa-dummy0", "type", "veth", "peer", "name", "rsa-dummy1"),
          "no veth links");
      assumeTrue(sh("ip", "netns", "exec", name, "ip", "link", "set", "rsa-dummy0", "up"), "link up failed");
      String before = ownNamespace();
      String inside = NetworkNamespace.within(name, () -> {
        try (PcapSource source = PcapSource.openLive("rsa-dummy0", 128, false, 1 << 20, true, "tcp")) {
          return ownNamespace() + " " + source.description();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertNotEquals(before, inside.split(" ")[0], "the action ran in another namespace");
      assertTrue(inside.endsWith("rsa-dummy0"), "libpcap opened the namespace's own interface: " + inside);
      assertEquals(before, ownNamespace(), "the thread came back to its own namespace");
      assertThrows(AgentException.class, () -> PcapSource.openLive("rsa-dummy0", 128, false, 1 << 20, true, "tcp"),
          "outside the namespace the interface does not exist");
    } finally {
      new ProcessBuilder("ip", "netns", "del", name).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static boolean sh(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @Test
  void shouldRefuseAnUnknownNamespaceInOneLine() {
    AgentException e = assertThrows(AgentException.class, () -> NetworkNamespace.within("rsa-does-not-exist", () -> 1));
    assertTrue(e.getMessage().startsWith("no such network namespace"), e.getMessage());
  }

  @Test
  void shouldJustRunTheActionWithoutANamespace() {
    assertEquals(42, NetworkNamespace.within(null, () -> 42));
  }
}
