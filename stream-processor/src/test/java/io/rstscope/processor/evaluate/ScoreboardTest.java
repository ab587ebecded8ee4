package io.rstscope.processor.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring arithmetic, without a broker: matching, per-field counts, confusion, calibration, thresholds. */
class ScoreboardTest {
  static final LabTruth.Flow FLOW = new LabTruth.Flow("10.0.1.2:40001", "10.0.3.2:80", "tcp");

  static RstKey key(long seq, Integer ipId) {
    return new RstKey("10.0.3.2:80", "10.0.1.2:40001", seq, 0, "R", ipId);
  }

  static LabTruth.TruthRst truth(RstKey key, String emitter, boolean forged, String cause) {
    String location = emitter.equals("middlebox") ? "segment:P2-P3" : emitter;
    return new LabTruth.TruthRst(FLOW, key, List.of(), new LabTruth.Expected(emitter, location, forged, "data", cause), null);
  }

  static Verdict verdict(RstKey key, String emitter, boolean forged, String cause, double confidence) {
    String location = emitter.equals("middlebox") ? "segment:P2-P3" : emitter;
    return new Verdict(key, emitter, location, forged, confidence, "data", cause, List.of("TTL_MISMATCH"));
  }

  @Test
  void shouldPairIdenticalRstsInTheirOrderOfOccurrence() {
    RstKey same = key(100, 0);
    List<LabTruth.TruthRst> truth = List.of(truth(same, "client", false, "no_socket"), truth(key(7, 1), "server", false, "abort"),
        truth(same, "client", false, "no_socket"), truth(same, "client", false, "no_socket"));
    Verdict first = verdict(same, "client", false, "no_socket", 0.8);
    Verdict second = verdict(same, "client", false, "abort", 0.8);
    Verdict otherIpId = verdict(key(7, 2), "server", false, "abort", 0.8);

    TruthMatching.Result r = TruthMatching.match(truth, List.of(first, otherIpId, second));

    assertSame(first, r.pairs().get(0).verdict());
    assertNull(r.pairs().get(1).verdict(), "a finding with another IP ID is not the same RST");
    assertSame(second, r.pairs().get(2).verdict());
    assertTrue(r.pairs().get(3).missing(), "three identical RSTs in the truth, two findings: the third is missing");
    assertEquals(List.of(otherIpId), r.extra());
  }

  @Test
  void shouldCountAMissingFindingAsWrongInEveryFieldAndPoolBothRuns() {
    RstKey a = key(1, 1);
    RstKey b = key(2, 2);
    LabTruth lab = new LabTruth("c1", "", List.of("P1", "P2", "P3"), null,
        List.of(truth(a, "server", false, "abort"), truth(b, "middlebox", true, "content_block")));
    Scoreboard score = new Scoreboard();
    score.configuration(lab);
    // With the path: both right. Without: the first found with a wrong cause, the second missing.
    score.add("c1", RunMode.WITH_PATH, TruthMatching.match(lab.rsts(),
        List.of(verdict(a, "server", false, "abort", 0.95), verdict(b, "middlebox", true, "content_block", 0.95))));
    score.add("c1", RunMode.INFERRED, TruthMatching.match(lab.rsts(), List.of(verdict(a, "server", false, "idle_timeout", 0.6))));

    assertEquals(2, score.tally(RunMode.WITH_PATH).right(ScoredField.CAUSE));
    assertEquals(0, score.tally(RunMode.INFERRED).right(ScoredField.CAUSE));
    assertEquals(1, score.tally(RunMode.INFERRED).right(ScoredField.LOCATION));
    assertEquals(1, score.tally(RunMode.INFERRED).missing);
    assertEquals(75.0, score.percentRight(ScoredField.LOCATION));
    assertEquals(50.0, score.percentRight(ScoredField.CAUSE));
    assertEquals("score: 2 RSTs, location 75.0%, forged 75.0%, cause 50.0%, false-forged 0", score.scoreLine());
    assertEquals(2, score.details().size(), "one wrong cause and one missing finding: " + score.details());
    assertTrue(score.details().get(0).contains("cause abort vs idle_timeout"), score.details().get(0));
  }

  @Test
  void shouldTabulateCausesTruthAgainstVerdictWithMissingFindings() {
    RstKey a = key(1, 1);
    RstKey b = key(2, 2);
    RstKey c = key(3, 3);
    LabTruth lab = new LabTruth("c", "", List.of(), null, List.of(truth(a, "server", false, "abort"),
        truth(b, "server", false, "abort"), truth(c, "server", false, "data_after_close")));
    Scoreboard score = new Scoreboard();
    score.configuration(lab);
    score.add("c", RunMode.WITH_PATH, TruthMatching.match(lab.rsts(),
        List.of(verdict(a, "server", false, "abort", 0.9), verdict(b, "server", false, "accelerated_close", 0.9))));

    assertEquals(1, score.confusionCount("abort", "abort"));
    assertEquals(1, score.confusionCount("abort", "accelerated_close"));
    assertEquals(1, score.confusionCount("data_after_close", Scoreboard.NO_FINDING), "an unknown cause name is a plain string");
    assertEquals(0, score.confusionCount("data_after_close", "abort"));
    assertTrue(score.report().contains("data_after_close"), score.report());
  }

  @Test
  void shouldCountFalseForgeriesOnlyOnEndpointRsts() {
    RstKey endpoint = key(1, 1);
    RstKey injected = key(2, 2);
    RstKey missedInjection = key(3, 3);
    LabTruth lab = new LabTruth("c", "", List.of(), null, List.of(truth(endpoint, "client", false, "no_socket"),
        truth(injected, "middlebox", true, "tls_block"), truth(missedInjection, "middlebox", true, "tls_block")));
    Scoreboard score = new Scoreboard();
    score.configuration(lab);
    score.add("cfg-7", RunMode.INFERRED, TruthMatching.match(lab.rsts(), List.of(verdict(endpoint, "middlebox", true, "tls_block", 0.7),
        verdict(injected, "middlebox", true, "tls_block", 0.9), verdict(missedInjection, "server", false, "port_closed", 0.9))));

    assertEquals(1, score.falseForged().size());
    Scoreboard.FalseForged f = score.falseForged().get(0);
    assertEquals("cfg-7", f.configuration());
    assertEquals(endpoint, f.rst());
    assertEquals(List.of("TTL_MISMATCH"), f.evidence());
    assertTrue(score.report().contains("false forged=true on endpoint RSTs: 1"), score.report());
  }

  @Test
  void shouldBinConfidencesAndCountFullyRightVerdictsPerBin() {
    assertEquals(0, Scoreboard.calibrationBin(0.0));
    assertEquals(0, Scoreboard.calibrationBin(0.49));
    assertEquals(1, Scoreboard.calibrationBin(0.5));
    assertEquals(2, Scoreboard.calibrationBin(0.7));
    assertEquals(2, Scoreboard.calibrationBin(0.899));
    assertEquals(3, Scoreboard.calibrationBin(0.9));
    assertEquals(3, Scoreboard.calibrationBin(1.0));

    RstKey a = key(1, 1);
    RstKey b = key(2, 2);
    RstKey c = key(3, 3);
    LabTruth lab = new LabTruth("c", "", List.of(), null,
        List.of(truth(a, "server", false, "abort"), truth(b, "server", false, "abort"), truth(c, "server", false, "abort")));
    Scoreboard score = new Scoreboard();
    score.configuration(lab);
    score.add("c", RunMode.WITH_PATH, TruthMatching.match(lab.rsts(), List.of(verdict(a, "server", false, "abort", 0.95),
        verdict(b, "server", false, "idle_timeout", 0.93), verdict(c, "server", false, "abort", 0.3))));

    assertEquals(List.of(1, 0, 0, 2), boxed(score.calibrationCounts()));
    assertEquals(List.of(1, 0, 0, 1), boxed(score.calibrationRight()));
    assertTrue(score.report().contains("0.9-1.0          2        50.0%"), score.report());
  }

  @Test
  void shouldExitOneNamingTheUnmetThresholdAndEndWithTheScoreLine(@TempDir Path dir) throws Exception {
    RstKey a = key(1, 1);
    RstKey b = key(2, 2);
    LabTruth lab = new LabTruth("c", "", List.of(), null, List.of(truth(a, "client", false, "abort"), truth(b, "server", false, "abort")));
    Scoreboard score = new Scoreboard();
    score.configuration(lab);
    for (RunMode mode : RunMode.values()) {
      score.add("c", mode, TruthMatching.match(lab.rsts(),
          List.of(verdict(a, "middlebox", true, "abort", 0.9), verdict(b, "server", false, "abort", 0.9))));
    }
    Path details = dir.resolve("score-details.txt");

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    int status = LabScoreCommand.finish(score, new Thresholds(99.0, null, 95.0, 0), details, "time: -",
        new PrintStream(text, true, StandardCharsets.UTF_8));
    List<String> lines = text.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(1, status);
    assertEquals("score: 2 RSTs, location 50.0%, forged 50.0%, cause 100.0%, false-forged 2", lines.get(lines.size() - 1));
    assertEquals("thresholds not met: location 50.00% < 99%; false-forged 2 > 0", lines.get(lines.size() - 2));
    assertEquals(2, Files.readAllLines(details).stream().filter(l -> l.startsWith("c [")).count(),
        "the wrong verdict of each run is listed");

    assertEquals(0, LabScoreCommand.finish(score, new Thresholds(50.0, 50.0, 100.0, 2), details, "time: -",
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    assertEquals(0, LabScoreCommand.finish(score, Thresholds.NONE, details, "time: -",
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
  }

  @Test
  void shouldCompareUnroundedPercentages() {
    int n = 2000;
    List<LabTruth.TruthRst> rsts = new java.util.ArrayList<>();
    List<Verdict> withPath = new java.util.ArrayList<>();
    List<Verdict> inferred = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      rsts.add(truth(key(i, i), "server", false, "abort"));
      withPath.add(verdict(key(i, i), "server", false, i < 10 ? "idle_timeout" : "abort", 0.9));
      inferred.add(verdict(key(i, i), "server", false, i < 11 ? "idle_timeout" : "abort", 0.9));
    }
    LabTruth lab = new LabTruth("c", "", List.of(), null, rsts);
    Scoreboard score = new Scoreboard();
    score.configuration(lab);
    score.add("c", RunMode.WITH_PATH, TruthMatching.match(lab.rsts(), withPath));
    score.add("c", RunMode.INFERRED, TruthMatching.match(lab.rsts(), inferred));

    // 3979 of 4000 = 99.475%: printed 99.5%, yet below a 99.5% bar.
    assertTrue(score.scoreLine().contains("cause 99.5%"), score.scoreLine());
    assertEquals(List.of("cause 99.48% < 99.5%"), new Thresholds(null, null, 99.5, null).unmet(score));
    assertEquals(List.of(), new Thresholds(null, null, 99.47, null).unmet(score));
  }

  private static List<Integer> boxed(int[] values) {
    return java.util.Arrays.stream(values).boxed().toList();
  }
}
