package dev.tierscope.core.window;

/**
 * A counter and its dimension (the workflow for token counters, empty otherwise).
 *
 * @param counter which count
 * @param dimension bounded sub-key, empty when none
 */
public record CounterKey(Counter counter, String dimension) {

  public CounterKey {
    if (counter == null || dimension == null) {
      throw new IllegalArgumentException("counter and dimension are required");
    }
  }

  public static CounterKey of(Counter counter) {
    return new CounterKey(counter, "");
  }
}
