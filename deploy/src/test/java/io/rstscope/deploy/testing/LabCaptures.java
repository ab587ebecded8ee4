package io.rstscope.deploy.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the capture lab's fixtures are (deploy/lab/captures), from any module's tests: Maven
 * runs each module's tests in its own folder, so the lab is found by walking up.
 */
public final class LabCaptures {
  private static final Path ROOT = locate();

  private LabCaptures() {}

  /** deploy/lab/captures */
  public static Path root() {
    return ROOT;
  }

  /** deploy/lab/captures/NAME, which must exist. */
  public static Path scenario(String name) {
    Path dir = ROOT.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("lab scenario " + name + " not found in " + ROOT);
    }
    return dir;
  }

  private static Path locate() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("deploy/lab/captures");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("deploy/lab/captures not found above " + Path.of("").toAbsolutePath());
  }
}
