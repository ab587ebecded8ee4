package io.rstscope.agent;

/**
 * A problem the user has to fix (file missing, not a capture file, unknown interface, no
 * permission, cluster unreachable at start, bad configuration). The message is one line that
 * says what and where; the CLI prints it without a stack trace.
 */
public final class AgentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AgentException(String message) {
    super(message);
  }

  public AgentException(String message, Throwable cause) {
    super(message, cause);
  }
}
