package dev.tierscope.accuracy;

import dev.tierscope.core.assembly.AssemblyConfig;
import dev.tierscope.core.assembly.RequestAssembler;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.window.WindowAggregator;
import dev.tierscope.simulator.RequestSink;
import dev.tierscope.simulator.SimulatedRequest;
import java.util.List;

/**
 * The aggregator's data path in one thread, in simulated time: each simulated request's spans go
 * into core's {@link RequestAssembler}, completed requests into a {@link WindowAggregator} (10 s
 * windows, 2 significant digits, the classes' TTFT thresholds, as the aggregator's defaults), and
 * the window deltas into an {@link InMemoryWindowStore}, the reference implementation of the store
 * the API reads. Nothing sleeps: stream time is the spans' own time.
 */
final class InProcessPipeline implements RequestSink {

  /** Window size of the aggregator's default configuration, milliseconds. */
  static final long WINDOW_MILLIS = 10_000;

  /** Requests between two commits into the store (the aggregator commits every second). */
  private static final int COMMIT_EVERY = 2_000;

  private final RequestAssembler assembler = new RequestAssembler(AssemblyConfig.defaults());
  private final WindowAggregator windows;
  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private long requests;
  private long spans;

  InProcessPipeline(TrafficClasses classes) {
    this.windows =
        new WindowAggregator(
            WINDOW_MILLIS,
            2,
            cls ->
                classes.contains(cls) ? classes.get(cls).objectives().ttftThresholdMicros() : -1);
  }

  @Override
  public void request(SimulatedRequest request) {
    List<Span> all = CoreSpans.of(request);
    for (Span s : all) {
      assembler.add(s);
    }
    spans += all.size();
    assembler.drainCompleted(windows::record);
    if (++requests % COMMIT_EVERY == 0) {
      commit();
    }
  }

  /**
   * Completes every request still in flight (stream time moves past their grace and maximum age)
   * and commits what is left.
   */
  void finish() {
    assembler.advanceStreamTime(assembler.streamTimeMicros() + 3_600_000_000L);
    assembler.drainCompleted(windows::record);
    commit();
  }

  private void commit() {
    if (!windows.isEmpty()) {
      store.commit("accuracy", 1, List.of(), windows.drain());
    }
  }

  /** The store the attribution reads. */
  InMemoryWindowStore store() {
    return store;
  }

  /** Requests received. */
  long requests() {
    return requests;
  }

  /** Spans assembled. */
  long spans() {
    return spans;
  }

  /** Spans the assembler counted as late or duplicate (none expected in process). */
  long lostSpans() {
    return assembler.lateSpans() + assembler.duplicateSpans() + assembler.overflowed();
  }
}
