package dev.tierscope.core.query;

import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Token demand per class and workflow over the steps of a range, for capacity planning: the
 * aggregator counts input and output tokens per workflow in every window.
 *
 * <pre>{@code
 * List<TokenDemand.Series> s = new TokenDemand(reader).series("default", classNames, boundaries);
 * }</pre>
 */
public final class TokenDemand {

  /**
   * Tokens of one class and workflow.
   *
   * @param trafficClass class
   * @param workflow workflow name, empty when requests named none
   * @param inputTokens input tokens over the whole range
   * @param outputTokens output tokens over the whole range
   * @param input input tokens per step
   * @param output output tokens per step
   */
  public record Series(
      String trafficClass,
      String workflow,
      long inputTokens,
      long outputTokens,
      long[] input,
      long[] output) {}

  private final WindowReader reader;

  public TokenDemand(WindowReader reader) {
    this.reader = reader;
  }

  /** Series per class (in the given order) and workflow (sorted), only those with tokens. */
  public List<Series> series(String tenant, List<String> classes, List<Instant> boundaries) {
    int n = boundaries.size() - 1;
    List<Series> out = new ArrayList<>();
    for (String cls : classes) {
      List<Map<CounterKey, Long>> steps =
          reader.countersPerInterval(
              tenant, cls, EnumSet.of(Counter.INPUT_TOKENS, Counter.OUTPUT_TOKENS), boundaries);
      Map<String, long[][]> byWorkflow = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        int step = i;
        steps
            .get(i)
            .forEach(
                (k, v) -> {
                  long[][] io = byWorkflow.computeIfAbsent(k.dimension(), w -> new long[2][n]);
                  io[k.counter() == Counter.INPUT_TOKENS ? 0 : 1][step] += v;
                });
      }
      byWorkflow.forEach(
          (workflow, io) ->
              out.add(new Series(cls, workflow, sum(io[0]), sum(io[1]), io[0], io[1])));
    }
    return out;
  }

  private static long sum(long[] values) {
    long s = 0;
    for (long v : values) {
      s += v;
    }
    return s;
  }
}
