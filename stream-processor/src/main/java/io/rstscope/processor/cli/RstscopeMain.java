package io.rstscope.processor.cli;

import io.rstscope.processor.analyze.AnalyzeCommand;
import io.rstscope.processor.analyze.CaptureFiles;
import io.rstscope.processor.evaluate.LabCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./rstscope analyze|processor|lab score}. Errors the user can fix are one line on
 * standard error with exit code 2; anything else is one line with exit code 1 (the stack trace
 * goes to the log only when RSTSCOPE_DEBUG is set).
 */
@Command(name = "rstscope", mixinStandardHelpOptions = true, versionProvider = VersionText.class,
    description = "Finds out who really reset a TCP connection.",
    subcommands = {AnalyzeCommand.class, ProcessorCommand.class, LabCommand.class})
public final class RstscopeMain {
  private RstscopeMain() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    CommandLine cli = new CommandLine(new RstscopeMain());
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      boolean userError = e instanceof CaptureFiles.BadInput;
      line.getErr().println("rstscope: " + oneLine(e));
      if (System.getenv("RSTSCOPE_DEBUG") != null) {
        e.printStackTrace(line.getErr());
      }
      return userError ? 2 : 1;
    });
    cli.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println("rstscope: " + e.getMessage() + " (see --help)");
      return 2;
    });
    if (args.length == 0) {
      cli.usage(System.err);
      return 2;
    }
    return cli.execute(args);
  }

  static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
