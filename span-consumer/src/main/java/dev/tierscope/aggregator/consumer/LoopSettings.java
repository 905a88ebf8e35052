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
 * @param claimLease how long after its last checkpoint another owner of a partition still counts as
 *     alive, so that a claim with a lower generation waits for it ({@link
 *     dev.tierscope.core.store.Claimant#lease()}); must be longer than the consumer's {@code
 *     max.poll.interval.ms} plus {@code session.timeout.ms}
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
    LoopLimits limits,
    Duration claimLease) {

  /**
   * The claim lease for Kafka's default consumer settings: {@code max.poll.interval.ms} (5 min)
   * plus {@code session.timeout.ms} (45 s), and a minute to spare.
   */
  public static final Duration DEFAULT_CLAIM_LEASE = Duration.ofSeconds(300 + 45 + 60);

  public LoopSettings {
    ttftThresholdMicrosByClass = Map.copyOf(ttftThresholdMicrosByClass);
    if (limits == null) {
      limits = LoopLimits.DEFAULTS;
    }
    if (claimLease == null) {
      claimLease = DEFAULT_CLAIM_LEASE;
    }
    if (claimLease.isNegative() || claimLease.isZero()) {
      throw new IllegalArgumentException("claimLease must be positive, was " + claimLease);
    }
  }

  /** Settings with the default claim lease ({@link #DEFAULT_CLAIM_LEASE}). */
  public LoopSettings(
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
        limits,
        DEFAULT_CLAIM_LEASE);
  }

  /** The same settings with another claim lease. */
  public LoopSettings withClaimLease(Duration lease) {
    return new LoopSettings(
        topic,
        group,
        windowMillis,
        significantDigits,
        checkpointInterval,
        idleAdvanceAfter,
        pollTimeout,
        assembly,
        ttftThresholdMicrosByClass,
        limits,
        lease);
  }

  /** Settings with the default limits ({@link LoopLimits#DEFAULTS}) and claim lease. */
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
        LoopLimits.DEFAULTS,
        DEFAULT_CLAIM_LEASE);
  }
}
