package io.rstscope.schemas;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.ScanAlert;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The one registry of rstscope's topics. Agents, the topology, provisioning and tests all take
 * names and serdes from here; no topic name is typed anywhere else. The prefix lets several
 * deployments share a cluster; partition counts are the defaults for provisioning.
 */
public final class Topics {
  public static final String DEFAULT_PREFIX = "rstscope";

  private static final AvroSerde<FlowKey> FLOW_KEY = AvroSerde.of(FlowKey.class);

  public final TopicSpec<FlowKey, PacketSummary> packets;
  public final TopicSpec<String, PointStatus> points;
  /** Same key and partition count as packets: a flow's kernel events and summaries meet in one task. */
  public final TopicSpec<FlowKey, KernelReset> kernel;
  public final TopicSpec<FlowKey, RstFinding> findings;
  public final TopicSpec<String, String> findingsJson;
  public final TopicSpec<String, String> findingsOcsf;
  public final TopicSpec<String, ScanAlert> scans;
  public final TopicSpec<String, String> hops;
  public final TopicSpec<byte[], byte[]> deadLetter;

  public Topics(String prefix, int flowPartitions) {
    if (prefix == null || !prefix.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("topic prefix must be letters, digits, '.', '_' or '-': " + prefix);
    }
    if (flowPartitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1: " + flowPartitions);
    }
    Duration day = Duration.ofDays(1);
    packets = new TopicSpec<>(prefix + ".packets", FLOW_KEY, AvroSerde.of(PacketSummary.class),
        flowPartitions, false, Duration.ofHours(6),
        "packet summaries from every point, keyed by canonical flow key");
    kernel = new TopicSpec<>(prefix + ".kernel", FLOW_KEY, AvroSerde.of(KernelReset.class),
        flowPartitions, false, Duration.ofHours(6),
        "RSTs the endpoints' own kernels sent or accepted (kernel probes), keyed by canonical flow key like packets");
    points = new TopicSpec<>(prefix + ".points", Serdes.String(), AvroSerde.of(PointStatus.class),
        1, true, day, "latest heartbeat of every observation point (table)");
    findings = new TopicSpec<>(prefix + ".findings", FLOW_KEY, AvroSerde.of(RstFinding.class),
        flowPartitions, false, Duration.ofDays(30), "one verdict per RST (Avro)");
    findingsJson = new TopicSpec<>(prefix + ".findings.json", Serdes.String(), Serdes.String(),
        flowPartitions, false, Duration.ofDays(30), "the same verdicts as JSON for SIEMs, keyed by community_id");
    findingsOcsf = new TopicSpec<>(prefix + ".findings.ocsf", Serdes.String(), Serdes.String(),
        flowPartitions, false, Duration.ofDays(30), "the same verdicts as OCSF Network Activity (class 4001) JSON, keyed by community_id");
    scans = new TopicSpec<>(prefix + ".scans", Serdes.String(), AvroSerde.of(ScanAlert.class),
        1, false, Duration.ofDays(30), "scan alerts per scanning source");
    hops = new TopicSpec<>(prefix + ".hops", Serdes.String(), Serdes.String(),
        1, true, day, "located RSTs counted per path segment, JSON (table)");
    deadLetter = new TopicSpec<>(prefix + ".deadletter", Serdes.ByteArray(), Serdes.ByteArray(),
        1, false, Duration.ofDays(7), "records the processor could not decode or judge, with the reason in headers");
  }

  public static Topics defaults() {
    return new Topics(DEFAULT_PREFIX, 12);
  }

  public List<TopicSpec<?, ?>> all() {
    return List.of(packets, kernel, points, findings, findingsJson, findingsOcsf, scans, hops, deadLetter);
  }
}
