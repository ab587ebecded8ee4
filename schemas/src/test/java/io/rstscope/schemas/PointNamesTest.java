package io.rstscope.schemas;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PointNamesTest {
  @Test
  void shouldAcceptNamesOfLettersDigitsDotsUnderscoresAndDashes() {
    for (String ok : new String[] {"P1", "paris-edge", "core_1.lyon", "9", "a".repeat(63)}) {
      assertTrue(PointNames.valid(ok), ok);
      assertNull(PointNames.problem(ok), ok);
    }
  }

  @Test
  void shouldRefuseEmptyLongOddlyStartedOrReservedNames() {
    for (String bad : new String[] {"", "-P1", ".P1", "P 1", "P1:eth0", "P1/x", "a".repeat(64), "client", "server",
        "unknown", "pé"}) {
      assertFalse(PointNames.valid(bad), bad);
      assertTrue(PointNames.problem(bad).startsWith("point name '"), bad);
      assertFalse(PointNames.problem(bad).contains("\n"), "one line");
    }
    assertFalse(PointNames.valid(null));
  }
}
