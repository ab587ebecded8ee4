package io.rstscope.processor.state;

/** One point's view of a flow, both directions. */
public final class PointView {
  public DirectionView lowToHigh = new DirectionView();
  public DirectionView highToLow = new DirectionView();

  public DirectionView dir(boolean fromLow) {
    return fromLow ? lowToHigh : highToLow;
  }
}
