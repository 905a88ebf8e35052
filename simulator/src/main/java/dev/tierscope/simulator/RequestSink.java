package dev.tierscope.simulator;

import java.time.Instant;
import java.util.List;

/**
 * Where a {@link Simulation} delivers what it generates, in simulated-time order: every request
 * when it completes, and every fault switching on or off. Implementations: {@link TierscopeSink}
 * (real spans through the SDK), {@link GroundTruthWriter} (JSON lines); {@link #of} combines them.
 * Called from the simulation's one thread.
 */
public interface RequestSink extends AutoCloseable {

  /** A request completed (its client span ended) at its {@code clientEndMicros}. */
  void request(SimulatedRequest request);

  /** The run starts at {@code start} (simulated time). */
  default void runStarted(SimulationConfig config, Instant start) {}

  /** {@code fault} switched on at {@code at}. */
  default void faultStarted(FaultWindow fault, Instant at) {}

  /** {@code fault} switched off at {@code at}. */
  default void faultEnded(FaultWindow fault, Instant at) {}

  /** The gateway started following new advice for a class (closed loop only). */
  default void adviceChanged(AdviceChange change) {}

  /** The run ended; every request was delivered. */
  default void runEnded(SimulationResult result) {}

  /** Makes what was delivered so far visible (called with each progress report). */
  default void flush() {}

  @Override
  default void close() {}

  /** A sink delivering to each of {@code sinks} in order. */
  static RequestSink of(RequestSink... sinks) {
    List<RequestSink> all = List.of(sinks);
    return new RequestSink() {
      @Override
      public void request(SimulatedRequest request) {
        all.forEach(s -> s.request(request));
      }

      @Override
      public void runStarted(SimulationConfig config, Instant start) {
        all.forEach(s -> s.runStarted(config, start));
      }

      @Override
      public void faultStarted(FaultWindow fault, Instant at) {
        all.forEach(s -> s.faultStarted(fault, at));
      }

      @Override
      public void faultEnded(FaultWindow fault, Instant at) {
        all.forEach(s -> s.faultEnded(fault, at));
      }

      @Override
      public void adviceChanged(AdviceChange change) {
        all.forEach(s -> s.adviceChanged(change));
      }

      @Override
      public void runEnded(SimulationResult result) {
        all.forEach(s -> s.runEnded(result));
      }

      @Override
      public void flush() {
        all.forEach(RequestSink::flush);
      }

      @Override
      public void close() {
        RuntimeException first = null;
        for (RequestSink s : all) {
          try {
            s.close();
          } catch (RuntimeException e) {
            if (first == null) {
              first = e;
            }
          }
        }
        if (first != null) {
          throw first;
        }
      }
    };
  }
}
