package io.rstscope.processor.output;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Microsecond timestamps (the schemas' timestamp-micros) to and from Instant, and their text form. */
public final class Micros {
  private static final DateTimeFormatter ISO_MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Micros() {}

  public static long of(Instant t) {
    if (t.getEpochSecond() >= Long.MAX_VALUE / 1_000_000L) {
      return Long.MAX_VALUE; // an agent's "finished" watermark
    }
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  public static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  /** "2026-11-25T01:02:03.123456Z": always six fraction digits (DESIGN.md). */
  public static String iso(Instant t) {
    return ISO_MICROS.format(t);
  }
}
