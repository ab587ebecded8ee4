package io.rstscope.agent.cli;

/** Entry point of {@code rstscope probe}: the agents' error handling and exit codes. */
public final class ProbeMain {
  private ProbeMain() {}

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "rstscope-agent-logback.xml");
    }
    System.exit(AgentMain.execute(new ProbeCommand(), "probe", args, System.err));
  }
}
