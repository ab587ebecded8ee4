package io.rstscope.agent.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * What is wrong with a path given as a capture file to replay, in words for a one-line error, or null when it
 * is a readable regular file. A replay reads a regular file only: a named pipe (FIFO) is refused rather than
 * read as a stream, since analyze looks at the file before replaying it and a pipe can be read only once.
 * Live streams are captured from an interface ({@code agent --interface}).
 */
public final class CaptureFileCheck {
  private static final int FILE_TYPE_MASK = 0170000;
  private static final int FIFO = 0010000;

  private CaptureFileCheck() {}

  public static String problem(Path file) {
    if (!Files.exists(file)) {
      if (Files.isSymbolicLink(file)) {
        String target;
        try {
          target = Files.readSymbolicLink(file).toString();
        } catch (IOException e) {
          target = "a target";
        }
        return "a symbolic link to " + target + ", which does not exist";
      }
      return "no such file";
    }
    if (Files.isDirectory(file)) {
      return "a folder, not a capture file";
    }
    if (!Files.isRegularFile(file)) {
      return isFifo(file)
          ? "a named pipe (FIFO): replays read regular capture files only; save the capture to a file first,"
              + " or capture live with --interface"
          : "not a regular file (a device or a socket)";
    }
    if (!Files.isReadable(file)) {
      return "not readable";
    }
    return null;
  }

  private static boolean isFifo(Path file) {
    try {
      Object mode = Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return mode instanceof Integer m && (m & FILE_TYPE_MASK) == FIFO
          || Files.isSymbolicLink(file) && isFifo(file.toRealPath());
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }
}
