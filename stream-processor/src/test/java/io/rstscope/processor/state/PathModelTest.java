package io.rstscope.processor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathModelTest {
  private static PointPair pair(String a, String b, long aFirst, long bFirst, long... deltas) {
    PointPair p = new PointPair();
    p.a = a;
    p.b = b;
    p.aFirstVotes = aFirst;
    p.bFirstVotes = bFirst;
    for (long d : deltas) {
      p.addDelta(d);
    }
    return p;
  }

  @Test
  void shouldOrderPointsByTtlVotesClientSideFirst() {
    // Names sort the wrong way on purpose: TTLs, not names, decide.
    List<PointPair> pairs = List.of(pair("A", "B", 0, 5), pair("A", "C", 0, 7), pair("B", "C", 0, 3));
    PathModel m = PathModel.of(List.of(), List.of("A", "B", "C"), pairs);
    assertEquals(List.of("C", "B", "A"), m.order());
  }

  @Test
  void shouldPreferTheConfiguredOrderAndAppendUnknownPoints() {
    PathModel m = PathModel.of(List.of("P2", "P1"), List.of("P1", "P2", "P9"), List.of());
    assertEquals(List.of("P2", "P1", "P9"), m.order());
  }

  @Test
  void shouldEstimateAShiftedClockFromTheMedianAndChainIt() {
    // P3's clock runs 1.5 s ahead; one sample is an outlier (a packet queued for 40 ms).
    PointPair p1p2 = pair("P1", "P2", 3, 0, 50, 60, 40_000, 55);
    PointPair p2p3 = pair("P2", "P3", 3, 0, 1_500_050, 1_500_040, 1_500_060);
    PathModel m = PathModel.of(List.of("P1", "P2", "P3"), List.of("P1", "P2", "P3"), List.of(p1p2, p2p3));
    assertEquals(0, m.offsetMicros("P1"));
    assertEquals(60, m.offsetMicros("P2"));
    assertEquals(1_500_110, m.offsetMicros("P3"));
    assertEquals(1_000_000 - 1_500_110, m.correct("P3", 1_000_000));
  }

  @Test
  void shouldReplaceAConfiguredOrderThatTheTtlsContradictAndSaySoInOneLine() {
    List<PointPair> pairs = List.of(pair("P1", "P2", 6, 0), pair("P1", "P3", 5, 0), pair("P2", "P3", 4, 1));
    PathModel m = PathModel.of(List.of("P3", "P2", "P1"), List.of("P1", "P2", "P3"), pairs);
    assertEquals(List.of("P1", "P2", "P3"), m.order());
    assertEquals("path P3,P2,P1 contradicts the TTLs seen (inferred P1,P2,P3); using the inferred order",
        m.contradiction());
  }

  @Test
  void shouldKeepAConfiguredOrderTheTtlsAgreeWithOrCannotTell() {
    List<PointPair> agree = List.of(pair("P1", "P2", 6, 0), pair("P2", "P3", 4, 0));
    assertNull(PathModel.of(List.of("P1", "P2", "P3"), List.of(), agree).contradiction());
    List<PointPair> tooFew = List.of(pair("P1", "P2", 1, 0));
    PathModel m = PathModel.of(List.of("P2", "P1"), List.of(), tooFew);
    assertNull(m.contradiction(), "one packet is not enough to overrule the user");
    assertEquals(List.of("P2", "P1"), m.order());
  }

  @Test
  void shouldTakeAReversedPathTheRightWayRoundEvenWhenSomePairsHadNoVotes() {
    // Only neighbours shared packets in this task: A-B and B-C voted, A-C did not.
    List<PointPair> pairs = List.of(pair("A", "B", 3, 0), pair("B", "C", 2, 0));
    PathModel m = PathModel.of(List.of("C", "B", "A"), List.of("A", "B", "C"), pairs);
    assertEquals(List.of("A", "B", "C"), m.order());
    assertEquals("path C,B,A contradicts the TTLs seen (inferred A,B,C); using the inferred order", m.contradiction());
  }

  @Test
  void shouldInferAnOrderConsistentWithEveryVotedPair() {
    // Counting each point's wins ties a, c and d (one each) and sorts a first by name; the c-a vote says otherwise.
    List<PointPair> pairs = List.of(pair("a", "c", 0, 2), pair("a", "b", 3, 0), pair("b", "d", 0, 2));
    assertEquals(List.of("c", "a", "d", "b"), PathModel.of(List.of(), List.of("a", "b", "c", "d"), pairs).order());
  }
}
