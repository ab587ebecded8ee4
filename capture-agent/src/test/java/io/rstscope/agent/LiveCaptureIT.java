package io.rstscope.agent;

import static org.junit.jupiter.api.Assertions.*;

import io.rstscope.deploy.testing.KafkaTestCluster;
import io.rstscope.schemas.Topics;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Live capture on lo (needs root) while a bounded TCP exchange runs, publishing to a real broker. */
@ExtendWith(KafkaTestCluster.class)
class LiveCaptureIT {
  @Test
  void shouldCaptureLiveTrafficAndPublishItUntilStopped(KafkaTestCluster.Broker kafka) throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "live capture needs root");
    Topics topics = kafka.newTopics("live", 2);
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = server.getLocalPort();
      AgentConfig config = AgentConfig.builder().point("L1").iface("lo").filter("tcp port " + port)
          .heartbeatInterval(Duration.ofMillis(500)).bootstrap(kafka.bootstrap()).topics(topics).build();
      CaptureAgent agent = new CaptureAgent(config);
      CompletableFuture<AgentReport> run = CompletableFuture.supplyAsync(agent::run);
      Thread.sleep(1500); // let libpcap open the interface
      for (int i = 0; i < 5; i++) {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port); Socket accepted = server.accept()) {
          OutputStream out = client.getOutputStream();
          out.write(new byte[10_000]);
          out.flush();
          InputStream in = accepted.getInputStream();
          int read = 0;
          byte[] buf = new byte[4096];
          while (read < 10_000) {
            read += in.read(buf);
          }
          if (i == 4) {
            client.setSoLinger(true, 0); // abort: the last connection ends with a RST
          }
        }
      }
      Thread.sleep(1500);
      agent.stop();
      AgentReport report = run.get(30, TimeUnit.SECONDS);
      assertTrue(report.captured() >= 5 * 3, "handshakes captured: " + report.summaryLine());
      assertEquals(report.captured(), report.decoded());
      assertEquals(report.summaries(), report.published(), report.summaryLine());
      assertTrue(report.heartbeats() >= 3, "wall-clock heartbeats while live: " + report.heartbeats());
      assertTrue(report.watermarks() >= 2, "final watermarks on both partitions");
      var records = CaptureAgentIT.readAll(kafka.bootstrap(), topics.packets.name(), (int) report.summaries());
      long rsts = records.stream()
          .map(r -> topics.packets.valueSerde().deserializer().deserialize(r.topic(), r.value()))
          .filter(s -> (s.getTcpFlags() & io.rstscope.schemas.TcpFlags.RST) != 0).count();
      assertTrue(rsts >= 1, "the abort's RST was published");
    }
  }
}
