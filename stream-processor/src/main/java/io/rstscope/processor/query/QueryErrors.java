package io.rstscope.processor.query;

/** Errors a query maps to HTTP: 404 for an unknown key, 503 (with Retry-After) while state is moving. */
public final class QueryErrors {
  private QueryErrors() {}

  /** The key is valid and nobody holds it: 404. */
  public static final class NotFound extends RuntimeException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** The store is rebalancing, restoring, or its holder cannot be reached now: 503, try again. */
  public static final class Unavailable extends RuntimeException {
    public Unavailable(String message) {
      super(message);
    }

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
