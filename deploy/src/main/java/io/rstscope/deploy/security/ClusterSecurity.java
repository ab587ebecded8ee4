package io.rstscope.deploy.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The security material {@code deploy/bin/kafka-secure-setup} writes into one folder, and the
 * broker and client settings made from it:
 *
 * <ul>
 *   <li>{@code ca.p12}, {@code truststore.p12}: a private CA and the truststore holding its certificate;
 *   <li>{@code node-N.p12}: node N's key and certificate (CN=rstscope-broker, SAN 127.0.0.1 and localhost), signed by the CA;
 *   <li>{@code secrets.properties} (mode 600): {@code store.password} (CA and node keystores),
 *       {@code truststore.password} (the only store password clients get) and {@code user.NAME.password} per SCRAM user.
 * </ul>
 *
 * <p>Listeners: EXTERNAL (clients) and INTERNAL (replication) are SASL_SSL with SCRAM-SHA-512;
 * CONTROLLER is mutual TLS, where the broker certificate's CN becomes the principal. Authorization
 * is KRaft's StandardAuthorizer with deny-by-default; only {@code admin}, the inter-broker SCRAM
 * user {@code broker} and the broker certificate are super users.
 */
public final class ClusterSecurity {
  public static final String MECHANISM = "SCRAM-SHA-512";
  public static final String BROKER_CN = "rstscope-broker";
  public static final String BROKER_USER = "broker";
  public static final String ADMIN_USER = "admin";

  private final Path dir;
  private final Properties secrets;

  private ClusterSecurity(Path dir, Properties secrets) {
    this.dir = dir.toAbsolutePath();
    this.secrets = secrets;
  }

  public static ClusterSecurity load(Path dir) {
    Path file = dir.resolve("secrets.properties");
    Properties secrets = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      secrets.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " (run deploy/bin/kafka-secure-setup first)", e);
    }
    if (secrets.getProperty("store.password") == null || secrets.getProperty("user." + BROKER_USER + ".password") == null) {
      throw new IllegalStateException(file + " lacks store.password or user.broker.password");
    }
    return new ClusterSecurity(dir, secrets);
  }

  public Path dir() {
    return dir;
  }

  /** SCRAM users and their passwords, by name. */
  public Map<String, String> users() {
    Map<String, String> users = new TreeMap<>();
    for (String key : secrets.stringPropertyNames()) {
      if (key.startsWith("user.") && key.endsWith(".password")) {
        users.put(key.substring(5, key.length() - 9), secrets.getProperty(key));
      }
    }
    return users;
  }

  public String password(String user) {
    String p = secrets.getProperty("user." + user + ".password");
    if (p == null) {
      throw new IllegalArgumentException("no SCRAM user " + user + " in " + dir.resolve("secrets.properties"));
    }
    return p;
  }

  /** {@code kafka-storage format --add-scram} arguments, so SCRAM users exist before the first start. */
  public List<String> formatScramArguments() {
    List<String> args = new ArrayList<>();
    users().forEach((user, password) -> {
      args.add("--add-scram");
      args.add(MECHANISM + "=[name=" + user + ",password=" + password + "]");
    });
    return args;
  }

  public static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
        + "\" password=\"" + password + "\";";
  }

  /** Listener, TLS, SASL and authorizer settings of node {@code nodeId}; addresses are added by the caller. */
  public Properties brokerProperties(int nodeId) {
    String store = secrets.getProperty("store.password");
    Properties p = new Properties();
    p.setProperty("listener.security.protocol.map", "EXTERNAL:SASL_SSL,INTERNAL:SASL_SSL,CONTROLLER:SSL");
    p.setProperty("inter.broker.listener.name", "INTERNAL");
    p.setProperty("sasl.enabled.mechanisms", MECHANISM);
    p.setProperty("sasl.mechanism.inter.broker.protocol", MECHANISM);
    p.setProperty("listener.name.internal.scram-sha-512.sasl.jaas.config", jaas(BROKER_USER, password(BROKER_USER)));
    p.setProperty("listener.name.external.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.setProperty("ssl.keystore.type", "PKCS12");
    p.setProperty("ssl.keystore.location", dir.resolve("node-" + nodeId + ".p12").toString());
    p.setProperty("ssl.keystore.password", store);
    p.setProperty("ssl.key.password", store);
    p.setProperty("ssl.truststore.type", "PKCS12");
    p.setProperty("ssl.truststore.location", dir.resolve("truststore.p12").toString());
    p.setProperty("ssl.truststore.password", truststorePassword());
    p.setProperty("ssl.enabled.protocols", "TLSv1.3,TLSv1.2");
    // Controllers only talk to brokers holding a certificate from our CA.
    p.setProperty("listener.name.controller.ssl.client.auth", "required");
    p.setProperty("ssl.principal.mapping.rules", "RULE:^CN=([A-Za-z0-9._-]+)(,.*)?$/$1/,DEFAULT");
    p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.setProperty("allow.everyone.if.no.acl.found", "false");
    p.setProperty("super.users", "User:" + ADMIN_USER + ";User:" + BROKER_USER + ";User:" + BROKER_CN);
    return p;
  }

  /** Client settings for one SCRAM user over SASL_SSL (what the per-role property files contain). */
  public Map<String, Object> clientProperties(String user) {
    return Map.of(
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", MECHANISM,
        "sasl.jaas.config", jaas(user, password(user)),
        "ssl.truststore.type", "PKCS12",
        "ssl.truststore.location", dir.resolve("truststore.p12").toString(),
        "ssl.truststore.password", truststorePassword());
  }

  private String truststorePassword() {
    return secrets.getProperty("truststore.password", secrets.getProperty("store.password"));
  }
}
