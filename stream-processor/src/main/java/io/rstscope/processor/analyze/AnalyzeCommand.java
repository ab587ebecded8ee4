package io.rstscope.processor.analyze;

import io.rstscope.agent.AgentException;
import io.rstscope.avro.RstFinding;
import io.rstscope.processor.output.FindingJson;
import io.rstscope.processor.output.OcsfJson;
import io.rstscope.processor.output.TimeText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "analyze", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    versionProvider = io.rstscope.processor.cli.VersionText.class,
    description = {
        "Explains every RST in captures taken at one or more points of a path. Each capture is replayed through a "
            + "real capture agent into Kafka (an embedded broker unless --bootstrap is given), the real topology "
            + "correlates each RST across the points, and when every correlation window has closed the findings are "
            + "printed.", ""},
    footer = {"", "Examples:",
        "  rstscope analyze --point P1=client.pcap --point P2=core.pcapng --point P3=server.pcap --format jsonl",
        "  rstscope analyze client.pcap core.pcapng.gz server.pcap -f 'port 443' --extract pkts --format html --out r.html",
        "  tcpdump -i eth0 -w - | rstscope analyze -",
        "  rstscope analyze --dir captures/ --kernel-trace client.jsonl --kernel-trace 10.0.3.2=server.jsonl",
        "",
        "A capture cut short or damaged is analysed up to the damage; one line per such file on standard error "
            + "says what was lost, and findings whose RST came after the cut carry the evidence CAPTURE_CUT.",
        "",
        "Exit status: 0 analysed (also with a cut capture), 1 failed, 2 bad input (one line on standard error)."})
public final class AnalyzeCommand implements Callable<Integer> {

  @Option(names = "--point", paramLabel = "NAME=FILE",
      description = "A capture (pcap or pcapng) taken at observation point NAME. Repeat per point, client side first.")
  List<String> pointSpecs = new ArrayList<>();

  @Option(names = "--dir", paramLabel = "FOLDER",
      description = "Take every *.pcap / *.pcapng of FOLDER as a point named after the file (P1.pcap is point P1).")
  Path dir;

  @Option(names = "--kernel-trace", paramLabel = "[ADDR,...=]FILE",
      description = {"A kernel probe's recording (rstscope probe --out), read beside the captures. Repeatable.",
          "It covers the hosts with the addresses before '=', else those its events show as the host's own."})
  List<String> kernelTraceSpecs = new ArrayList<>();

  @Option(names = "--path", paramLabel = "NAME,NAME,...",
      description = "Order of the points along the path, client side first. Default: inferred from TTLs.")
  String path;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
      description = "Use this Kafka cluster instead of an embedded broker; the run deletes its topics and group afterwards.")
  String bootstrap;

  @Option(names = "--format", paramLabel = "table|jsonl|ecs|ocsf|html", defaultValue = "table",
      description = "Output format (default: ${DEFAULT-VALUE}). jsonl: one finding per line (docs/contracts.md);"
          + " ecs: Elastic Common Schema documents; ocsf: OCSF " + OcsfJson.OCSF_VERSION + " Network Activity events.")
  String format;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the findings to FILE instead of standard output.")
  Path out;

  @Option(names = "--flows", paramLabel = "FILE",
      description = "Also write one JSON line per TCP connection (with or without a RST) to FILE: Zeek's conn_state and"
          + " history, per-point packet and byte counts (docs/contracts.md).")
  Path flowsOut;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
      description = "Give up when the analysis has not finished after this long (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = "--quiet", description = "No progress lines on standard error.")
  boolean quiet;

  @Option(names = {"-f", "--filter"}, paramLabel = "BPF",
      description = "A capture filter (tcpdump syntax) applied at every point, e.g. 'host 10.0.3.2 and port 443'.")
  String filter;

  @Option(names = "--extract", paramLabel = "DIR",
      description = "Write, per flow with a finding, one pcapng of its packets from every point (one interface per point, "
          + "each RST commented with its verdict) into DIR, for Wireshark.")
  Path extract;

  @Parameters(paramLabel = "FILE", arity = "0..*",
      description = "Capture files (pcap, pcapng, either gzip-compressed), each a point named after its file "
          + "(P1.pcap is point P1), or NAME=FILE; - reads standard input (point stdin). Client side first.")
  List<String> files = new ArrayList<>();

  @Option(names = "--cause", paramLabel = "CAUSE[,CAUSE...]", description = "Show only RSTs of these causes.")
  String causes;

  @Option(names = "--forged", description = "Show only forged RSTs.")
  boolean forgedOnly;

  @Option(names = "--address", paramLabel = "ADDR", description = "Show only RSTs of flows with this address at either end.")
  String address;

  @Option(names = "--since", paramLabel = "TIME", description = "Show only RSTs at or after TIME (e.g. 2026-11-25T10:00:00Z; "
      + "without a zone: UTC, or local with --local).")
  String since;

  @Option(names = "--until", paramLabel = "TIME", description = "Show only RSTs before TIME.")
  String until;

  @Option(names = "--summary", description = "Instead of each RST (table format), counts by cause, emitter and location.")
  boolean summary;

  @Option(names = "--local", description = "Times in the local zone (with its offset) instead of UTC (Z).")
  boolean localTime;

  @Override
  public Integer call() throws Exception {
    if (!List.of("table", "jsonl", "ecs", "ocsf", "html").contains(format)) {
      throw new CaptureFiles.BadInput("--format must be table, jsonl, ecs, ocsf or html");
    }
    TimeText time = TimeText.of(localTime);
    FindingSelection selection = FindingSelection.of(causes, forgedOnly, address, since, until, time.zone());
    List<String> specs = new ArrayList<>(pointSpecs);
    specs.addAll(CaptureFiles.specsFromArguments(files));
    if (dir != null) {
      specs.addAll(CaptureFiles.specsFromDirectory(dir));
    }
    Map<String, Path> given = CaptureFiles.parse(specs);
    List<String> order = CaptureFiles.path(path, given);
    OutputChecks.writableFile("--out", out);
    OutputChecks.writableFile("--flows", flowsOut);
    OutputChecks.writableFolder("--extract", extract);
    if (bootstrap != null) {
      OutputChecks.reachable(bootstrap);
    }
    List<KernelTraces.Trace> kernelTraces = KernelTraces.read(kernelTraceSpecs);
    PrintStream err = System.err;
    try (CaptureFiles.Materialized inputs = CaptureFiles.materialize(given)) {
      Map<String, Path> points = inputs.points();
      AnalysisRun.Result result;
      try (Progress progress = Progress.onTerminal(points, quiet)) {
        result = new AnalysisRun(points, order, bootstrap, Duration.ofSeconds(timeoutSeconds),
            line -> { if (!quiet) progress.line("rstscope: " + line); }).withLadders(format.equals("html"))
            .withNotices(line -> progress.line("rstscope: " + line)).withFilter(filter).withFlows(flowsOut != null)
            .withKernelTraces(kernelTraces).run();
      } catch (AgentException e) {
        throw new CaptureFiles.BadInput(e.getMessage());
      }
      // A cut capture is analysed up to its cut: said in one line per file, even with --quiet.
      CaptureCuts.lines(result.agents(), time).forEach(line -> err.println("rstscope: " + line));
      int all = result.findings().size();
      result = result.withFindings(selection.apply(CaptureCuts.mark(result.findings(), result.agents(), time)));
      Map<String, Path> packetFiles = Map.of();
      if (extract != null && !result.findings().isEmpty()) {
        try {
          packetFiles = PacketExtract.write(extract, points, AnalysisRun.captureFilter(filter), result.findings(),
              result.clockOffsetsMicros());
        } catch (IOException e) {
          throw new CaptureFiles.BadInput("cannot write the packets into " + extract + ": " + e.getMessage());
        }
      }
      String rendered = render(result, given, time, packetFiles);
      if (out == null) {
        System.out.print(rendered);
        System.out.flush();
      } else {
        try {
          Files.writeString(out, rendered, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new CaptureFiles.BadInput("cannot write " + out + ": " + e.getMessage());
        }
      }
      if (flowsOut != null) {
        try {
          Files.writeString(flowsOut, result.flows().isEmpty() ? "" : String.join("\n", result.flows()) + "\n",
              StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new CaptureFiles.BadInput("cannot write " + flowsOut + ": " + e.getMessage());
        }
      }
      if (!quiet) {
        long packets = result.agents().values().stream().mapToLong(r -> r.captured()).sum();
        err.printf("rstscope: %d RST(s) explained from %d packets at %d point(s) in %.1f s%s%n",
            all, packets, points.size(), result.elapsed().toMillis() / 1000.0,
            selection.all() ? "" : "; " + result.findings().size() + " selected");
        result.agents().forEach((point, r) -> {
          if (!r.anomalies().isEmpty()) {
            err.println("rstscope: " + point + ": packets not decoded: " + r.anomalies());
          }
        });
        if (out != null) {
          err.println("rstscope: " + (summary ? "summary" : format.equals("html") ? "report" : "findings")
              + " written to " + out.toAbsolutePath());
        }
        if (!packetFiles.isEmpty()) {
          err.println("rstscope: packets of " + packetFiles.size() + " flow(s) written to " + extract.toAbsolutePath());
        }
      }
      return 0;
    }
  }

  private static String lines(List<RstFinding> findings, java.util.function.Function<RstFinding, String> writer) {
    StringBuilder sb = new StringBuilder();
    findings.forEach(f -> sb.append(writer.apply(f)).append('\n'));
    return sb.toString();
  }

  private String render(AnalysisRun.Result result, Map<String, Path> points, TimeText time, Map<String, Path> packetFiles) {
    List<RstFinding> findings = result.findings();
    return switch (format) {
      case "jsonl" -> {
        StringBuilder sb = new StringBuilder();
        findings.forEach(f -> sb.append(FindingJson.contractJson(f)).append('\n'));
        yield sb.toString();
      }
      case "ecs" -> lines(findings, FindingJson::ecsJson);
      case "ocsf" -> lines(findings, OcsfJson::json);
      case "html" -> {
        Map<String, String> inputs = new LinkedHashMap<>();
        points.forEach((point, file) -> inputs.put(point, file.toString()));
        Map<String, String> notes = new LinkedHashMap<>();
        result.agents().forEach((point, r) -> notes.put(point, String.format(java.util.Locale.ROOT, "%,d packets read", r.captured())
            + (r.damage() == null ? "" : "; " + r.damage().text())));
        yield HtmlReport.render(new HtmlReport.Content("rstscope findings", Instant.now(), time, inputs, notes,
            findings, result.ladders(), links(packetFiles)));
      }
      default -> summary ? FindingSummary.render(findings) : FindingTable.render(findings, time);
    };
  }

  /** The report links each file relative to the report's folder when there is one, else as given. */
  private Map<String, String> links(Map<String, Path> packetFiles) {
    Map<String, String> out = new LinkedHashMap<>();
    Path base = this.out == null ? null : this.out.toAbsolutePath().getParent();
    packetFiles.forEach((flow, file) -> out.put(flow,
        base == null ? file.toAbsolutePath().toUri().toString() : base.relativize(file.toAbsolutePath()).toString()));
    return out;
  }
}
