package dev.tierscope.aggregator.consumer;

import dev.tierscope.core.assembly.AssemblyConfig;
import java.time.Duration;
import java.util.Map;

/**
 * What one consumer loop needs to know.
 *
 * @param topic spans topic
 * @param group consumer group (also the owner key of the checkpoints)
 * @param windowMillis event-time window size in milliseconds
 * @param significantDigits HdrHistogram precision
 * @param checkpointInterval how often deltas, snapshots and offsets are committed; bounds freshness
 * @param idleAdvanceAfter a partition without records for this long has its stream time advanced
 *     with the wall clock, so its last requests complete
 * @param pollTimeout Kafka poll timeout
 * @param assembly request assembly settings
 * @param ttftThresholdMicrosByClass each configured class with its TTFT threshold in microseconds,
 *     to count the requests that violated it (the tail that attribution looks at); a record naming
 *     a class not in it counts as naming an unknown class
 * @param limits time bounds, stream-time tolerance and window caps
 */
public record LoopSettings(
    String topic,
    String group,
    long windowMillis,
    int significantDigits,
    Duration checkpointInterval,
    Duration idleAdvanceAfter,
    Duration pollTimeout,
    AssemblyConfig assembly,
    Map<String, Long> ttftThresholdMicrosByClass,
    LoopLimits limits) {

  public LoopSettings {
    ttftThresholdMicrosByClass = Map.copyOf(ttftThresholdMicrosByClass);
    if (limits == null) {
      limits = LoopLimits.DEFAULTS;
    }
  }

  /** Settings with the default limits ({@link LoopLimits#DEFAULTS}). */
  public LoopSettings(
      String topic,
      String group,
      long windowMillis,
      int significantDigits,
      Duration checkpointInterval,
      Duration idleAdvanceAfter,
      Duration pollTimeout,
      AssemblyConfig assembly,
      Map<String, Long> ttftThresholdMicrosByClass) {
    this(
        topic,
        group,
        windowMillis,
        significantDigits,
        checkpointInterval,
        idleAdvanceAfter,
        pollTimeout,
        assembly,
        ttftThresholdMicrosByClass,
        LoopLimits.DEFAULTS);
  }
}
