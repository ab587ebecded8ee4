package io.rstscope.processor.output;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Dates and times as people read them in the CLI, the HTML report and the ladder: always a date,
 * six fraction digits and an explicit zone ({@code Z} for UTC, the default; the offset, e.g.
 * {@code +01:00}, in the local zone). One place, so every output agrees.
 */
public final class TimeText {
  private static final String PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX";
  private final DateTimeFormatter format;
  private final ZoneId zone;

  private TimeText(ZoneId zone) {
    this.zone = zone;
    this.format = DateTimeFormatter.ofPattern(PATTERN).withZone(zone);
  }

  public static TimeText utc() {
    return new TimeText(ZoneOffset.UTC);
  }

  public static TimeText local() {
    return new TimeText(ZoneId.systemDefault());
  }

  public static TimeText of(boolean local) {
    return local ? local() : utc();
  }

  public ZoneId zone() {
    return zone;
  }

  public String format(Instant t) {
    return format.format(t);
  }

  public String formatMicros(long micros) {
    return format(Micros.toInstant(micros));
  }
}
