package io.rstscope.processor.evaluate;

import picocli.CommandLine.Command;

/** {@code rstscope lab ...}: the parts of the capture lab that run in Java (the lab itself is deploy/lab). */
@Command(name = "lab", mixinStandardHelpOptions = true, subcommands = {LabScoreCommand.class},
    description = "Lab evaluation: `lab score DIR` scores analyze against a folder of lab configurations.")
public final class LabCommand {}
