package io.rstscope.agent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.CaptureAgentIT;
import io.rstscope.avro.KernelEvent;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PointRole;
import io.rstscope.avro.PointStatus;
import io.rstscope.deploy.testing.KafkaTestCluster;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The probe publishing to a real broker: events keyed and partitioned like the packets, and its heartbeats. Root. */
@ExtendWith(KafkaTestCluster.class)
class KernelProbeKafkaTest {

  @BeforeAll
  static void network() throws Exception {
    KernelProbeNamespaceTest.network();
  }

  @AfterAll
  static void removeNetwork() throws Exception {
    KernelProbeNamespaceTest.removeNetwork();
  }

  @Test
  void shouldPublishTheServersResetsKeyedByFlowAndHeartbeatsWithItsAddresses(KafkaTestCluster.Broker kafka)
      throws Exception {
    Topics topics = kafka.newTopics("probe", 4);
    KernelProbe probe = new KernelProbe(new KernelProbe.Config("server", Optional.of(KernelProbeNamespaceTest.SERVER),
        Optional.of(kafka.bootstrap()), Map.of(), topics, Optional.empty(), Duration.ofMillis(200),
        Duration.ofMillis(200), 1000, Duration.ofSeconds(30)));
    CompletableFuture<KernelProbe.Report> run = CompletableFuture.supplyAsync(probe::run);
    var instance = KernelProbeNamespaceTest.awaitInstance(ProcessHandle.current().pid());
    KernelProbeNamespaceTest.makeResets();
    Thread.sleep(500);
    probe.stop();
    KernelProbe.Report report = run.get(30, TimeUnit.SECONDS);
    assertFalse(Files.exists(instance));
    assertEquals(report.kept(), report.published(), "every event of the host acknowledged");

    var valueSerde = topics.kernel.valueSerde();
    List<ConsumerRecord<byte[], byte[]>> records = CaptureAgentIT.readAll(kafka.bootstrap(), topics.kernel.name(),
        (int) report.kept());
    assertEquals(report.kept(), records.size());
    boolean lingerSeen = false;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      KernelReset e = valueSerde.deserializer().deserialize(r.topic(), r.value());
      assertEquals("server", e.getHost());
      assertEquals(e.getFlow(), topics.kernel.keySerde().deserializer().deserialize(r.topic(), r.key()));
      assertEquals(Utils.toPositive(Utils.murmur2(r.key())) % 4, r.partition(),
          "partitioned like the packets: on the canonical key's bytes");
      lingerSeen |= e.getEvent() == KernelEvent.SEND_RESET && "TCP_STATE".equals(e.getReason())
          && Endpoints.endpoint(e.getSrc().getAddress(), e.getSrc().getPort()).equals(KernelProbeNamespaceTest.SERVER_IP + ":8200");
    }
    assertTrue(lingerSeen, "the SO_LINGER 0 close");

    List<ConsumerRecord<byte[], byte[]>> beats = CaptureAgentIT.readAll(kafka.bootstrap(), topics.points.name(), 1);
    PointStatus last = topics.points.valueSerde().deserializer().deserialize(topics.points.name(),
        beats.get(beats.size() - 1).value());
    assertEquals("kernel:server", last.getPoint());
    assertEquals(PointRole.KERNEL_PROBE, last.getRole());
    assertTrue(last.getFinished());
    assertTrue(last.getHostAddresses().contains(KernelProbeNamespaceTest.SERVER_IP), last.getHostAddresses().toString());
    assertEquals(report.kept(), last.getSummaries());
  }
}
