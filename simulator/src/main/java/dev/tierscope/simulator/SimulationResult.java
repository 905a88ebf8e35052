package dev.tierscope.simulator;

import dev.tierscope.sdk.TrafficClass;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a run generated.
 *
 * @param start simulated start
 * @param simulated simulated time covered
 * @param real wall-clock time taken
 * @param requests requests delivered to the sink
 * @param byClass requests per class
 * @param byWorkflow requests per workflow
 * @param byOutcome requests per stream outcome ({@code completed}, {@code interrupted}, ...)
 * @param byFault requests per active-fault label ({@code none}, {@code edge-vpn}, ...)
 * @param stopped whether {@link Simulation#stop()} ended it before its duration
 * @param adviceChanges every change of admission advice the gateway followed, in order (closed loop
 *     only)
 * @param peakModelQueue most requests ever waiting for the model at once (0 without a capacity
 *     limit)
 */
public record SimulationResult(
    Instant start,
    Duration simulated,
    Duration real,
    long requests,
    Map<TrafficClass, Long> byClass,
    Map<Workflow, Long> byWorkflow,
    Map<String, Long> byOutcome,
    Map<String, Long> byFault,
    boolean stopped,
    List<AdviceChange> adviceChanges,
    int peakModelQueue) {

  public SimulationResult {
    adviceChanges = List.copyOf(adviceChanges);
  }
}
