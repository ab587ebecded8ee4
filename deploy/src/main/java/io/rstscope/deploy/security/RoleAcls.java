package io.rstscope.deploy.security;

import io.rstscope.schemas.TopicSpec;
import io.rstscope.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Least-privilege ACLs per role, from the one topic registry. Deny is the default
 * ({@code allow.everyone.if.no.acl.found=false}), so what is not listed here is refused:
 *
 * <ul>
 *   <li><b>agent</b> (one SCRAM user per site, names starting with {@code agent}): write
 *       summaries, kernel probes' events and heartbeats (packets, kernel, points) and idempotent writes;
 *       nothing else, no reads. A kernel probe runs as an agent user.
 *   <li><b>processor</b>: read packets, kernel and points; write findings, findings.json, scans, hops and
 *       the dead-letter topic; everything on its own internal topics, consumer group and
 *       transactional ids (all prefixed with its application.id; exactly_once_v2).
 *   <li><b>siem</b>: read findings, findings.json and scans with groups named {@code <siemGroupPrefix>*}.
 * </ul>
 */
public final class RoleAcls {
  private RoleAcls() {}

  public static List<AclBinding> agent(String user, Topics topics) {
    List<AclBinding> acls = new ArrayList<>();
    for (TopicSpec<?, ?> t : List.of(topics.packets, topics.kernel, topics.points)) {
      acls.add(allow(user, topic(t), AclOperation.WRITE));
      acls.add(allow(user, topic(t), AclOperation.DESCRIBE));
    }
    acls.add(allow(user, cluster(), AclOperation.IDEMPOTENT_WRITE));
    return acls;
  }

  public static List<AclBinding> processor(String user, Topics topics, String applicationId) {
    List<AclBinding> acls = new ArrayList<>();
    for (TopicSpec<?, ?> t : List.of(topics.packets, topics.kernel, topics.points)) {
      acls.add(allow(user, topic(t), AclOperation.READ));
      acls.add(allow(user, topic(t), AclOperation.DESCRIBE));
    }
    for (TopicSpec<?, ?> t : List.of(topics.findings, topics.findingsJson, topics.findingsOcsf, topics.scans, topics.hops, topics.deadLetter)) {
      acls.add(allow(user, topic(t), AclOperation.WRITE));
      acls.add(allow(user, topic(t), AclOperation.DESCRIBE));
    }
    // Kafka Streams names its changelog and repartition topics "<application.id>-...".
    acls.add(allow(user, new ResourcePattern(ResourceType.TOPIC, applicationId + "-", PatternType.PREFIXED), AclOperation.ALL));
    acls.add(allow(user, new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.PREFIXED), AclOperation.READ));
    acls.add(allow(user, new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.PREFIXED), AclOperation.DESCRIBE));
    acls.add(allow(user, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED), AclOperation.WRITE));
    acls.add(allow(user, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED), AclOperation.DESCRIBE));
    acls.add(allow(user, cluster(), AclOperation.IDEMPOTENT_WRITE));
    return acls;
  }

  public static List<AclBinding> siem(String user, Topics topics, String siemGroupPrefix) {
    List<AclBinding> acls = new ArrayList<>();
    for (TopicSpec<?, ?> t : List.of(topics.findings, topics.findingsJson, topics.findingsOcsf, topics.scans)) {
      acls.add(allow(user, topic(t), AclOperation.READ));
      acls.add(allow(user, topic(t), AclOperation.DESCRIBE));
    }
    acls.add(allow(user, new ResourcePattern(ResourceType.GROUP, siemGroupPrefix, PatternType.PREFIXED), AclOperation.READ));
    return acls;
  }

  /** The role of a SCRAM user, from its name: agent*, processor*, siem*; others get no ACLs (admin and broker are super users). */
  public static List<AclBinding> forUser(String user, Topics topics, String processorApplicationId, String siemGroupPrefix) {
    if (user.startsWith("agent")) {
      return agent(user, topics);
    }
    if (user.startsWith("processor")) {
      return processor(user, topics, processorApplicationId);
    }
    if (user.startsWith("siem")) {
      return siem(user, topics, siemGroupPrefix);
    }
    return List.of();
  }

  private static ResourcePattern topic(TopicSpec<?, ?> t) {
    return new ResourcePattern(ResourceType.TOPIC, t.name(), PatternType.LITERAL);
  }

  private static ResourcePattern cluster() {
    return new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
  }

  private static AclBinding allow(String user, ResourcePattern pattern, AclOperation op) {
    return new AclBinding(pattern, new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
  }
}
