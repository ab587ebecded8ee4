package io.rstscope.processor.analyze;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** What can be checked before a long run instead of failing after it: output paths and the given cluster. */
final class OutputChecks {
  /** How long a given --bootstrap may take to answer before the run is refused. */
  static final int REACH_SECONDS = 10;

  private OutputChecks() {}

  /** A file that can be written: not a folder, in a folder that exists and is writable. */
  static void writableFile(String option, Path file) {
    if (file == null) {
      return;
    }
    Path abs = file.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      throw new CaptureFiles.BadInput(option + " " + file + ": is a folder");
    }
    if (Files.exists(abs) && !Files.isWritable(abs)) {
      throw new CaptureFiles.BadInput(option + " " + file + ": not writable");
    }
    writableParent(option, file, abs.getParent());
  }

  /** A folder that exists and is writable, or can be made in one that is. */
  static void writableFolder(String option, Path folder) {
    if (folder == null) {
      return;
    }
    Path abs = folder.toAbsolutePath();
    if (Files.exists(abs)) {
      if (!Files.isDirectory(abs)) {
        throw new CaptureFiles.BadInput(option + " " + folder + ": not a folder");
      }
      if (!Files.isWritable(abs)) {
        throw new CaptureFiles.BadInput(option + " " + folder + ": not writable");
      }
      return;
    }
    writableParent(option, folder, abs.getParent());
  }

  private static void writableParent(String option, Path given, Path parent) {
    if (parent == null || !Files.isDirectory(parent)) {
      throw new CaptureFiles.BadInput(option + " " + given + ": no folder " + parent);
    }
    if (!Files.isWritable(parent)) {
      throw new CaptureFiles.BadInput(option + " " + given + ": cannot write into " + parent);
    }
  }

  /** The cluster answers within {@value #REACH_SECONDS} s, else bad input (a typo, a dead broker, a firewall). */
  static void reachable(String bootstrap) {
    int ms = REACH_SECONDS * 1000;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms,
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, ms))) {
      admin.describeCluster().nodes().get(REACH_SECONDS + 1, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new CaptureFiles.BadInput("--bootstrap " + bootstrap + ": no Kafka answered within " + REACH_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CaptureFiles.BadInput("--bootstrap " + bootstrap + ": interrupted while connecting");
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new CaptureFiles.BadInput("--bootstrap " + bootstrap + ": " + e.getMessage());
    }
  }
}
