package io.rstscope.agent.cli;

import io.rstscope.agent.AgentException;
import java.io.PrintStream;
import picocli.CommandLine;

/**
 * Entry point of {@code rstscope agent}. Bad input gives one line on stderr and exit code 2,
 * never a stack trace (set RSTSCOPE_DEBUG=1 to see one for an unexpected error).
 */
public final class AgentMain {
  public static final int EXIT_BAD_INPUT = 2;

  private AgentMain() {}

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "rstscope-agent-logback.xml");
    }
    System.exit(execute(args, System.err));
  }

  public static int execute(String[] args, PrintStream err) {
    return execute(new AgentCommand(), "agent", args, err);
  }

  /** Runs a command of this module ({@code agent}, {@code probe}) with the same error handling and exit codes. */
  static int execute(Object command, String name, String[] args, PrintStream err) {
    CommandLine cli = new CommandLine(command);
    cli.setErr(new java.io.PrintWriter(err, true));
    cli.setParameterExceptionHandler((ex, a) -> {
      err.println("rstscope " + name + ": " + ex.getMessage().replace('\n', ' ') + " (try --help)");
      return EXIT_BAD_INPUT;
    });
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof AgentException) {
        err.println("rstscope " + name + ": " + ex.getMessage());
        return EXIT_BAD_INPUT;
      }
      err.println("rstscope " + name + ": unexpected error: " + ex);
      if (System.getenv("RSTSCOPE_DEBUG") != null) {
        ex.printStackTrace(err);
      }
      return 1;
    });
    return cli.execute(args);
  }
}
