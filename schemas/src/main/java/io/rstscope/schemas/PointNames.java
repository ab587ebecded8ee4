package io.rstscope.schemas;

import java.util.Set;

/**
 * The one rule for observation point names, shared by the agent ({@code --point}), the processor
 * ({@code --path}, summaries it accepts) and {@code analyze} ({@code --point}, {@code --dir}, {@code --path}):
 * 1-63 characters, a letter or digit first, then letters, digits, '.', '_' or '-'. The words that name the
 * path's ends ({@code client}, {@code server}) and {@code unknown} are locations, so they are not point names.
 */
public final class PointNames {
  /** The rule as a regular expression, for documentation and messages. */
  public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
  public static final int MAX_LENGTH = 63;
  private static final Set<String> RESERVED = Set.of("client", "server", "unknown");

  private PointNames() {}

  /** True when the name follows the rule. Checked per summary by the processor: no regex, no allocation. */
  public static boolean valid(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      if (!alnum && (i == 0 || c != '.' && c != '_' && c != '-')) {
        return false;
      }
    }
    return !RESERVED.contains(name);
  }

  /** Null when the name is valid, else the one-line reason to show the user. */
  public static String problem(String name) {
    if (valid(name)) {
      return null;
    }
    if (name != null && RESERVED.contains(name)) {
      return "point name '" + name + "' is reserved (client, server and unknown name locations, not points)";
    }
    String shown = name == null ? "null" : name.length() > 80 ? name.substring(0, 80) + "..." : name;
    return "point name '" + shown + "' must be 1-" + MAX_LENGTH
        + " letters, digits, '.', '_' or '-', starting with a letter or digit";
  }
}
