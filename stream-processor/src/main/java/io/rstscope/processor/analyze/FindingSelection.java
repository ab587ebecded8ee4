package io.rstscope.processor.analyze;

import io.rstscope.avro.Cause;
import io.rstscope.avro.RstFinding;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which findings {@code analyze} shows ({@code --cause}, {@code --forged}, {@code --address},
 * {@code --since}, {@code --until}); every given condition must hold. Checked before the run, so a
 * misspelt cause or time is one line at once, not after a long replay.
 */
record FindingSelection(Set<Cause> causes, boolean forgedOnly, String address, Instant since, Instant until) {

  static FindingSelection of(String causes, boolean forgedOnly, String address, String since, String until, ZoneId zone) {
    Set<Cause> set = EnumSet.noneOf(Cause.class);
    if (causes != null && !causes.isBlank()) {
      for (String c : causes.split(",")) {
        try {
          set.add(Cause.valueOf(c.strip().toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new CaptureFiles.BadInput("--cause " + c.strip() + " is not a cause; causes: "
              + Arrays.stream(Cause.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
      }
    }
    return new FindingSelection(set, forgedOnly, address == null || address.isBlank() ? null : address.strip(),
        time("--since", since, zone), time("--until", until, zone));
  }

  /** An ISO date-time with a zone (2026-11-25T10:00:00Z, ...+01:00), or without one in the output's zone. */
  static Instant time(String option, String text, ZoneId zone) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String t = text.strip().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(t).atZone(zone).toInstant();
      } catch (DateTimeParseException e2) {
        throw new CaptureFiles.BadInput(option + " wants a date and time such as 2026-11-25T10:00:00Z, not '" + text + "'");
      }
    }
  }

  boolean all() {
    return causes.isEmpty() && !forgedOnly && address == null && since == null && until == null;
  }

  List<RstFinding> apply(List<RstFinding> findings) {
    Predicate<RstFinding> keep = f -> (causes.isEmpty() || causes.contains(f.getCause()))
        && (!forgedOnly || f.getForged())
        && (address == null || Endpoint.anyHasAddress(address, f.getFlow().getClient(), f.getFlow().getServer(),
            f.getRst().getSrc(), f.getRst().getDst()))
        && (since == null || !f.getRstTime().isBefore(since))
        && (until == null || f.getRstTime().isBefore(until));
    return findings.stream().filter(keep).toList();
  }

  /** Address matching on endpoints "addr:port" / "[addr]:port". */
  private static final class Endpoint {
    static boolean anyHasAddress(String address, String... endpoints) {
      String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
      for (String e : endpoints) {
        String host = e.startsWith("[") ? e.substring(1, e.indexOf(']')) : e.substring(0, e.lastIndexOf(':'));
        if (host.equalsIgnoreCase(a)) {
          return true;
        }
      }
      return false;
    }
  }
}
