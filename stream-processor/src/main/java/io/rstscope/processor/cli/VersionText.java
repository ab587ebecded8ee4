package io.rstscope.processor.cli;

import io.rstscope.schemas.RstscopeVersion;
import picocli.CommandLine;

/** {@code --version} of every command: the project's version and the command's name. */
public final class VersionText implements CommandLine.IVersionProvider {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public String[] getVersion() {
    String name = spec == null || spec.parent() == null ? "" : spec.name();
    return new String[] {RstscopeVersion.line(name)};
  }
}
