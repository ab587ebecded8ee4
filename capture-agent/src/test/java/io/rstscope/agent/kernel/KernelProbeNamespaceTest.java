package io.rstscope.agent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rstscope.agent.capture.NetworkNamespace;
import io.rstscope.avro.KernelEvent;
import io.rstscope.avro.KernelReset;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.KernelTraceLines;
import io.rstscope.schemas.Topics;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe against the real kernel: two network namespaces of our own joined by a veth pair, real sockets making
 * real RSTs (a connect to a closed port, an SO_LINGER 0 close), the probe of one namespace recording them. Needs
 * root (namespaces, tracefs); skipped otherwise.
 */
class KernelProbeNamespaceTest {
  static final String CLIENT = "rkp-c" + ProcessHandle.current().pid() % 10000;
  static final String SERVER = "rkp-s" + ProcessHandle.current().pid() % 10000;
  static final String CLIENT_IP = "198.51.100.1";
  static final String SERVER_IP = "198.51.100.2";
  static final Path INSTANCES = Path.of("/sys/kernel/tracing/instances");

  @BeforeAll
  static void network() throws Exception {
    assumeTrue(KernelProbe.missingPrivilege().isEmpty(), "needs root or CAP_SYS_ADMIN/CAP_PERFMON");
    assumeTrue(Files.isDirectory(Path.of("/sys/kernel/tracing/events/tcp/tcp_send_reset"))
        || Files.isDirectory(Path.of("/sys/kernel/tracing")), "no tracefs");
    String v = "rkp" + ProcessHandle.current().pid() % 10000;
    assumeTrue(sh("ip", "netns", "add", CLIENT) && sh("ip", "netns", "add", SERVER), "cannot create namespaces");
    assertTrue(sh("ip", "link", "add", v + "c", "type", "veth", "peer", "name", v + "s"));
    assertTrue(sh("ip", "link", "set", v + "c", "netns", CLIENT));
    assertTrue(sh("ip", "link", "set", v + "s", "netns", SERVER));
    assertTrue(sh("ip", "-n", CLIENT, "addr", "add", CLIENT_IP + "/24", "dev", v + "c"));
    assertTrue(sh("ip", "-n", SERVER, "addr", "add", SERVER_IP + "/24", "dev", v + "s"));
    assertTrue(sh("ip", "-n", CLIENT, "addr", "add", "2001:db8:7::1/64", "dev", v + "c", "nodad"));
    assertTrue(sh("ip", "-n", SERVER, "addr", "add", "2001:db8:7::2/64", "dev", v + "s", "nodad"));
    for (String ns : List.of(CLIENT, SERVER)) {
      assertTrue(sh("ip", "-n", ns, "link", "set", "lo", "up"));
      assertTrue(sh("ip", "-n", ns, "link", "set", ns.equals(CLIENT) ? v + "c" : v + "s", "up"));
    }
  }

  @AfterAll
  static void removeNetwork() throws Exception {
    sh("ip", "netns", "del", CLIENT);
    sh("ip", "netns", "del", SERVER);
  }

  static boolean sh(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  static KernelProbe.Config recordTo(String host, String netns, Path out) {
    return new KernelProbe.Config(host, Optional.of(netns), Optional.empty(), Map.of(), Topics.defaults(),
        Optional.of(out), Duration.ofMillis(200), Duration.ofMillis(200), 1000, Duration.ofSeconds(5));
  }

  /** Waits until a probe's instance exists with both events enabled (polls the file system, bounded). */
  static Path awaitInstance(long pid) throws Exception {
    Path dir = INSTANCES.resolve("rstscope-probe-" + pid);
    for (int i = 0; i < 600; i++) {
      Path enable = dir.resolve("events/tcp/tcp_receive_reset/enable");
      if (Files.exists(enable) && Files.readString(enable).trim().equals("1")) {
        return dir;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no tracefs instance " + dir);
  }

  /** A connect from the client to a port nobody listens on, and a server that closes with SO_LINGER 0. */
  static void makeResets() {
    NetworkNamespace.within(CLIENT, () -> {
      for (String target : List.of(SERVER_IP, "2001:db8:7::2")) {
        assertThrows(ConnectException.class, () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(target, 9), 2000);
          }
        });
      }
      return null;
    });
    ServerSocket listener = NetworkNamespace.within(SERVER, () -> {
      try {
        return new ServerSocket(8200, 5, java.net.InetAddress.getByName(SERVER_IP));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    try (listener) {
      Socket client = NetworkNamespace.within(CLIENT, () -> {
        try {
          return new Socket(SERVER_IP, 8200);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      try (client; Socket accepted = listener.accept()) {
        accepted.setSoLinger(true, 0);
        accepted.close();
        assertThrows(IOException.class, () -> {
          client.getOutputStream().write(1);
          client.getInputStream().read();
        }, "the client learns of the reset");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shouldRecordTheServersResetsWithReasonsAndRemoveItsInstance(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("server.jsonl");
    KernelProbe probe = new KernelProbe(recordTo("server", SERVER, out));
    CompletableFuture<KernelProbe.Report> run = CompletableFuture.supplyAsync(probe::run);
    Path instance = awaitInstance(ProcessHandle.current().pid());
    Instant before = Instant.now();
    makeResets();
    Instant after = Instant.now();
    Thread.sleep(300); // the kernel hands events to trace_pipe readers asynchronously
    probe.stop();
    KernelProbe.Report report = run.get(20, TimeUnit.SECONDS);
    assertFalse(Files.exists(instance), "the instance is removed when the probe stops");

    List<KernelReset> events = KernelTraceLines.readFile(out, "server").events();
    List<String> sent = events.stream().filter(e -> e.getEvent() == KernelEvent.SEND_RESET)
        .map(e -> Endpoints.endpoint(e.getSrc().getAddress(), e.getSrc().getPort()) + " " + e.getState() + " " + e.getReason())
        .toList();
    assertTrue(sent.contains(SERVER_IP + ":9 UNKNOWN NO_SOCKET"), sent.toString());
    assertTrue(sent.contains("[2001:db8:7::2]:9 UNKNOWN NO_SOCKET"), sent.toString());
    assertTrue(sent.contains(SERVER_IP + ":8200 TCP_CLOSE TCP_STATE"), "SO_LINGER 0 close: " + sent);
    for (KernelReset e : events) {
      String host = Endpoints.address(io.rstscope.schemas.KernelEvents.hostSide(e).getAddress());
      assertTrue(host.equals(SERVER_IP) || host.equals("2001:db8:7::2"), "only the server's events: " + e);
      assertTrue(!e.getTime().isBefore(before.minusMillis(5)) && !e.getTime().isAfter(after.plusMillis(5)),
          "the trace clock converted to UTC: " + e.getTime() + " not within " + before + " .. " + after);
    }
    assertTrue(events.stream().noneMatch(e -> e.getEvent() == KernelEvent.RECEIVE_RESET),
        "the server accepted no RST; the client's accepted one is not the server's");
    assertEquals(0, report.unreadable().values().stream().mapToLong(Long::longValue).sum(), report.toString());
  }

  @Test
  void shouldRecordTheResetTheClientAccepted(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("client.jsonl");
    KernelProbe probe = new KernelProbe(recordTo("client", CLIENT, out));
    CompletableFuture<KernelProbe.Report> run = CompletableFuture.supplyAsync(probe::run);
    awaitInstance(ProcessHandle.current().pid());
    makeResets();
    Thread.sleep(300);
    probe.stop();
    run.get(20, TimeUnit.SECONDS);
    List<String> accepted = KernelTraceLines.readFile(out, "client").events().stream()
        .filter(e -> e.getEvent() == KernelEvent.RECEIVE_RESET)
        .map(e -> Endpoints.endpoint(e.getSrc().getAddress(), e.getSrc().getPort())).toList();
    assertTrue(accepted.contains(SERVER_IP + ":9"), "refused connect: " + accepted);
    assertTrue(accepted.contains(SERVER_IP + ":8200"), "the server's abort ended the connection: " + accepted);
  }

  @Test
  void shouldRemoveItsInstanceOnSigterm(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("sigterm.jsonl");
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-cp", classpath, "io.rstscope.agent.cli.ProbeMain",
        "--host", "server", "--netns", SERVER, "--out", out.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("probe.log").toFile()).start();
    try {
      Path instance = awaitInstance(p.pid());
      makeResets();
      Thread.sleep(300);
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the probe exits on SIGTERM");
      assertFalse(Files.exists(instance), "SIGTERM removes the instance: " + Files.readString(dir.resolve("probe.log")));
      assertTrue(Files.readString(out).contains("\"reason\":\"NO_SOCKET\""), "what was read before is written out");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void shouldRemoveItsInstanceWhenItFails() throws Exception {
    // /dev/full takes the probe's first line and then refuses to write it out (ENOSPC): the probe fails mid-run.
    KernelProbe probe = new KernelProbe(recordTo("server", SERVER, Path.of("/dev/full")));
    CompletableFuture<KernelProbe.Report> run = CompletableFuture.supplyAsync(probe::run);
    Path instance = awaitInstance(ProcessHandle.current().pid());
    makeResets();
    java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> run.get(20, TimeUnit.SECONDS));
    assertTrue(failed.getCause() instanceof io.rstscope.agent.AgentException, failed.getCause().toString());
    assertFalse(Files.exists(instance), "a failing probe removes its instance too");
  }
}
