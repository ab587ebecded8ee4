package io.rstscope.processor.analyze;

import io.rstscope.agent.AgentException;
import io.rstscope.avro.RstFinding;
import io.rstscope.processor.output.FindingJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "analyze", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Explains every RST in captures taken at one or more points of a path.",
        "Each capture is replayed through a real capture agent into Kafka (an embedded broker unless",
        "--bootstrap is given), the real topology correlates each RST across the points, and when every",
        "correlation window has closed the findings are printed."},
    footer = {"", "Examples:", "  rstscope analyze --point P1=client.pcap --point P2=core.pcapng --point P3=server.pcap --format jsonl",
        "  rstscope analyze --dir captures/ --kernel-trace client.jsonl --kernel-trace 10.0.3.2=server.jsonl"})
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

  @Option(names = "--format", paramLabel = "table|jsonl|html", defaultValue = "table",
      description = "Output format (default: ${DEFAULT-VALUE}). jsonl: one finding per line (DESIGN.md contract).")
  String format;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the findings to FILE instead of standard output.")
  Path out;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
      description = "Give up when the analysis has not finished after this long (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = "--quiet", description = "No progress lines on standard error.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    if (!List.of("table", "jsonl", "html").contains(format)) {
      throw new CaptureFiles.BadInput("--format must be table, jsonl or html, not '" + format + "'");
    }
    List<String> specs = new ArrayList<>(pointSpecs);
    if (dir != null) {
      specs.addAll(CaptureFiles.specsFromDirectory(dir));
    }
    Map<String, Path> points = CaptureFiles.parse(specs);
    List<String> order = CaptureFiles.path(path, points);
    List<KernelTraces.Trace> kernelTraces = KernelTraces.read(kernelTraceSpecs);
    PrintStream err = System.err;
    AnalysisRun.Result result;
    try {
      result = new AnalysisRun(points, order, bootstrap, Duration.ofSeconds(timeoutSeconds),
          line -> { if (!quiet) err.println("rstscope: " + line); }).withLadders(format.equals("html"))
          .withKernelTraces(kernelTraces).run();
    } catch (AgentException e) {
      throw new CaptureFiles.BadInput(e.getMessage());
    }
    String rendered = render(result);
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
    if (!quiet) {
      long packets = result.agents().values().stream().mapToLong(r -> r.captured()).sum();
      err.printf("rstscope: %d RST(s) explained from %d packets at %d point(s) in %.1f s%n",
          result.findings().size(), packets, points.size(), result.elapsed().toMillis() / 1000.0);
      result.agents().forEach((point, r) -> {
        if (!r.anomalies().isEmpty()) {
          err.println("rstscope: " + point + ": packets not decoded: " + r.anomalies());
        }
      });
    }
    return 0;
  }

  private String render(AnalysisRun.Result result) {
    List<RstFinding> findings = result.findings();
    return switch (format) {
      case "jsonl" -> {
        StringBuilder sb = new StringBuilder();
        findings.forEach(f -> sb.append(FindingJson.contractJson(f)).append('\n'));
        yield sb.toString();
      }
      case "html" -> HtmlReport.render(findings, "rstscope findings", result.ladders());
      default -> FindingTable.render(findings);
    };
  }
}
