package io.rstscope.deploy.security;

import io.rstscope.deploy.topics.ProvisionTopicsMain;
import io.rstscope.schemas.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;

/**
 * {@code deploy/bin/kafka-secure-setup}'s last step on a running secured cluster, as admin:
 * upserts every SCRAM user of {@code secrets.properties} (so a changed password or a new site's
 * agent takes effect without reformatting) and creates the role ACLs ({@link RoleAcls}); both
 * are idempotent.
 *
 * <p>usage: {@code SecureSetupMain SECURITY_DIR BOOTSTRAP [PREFIX [PROCESSOR_APP_ID [SIEM_GROUP_PREFIX]]]}
 */
public final class SecureSetupMain {
  private SecureSetupMain() {}

  public static void main(String[] args) {
    if (args.length < 2 || args.length > 5) {
      System.err.println("usage: SecureSetupMain SECURITY_DIR BOOTSTRAP [PREFIX [PROCESSOR_APP_ID [SIEM_GROUP_PREFIX]]]");
      System.exit(2);
    }
    try {
      ClusterSecurity security = ClusterSecurity.load(Path.of(args[0]));
      String prefix = args.length > 2 ? args[2] : Topics.DEFAULT_PREFIX;
      String appId = args.length > 3 ? args[3] : "rstscope-processor";
      String siemGroups = args.length > 4 ? args[4] : "rstscope-siem";
      apply(security, args[1], new Topics(prefix, 1), appId, siemGroups).forEach(System.out::println);
    } catch (RuntimeException e) {
      System.err.println("kafka-secure-setup: " + e.getMessage());
      System.exit(1);
    }
  }

  public static List<String> apply(ClusterSecurity security, String bootstrap, Topics topics, String appId, String siemGroups) {
    Map<String, Object> props = new HashMap<>(ProvisionTopicsMain.load(security.dir().resolve("client-admin.properties")));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    List<String> report = new ArrayList<>();
    try (Admin admin = Admin.create(props)) {
      List<UserScramCredentialAlteration> users = new ArrayList<>();
      security.users().forEach((user, password) -> users.add(new UserScramCredentialUpsertion(user,
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)));
      admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
      report.add("SCRAM-SHA-512 users: " + String.join(", ", security.users().keySet()));
      List<AclBinding> acls = new ArrayList<>();
      for (String user : security.users().keySet()) {
        List<AclBinding> mine = RoleAcls.forUser(user, topics, appId, siemGroups);
        acls.addAll(mine);
        if (!mine.isEmpty()) {
          report.add("ACLs for " + user + ": " + mine.size());
        }
      }
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
      return report;
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot set users and ACLs on " + bootstrap + ": " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot set users and ACLs on " + bootstrap + ": no answer within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
