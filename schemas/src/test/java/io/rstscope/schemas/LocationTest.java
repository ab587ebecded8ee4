package io.rstscope.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocationTest {
  @Test
  void shouldWriteTheTextFormOfEveryKind() {
    assertEquals("client", Location.CLIENT.text());
    assertEquals("server", Location.SERVER.text());
    assertEquals("unknown", Location.UNKNOWN.text());
    assertEquals("segment:P1-P2", Location.segment("P1", "P2").text());
    assertEquals("segment:client-P1", Location.segment("client", "P1").text());
  }

  @Test
  void shouldSplitASegmentWhosePointNamesContainDashesWithTheKnownPoints() {
    List<String> points = List.of("paris-edge", "core-1", "lyon-dc");
    Location at = Location.parse("segment:paris-edge-core-1", points).orElseThrow();
    assertEquals(Location.segment("paris-edge", "core-1"), at);
    assertEquals("between paris-edge and core-1", ((Location.Segment) at).between());
    assertEquals(Location.segment("core-1", "server"), Location.parse("segment:core-1-server", points).orElseThrow());
  }

  @Test
  void shouldParseWhatItWrites() {
    List<String> points = List.of("a-b", "c", "d-e-f");
    for (Location l : List.of(Location.CLIENT, Location.SERVER, Location.UNKNOWN, Location.segment("a-b", "c"),
        Location.segment("c", "d-e-f"), Location.segment("client", "a-b"), Location.segment("d-e-f", "server"))) {
      assertEquals(Optional.of(l), Location.parse(l.text(), points), l.text());
    }
  }

  @Test
  void shouldSplitASimpleSegmentWithoutKnownPoints() {
    assertEquals(Location.segment("P1", "P2"), Location.parse("segment:P1-P2", List.of()).orElseThrow());
  }

  @Test
  void shouldRefuseAnAmbiguousOrMalformedText() {
    assertTrue(Location.parse("segment:a-b-c", List.of()).isEmpty(), "a-b|c and a|b-c are both possible");
    assertTrue(Location.parse("somewhere", List.of()).isEmpty());
    assertTrue(Location.parse("segment:P1", List.of("P1")).isEmpty());
    assertTrue(Location.parse(null, List.of()).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> Location.segment("P1", "bad name"));
  }

  @Test
  void shouldTurnAFilterAsTypedIntoTheTextForm() {
    assertEquals("segment:P1-P2", Location.filterText("P1-P2"));
    assertEquals("segment:P1-P2", Location.filterText("segment:P1-P2"));
    assertEquals("server", Location.filterText("server"));
  }
}
