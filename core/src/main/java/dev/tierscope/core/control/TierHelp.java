package dev.tierscope.core.control;

/**
 * What acting helps with a slowdown caused in one tier.
 *
 * @param admission whether making other classes give way (defer, shed) relieves the tier: true for
 *     the model tier, whose queue every class shares
 * @param maxDegradation the highest degradation level that shortens the tier's time, 0 when none
 *     does (1 compresses retrieval breadth, 2 plans a single tool, 3 answers concisely)
 */
public record TierHelp(boolean admission, int maxDegradation) {

  public TierHelp {
    if (maxDegradation < 0 || maxDegradation > Step.MAX_LEVEL) {
      throw new IllegalArgumentException(
          "max degradation must be 0 to " + Step.MAX_LEVEL + ", was " + maxDegradation);
    }
  }

  /** Nothing helps (the edge: the client's network path). */
  public static final TierHelp NONE = new TierHelp(false, 0);

  /** Whether any action helps. */
  public boolean helps() {
    return admission || maxDegradation > 0;
  }
}
