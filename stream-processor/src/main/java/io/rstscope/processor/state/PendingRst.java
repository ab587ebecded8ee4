package io.rstscope.processor.state;

import java.util.ArrayList;
import java.util.List;

/**
 * One RST waiting for its correlation window to close (store {@code pending-rsts}, keyed by
 * finding id). Every point's sighting of the same packet (flow, direction, seq, ack, flags,
 * IP ID) is collected here; the verdict is made once, when every point's watermark has passed
 * the window, or after {@code maxVerdictWait} of wall-clock time.
 */
public final class PendingRst {
  public String findingId;
  /** Serialized FlowKey (Avro single-object encoding) so the flow's state can be fetched. */
  public byte[] flowKey;
  public boolean fromLow;
  public long seq;
  public long ack;
  public int flags;
  public Integer ipId;
  public List<RstSighting> sightings = new ArrayList<>();
  /** Wall-clock time the first sighting was processed, for the maxVerdictWait fallback. */
  public long firstWallMs;

  public static final class RstSighting {
    public String point;
    public long tsMicros;
    public int ttl;

    public RstSighting() {}

    public RstSighting(String point, long tsMicros, int ttl) {
      this.point = point;
      this.tsMicros = tsMicros;
      this.ttl = ttl;
    }
  }

  public boolean seenAt(String point) {
    return sightings.stream().anyMatch(s -> s.point.equals(point));
  }
}
