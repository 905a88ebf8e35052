package dev.tierscope.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Freshness of requests from two logs: when the load generator's exports were acknowledged (each
 * with its number of requests), and what the API counted when it was asked (polls of the count of
 * requests, each with its time).
 *
 * <p>The API counts requests, it cannot say which ones. So the k-th request acknowledged is matched
 * with the first poll at which the count reached k (rank matching). The mean of the result is exact
 * whatever order the aggregator completed the requests in (it is the difference of two sums); the
 * percentiles assume the requests are counted in about the order they were acknowledged, which
 * holds when every request completes a fixed grace after its root span ended and all root spans end
 * just before their export (the load's default). With batched exports ({@code --batch-delay-ms})
 * and early completion requests are counted in a looser order, so the percentiles are rank
 * approximations (a request counted out of order takes another's value) and only the mean is exact.
 * Each value is late by at most one poll interval.
 */
final class Freshness {

  /** One acknowledged export: its time and the requests it carried. */
  record Ack(long nanos, int requests) {}

  /** One poll of the API: its time and the count of requests it answered. */
  record Count(long nanos, long requests) {}

  /**
   * The freshness percentiles of a range of requests.
   *
   * @param requests how many requests were matched
   * @param uncounted requests acknowledged that no poll counted (yet)
   */
  record Summary(
      long requests, long uncounted, double p50Ms, double p99Ms, double maxMs, double meanMs) {

    static final Summary EMPTY = new Summary(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }

  private Freshness() {}

  /**
   * Matches the requests of {@code acks} with ranks {@code firstRank + 1 ...} (the requests
   * acknowledged before these are {@code firstRank}) to {@code counts}, which must be in time order
   * and hold the API's count over all requests.
   */
  static Summary of(List<Ack> acks, long firstRank, List<Count> counts) {
    List<Double> millis = new ArrayList<>();
    long rank = firstRank;
    long uncounted = 0;
    int poll = 0;
    for (Ack ack : acks) {
      for (int i = 0; i < ack.requests(); i++) {
        rank++;
        while (poll < counts.size() && counts.get(poll).requests() < rank) {
          poll++;
        }
        if (poll == counts.size()) {
          uncounted++;
        } else {
          // a poll that came before the acknowledgement counted another request of this rank;
          // the request itself was counted no earlier than its acknowledgement
          long at = Math.max(counts.get(poll).nanos(), ack.nanos());
          millis.add((at - ack.nanos()) / 1e6);
        }
      }
    }
    if (millis.isEmpty()) {
      return new Summary(0, uncounted, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double[] sorted = millis.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    double sum = 0;
    for (double v : sorted) {
      sum += v;
    }
    return new Summary(
        sorted.length,
        uncounted,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        sorted[sorted.length - 1],
        sum / sorted.length);
  }

  /** Nearest rank. */
  static double percentile(double[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
