package io.rstscope.processor.evaluate;

/** How {@code analyze} learns the order of the points; every configuration is scored both ways. */
public enum RunMode {
  /** Given the truth's order with --path. */
  WITH_PATH("with --path"),
  /** No --path: the order is inferred from TTLs. */
  INFERRED("path inferred");

  public final String label;

  RunMode(String label) {
    this.label = label;
  }
}
