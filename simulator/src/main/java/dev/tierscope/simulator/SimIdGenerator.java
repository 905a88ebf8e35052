package dev.tierscope.simulator;

import io.opentelemetry.sdk.trace.IdGenerator;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Ids for the simulator's spans: the trace id of the next root span is the one the ground truth
 * recorded for the request; span ids come from a seeded stream, so a run's spans are identical from
 * one run to the next.
 */
final class SimIdGenerator implements IdGenerator {

  private final ThreadLocal<String> nextTraceId = new ThreadLocal<>();
  private final SplittableRandom spanIds;

  SimIdGenerator(long seed) {
    this.spanIds = Rng.stream(seed, -1, Rng.IDS);
  }

  /** The trace id the next root span started on this thread gets. */
  void nextTraceId(String traceId) {
    nextTraceId.set(traceId);
  }

  @Override
  public String generateTraceId() {
    String id = nextTraceId.get();
    if (id != null) {
      nextTraceId.remove();
      return id;
    }
    return IdGenerator.random().generateTraceId();
  }

  @Override
  public synchronized String generateSpanId() {
    long id;
    do {
      id = spanIds.nextLong();
    } while (id == 0);
    return HexFormat.of().toHexDigits(id);
  }
}
