package io.rstscope.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project's version, from the build (one place for every command's {@code --version}). */
public final class RstscopeVersion {
  private static final String VERSION = load();

  private RstscopeVersion() {}

  public static String version() {
    return VERSION;
  }

  /** "rstscope analyze 0.1.0 (Java 17.0.x)". */
  public static String line(String command) {
    return "rstscope" + (command == null || command.isEmpty() ? "" : " " + command) + " " + VERSION
        + " (Java " + System.getProperty("java.version") + ")";
  }

  private static String load() {
    try (InputStream in = RstscopeVersion.class.getResourceAsStream("/rstscope/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
