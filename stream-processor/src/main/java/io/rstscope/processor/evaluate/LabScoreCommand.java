package io.rstscope.processor.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.deploy.broker.EmbeddedKafka;
import io.rstscope.processor.analyze.AnalyzeCommand;
import io.rstscope.processor.analyze.CaptureFiles;
import io.rstscope.processor.cli.RstscopeMain;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "score", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Scores analyze's verdicts against the lab's truth over a folder of lab configurations",
        "(DIR/ID/POINT.pcap + truth.json, as `lab random` writes them). Each configuration is analysed twice,",
        "with the truth's --path and with the order inferred, through the real agents, topology and one real",
        "Kafka broker shared by all runs. Prints per-field accuracy, a cause confusion matrix, false forged",
        "verdicts on endpoint RSTs and a confidence calibration; writes every wrong verdict to",
        "DIR/score-details.txt; the last line is the score.",
        "Exit status: 0 when the thresholds given hold, 1 when one does not, 2 on bad input."},
    footer = {"", "Example:", "  rstscope lab score /tmp/corpus --min-location 99 --min-forged 99 --min-cause 95 --max-false-forged 0"})
public final class LabScoreCommand implements Callable<Integer> {
  static final String DETAILS_FILE = "score-details.txt";

  @Parameters(index = "0", paramLabel = "DIR", description = "Folder of lab configurations, one sub-folder each.")
  Path dir;

  @Option(names = "--min-location", paramLabel = "PERCENT", description = "Fail (exit 1) when location is right less often.")
  Double minLocation;

  @Option(names = "--min-forged", paramLabel = "PERCENT", description = "Fail when forged is right less often.")
  Double minForged;

  @Option(names = "--min-cause", paramLabel = "PERCENT", description = "Fail when cause is right less often.")
  Double minCause;

  @Option(names = "--max-false-forged", paramLabel = "K", description = "Fail when more endpoint RSTs are called forged.")
  Integer maxFalseForged;

  @Option(names = "--kernel-traces", description = "Give analyze each configuration's kernel.jsonl with --kernel-trace.")
  boolean kernelTraces;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Use this Kafka cluster instead of one embedded broker.")
  String bootstrap;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
      description = "Give up on one analyze run after this long (default: ${DEFAULT-VALUE}); its RSTs count as missing.")
  long timeoutSeconds;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    for (Double p : new Double[] {minLocation, minForged, minCause}) {
      if (p != null && (p < 0 || p > 100)) {
        throw new CaptureFiles.BadInput("a --min-* threshold is a percentage from 0 to 100, not " + p);
      }
    }
    if (maxFalseForged != null && maxFalseForged < 0) {
      throw new CaptureFiles.BadInput("--max-false-forged must be 0 or more");
    }
    if (kernelTraces && !analyzeReadsKernelTraces()) {
      throw new CaptureFiles.BadInput("--kernel-traces: this build's analyze has no --kernel-trace option; score without it");
    }
    LabCorpus corpus;
    try {
      corpus = LabCorpus.read(dir);
    } catch (LabCorpus.BadCorpus e) {
      throw new CaptureFiles.BadInput(e.getMessage());
    }
    Map<LabCorpus.Configuration, LabTruth> truths = new LinkedHashMap<>();
    for (LabCorpus.Configuration c : corpus.configurations()) {
      try {
        truths.put(c, LabTruth.read(c.dir()));
      } catch (IOException e) {
        throw new CaptureFiles.BadInput(e.getMessage());
      }
    }
    PrintStream out = System.out;
    PrintStream err = System.err;
    corpus.skipped().forEach((id, reason) -> out.println("skipped " + id + ": " + reason));
    if (truths.isEmpty()) {
      throw new CaptureFiles.BadInput(dir + ": no configuration to score (a sub-folder with truth.json and POINT.pcap files)");
    }

    Scoreboard score = new Scoreboard();
    long start = System.nanoTime();
    long analyzeNanos = 0;
    int runs = 0;
    EmbeddedKafka embedded = null;
    try {
      String servers = bootstrap;
      if (servers == null) {
        err.println("rstscope: starting one embedded Kafka broker for all runs");
        embedded = EmbeddedKafka.start(new Properties());
        servers = embedded.bootstrap();
      }
      int n = 0;
      for (Map.Entry<LabCorpus.Configuration, LabTruth> e : truths.entrySet()) {
        LabCorpus.Configuration c = e.getKey();
        LabTruth truth = e.getValue();
        score.configuration(truth);
        StringBuilder progress = new StringBuilder();
        for (RunMode mode : RunMode.values()) {
          long t0 = System.nanoTime();
          List<Verdict> verdicts = analyze(servers, c, truth, mode);
          analyzeNanos += System.nanoTime() - t0;
          runs++;
          if (verdicts == null) {
            score.failed(c.id(), mode, truth, "analyze failed (its message is above)");
            progress.append(String.format(Locale.ROOT, ", %s: analyze failed", mode.label));
            continue;
          }
          TruthMatching.Result matched = TruthMatching.match(truth.rsts(), verdicts);
          score.add(c.id(), mode, matched);
          long right = matched.pairs().stream().filter(p -> !p.missing()
              && java.util.Arrays.stream(ScoredField.values()).allMatch(f -> f.right(p.truth().expected(), p.verdict()))).count();
          progress.append(String.format(Locale.ROOT, ", %s %d/%d fully right%s", mode.label, right, truth.rsts().size(),
              matched.extra().isEmpty() ? "" : " +" + matched.extra().size() + " extra"));
        }
        err.printf(Locale.ROOT, "rstscope: [%d/%d] %s: %d RSTs%s%n", ++n, truths.size(), c.id(), truth.rsts().size(), progress);
      }
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }

    String timing = String.format(Locale.ROOT, "time: %d analyze runs in %.1f s (%.2f s per run; %.1f s in all)", runs,
        analyzeNanos / 1e9, runs == 0 ? 0 : analyzeNanos / 1e9 / runs, (System.nanoTime() - start) / 1e9);
    return finish(score, new Thresholds(minLocation, minForged, minCause, maxFalseForged), dir.resolve(DETAILS_FILE), timing, out);
  }

  /**
   * Writes the details file, prints the report, the thresholds not met (if any) and, last, the
   * score line; 0 when every threshold holds, else 1.
   */
  static int finish(Scoreboard score, Thresholds thresholds, Path details, String timing, PrintStream out) {
    writeDetails(details, score);
    List<String> unmet = thresholds.unmet(score);
    out.print(score.report());
    out.println();
    out.println(timing);
    out.println("wrong, missing and extra verdicts: " + score.details().size() + " (listed in " + details + ")");
    if (!unmet.isEmpty()) {
      out.println("thresholds not met: " + String.join("; ", unmet));
    }
    out.println(score.scoreLine());
    out.flush();
    return unmet.isEmpty() ? 0 : 1;
  }

  /**
   * One {@code analyze} run, exactly as a user would type it but in this JVM and on the shared
   * broker; null when it failed (analyze has printed why).
   */
  private List<Verdict> analyze(String servers, LabCorpus.Configuration c, LabTruth truth, RunMode mode) throws IOException {
    Path findings = Files.createTempFile("rstscope-score-", ".jsonl");
    try {
      List<String> args = new ArrayList<>(List.of("analyze", "--bootstrap", servers, "--format", "jsonl", "--quiet",
          "--timeout", Long.toString(timeoutSeconds), "--out", findings.toString()));
      c.captures().forEach((point, file) -> args.addAll(List.of("--point", point + "=" + file)));
      if (mode == RunMode.WITH_PATH && !truth.path().isEmpty()) {
        args.addAll(List.of("--path", String.join(",", truth.path())));
      }
      if (kernelTraces && c.kernelTrace() != null) {
        args.addAll(List.of("--kernel-trace", c.kernelTrace().toString()));
      }
      int status = RstscopeMain.run(args.toArray(String[]::new));
      if (status != 0) {
        System.err.printf("rstscope: %s [%s]: analyze exited %d%n", c.id(), mode.label, status);
        return null;
      }
      List<Verdict> verdicts = new ArrayList<>();
      for (String line : Files.readAllLines(findings, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          verdicts.add(Verdict.fromContractJson(JSON.readTree(line)));
        }
      }
      return verdicts;
    } finally {
      Files.deleteIfExists(findings);
    }
  }

  static boolean analyzeReadsKernelTraces() {
    return new CommandLine(new AnalyzeCommand()).getCommandSpec().findOption("--kernel-trace") != null;
  }

  private static void writeDetails(Path file, Scoreboard score) {
    StringBuilder text = new StringBuilder("# every wrong verdict (truth vs verdict), missing and extra finding; "
        + "configuration [run] RST: what differs\n");
    score.failures().forEach(f -> text.append("analyze failed: ").append(f).append('\n'));
    score.details().forEach(d -> text.append(d).append('\n'));
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CaptureFiles.BadInput("cannot write " + file + ": " + e.getMessage());
    }
  }
}
