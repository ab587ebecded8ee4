package io.rstscope.processor.state;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

/** Probe counts of one scanning source in its current window (store {@code scan-windows}). */
public final class ScanWindow {
  public long startMicros;
  public int probes;
  public int synProbes;
  public int connectProbes;
  public Set<Integer> ports = new TreeSet<>();
  public Set<String> targets = new LinkedHashSet<>();
  /** Distinct ports when the last alert went out; 0 before the first. */
  public int alertedAtPorts;
}
