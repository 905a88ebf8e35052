package dev.tierscope.aggregator;

import dev.tierscope.core.assembly.AssemblyConfig;
import dev.tierscope.core.classes.ClassRules;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code tierscope.aggregator.*}.
 *
 * @param group consumer group id; instances with the same group share the partitions
 * @param consumers consumer threads in this instance
 * @param significantDigits HdrHistogram precision (2: 1% relative error)
 * @param checkpointInterval how often state is committed; bounds freshness
 * @param grace stream time waited after a root span ended
 * @param maxAge stream time after which an incomplete request is emitted as partial
 * @param allowedLateness spans older than this (behind stream time) for finished requests are
 *     counted as late
 * @param maxInFlight cap on in-flight requests per partition; overflow is emitted as partial
 * @param idleAdvanceAfter a quiet partition's stream time follows the wall clock after this
 * @param pollTimeout Kafka poll timeout
 * @param instanceId stable identity of this instance in the consumer group (Kafka static
 *     membership, {@code group.instance.id} = this plus {@code -<loop>}); empty for dynamic
 *     membership. Unique per instance, the same across its restarts.
 * @param durabilityCheck {@code warn} (log) or {@code strict} (stop start-up) when the spans topic
 *     is less durable than the cluster allows (replication factor 3, min.insync.replicas 2)
 * @param maxFutureSkew a record whose span ends further after the record's Kafka timestamp is
 *     dead-lettered ({@code too_far_in_future}); keep equal to {@code tierscope.ingest.*}
 * @param maxSpanAge a record whose span starts further before its Kafka timestamp is dead-lettered
 *     ({@code too_old}); keep equal to {@code tierscope.ingest.max-age}
 * @param streamTimeTolerance how far a partition's stream time may run ahead of this instance's
 *     wall clock
 * @param maxSpansPerTrace spans one request takes (per partition); further ones are counted, not
 *     assembled
 * @param maxBytesPerTrace serialized bytes one request takes (per partition), likewise
 * @param maxTenantsPerWindow distinct tenants per window and consumer loop; the excess is counted
 *     under {@code __overflow__} (authenticated tenants never are)
 * @param maxWorkflowsPerWindow distinct workflows per window, tenant and consumer loop, likewise
 * @param maxClientPathsPerWindow distinct client paths per window, tenant and consumer loop
 * @param maxRegionsPerWindow distinct regions (the {@code region} breakdown) per window, tenant and
 *     consumer loop; the excess is counted under {@code __overflow__}
 * @param maxModelsPerWindow distinct models (the {@code model} breakdown), likewise
 * @param maxServicesPerWindow distinct backend services (the {@code service} breakdown, and apart
 *     from it the {@code retrievalService} one), likewise
 * @param restartBackoff wait before restarting a consumer loop that stopped, doubled per restart
 * @param maxRestartBackoff the longest wait between restarts
 * @param earlyCompletion {@code tierscope.aggregator.early-completion.*}: complete a request before
 *     the grace once its root and every span named as a parent arrived
 */
@ConfigurationProperties("tierscope.aggregator")
public record AggregatorProperties(
    @DefaultValue("tierscope-aggregator") String group,
    @DefaultValue("1") int consumers,
    @DefaultValue("2") int significantDigits,
    @DefaultValue("1s") Duration checkpointInterval,
    @DefaultValue("5s") Duration grace,
    @DefaultValue("10m") Duration maxAge,
    @DefaultValue("2m") Duration allowedLateness,
    @DefaultValue("100000") int maxInFlight,
    @DefaultValue("2s") Duration idleAdvanceAfter,
    @DefaultValue("200ms") Duration pollTimeout,
    @DefaultValue("") String instanceId,
    @DefaultValue("warn") String durabilityCheck,
    @DefaultValue("5m") Duration maxFutureSkew,
    @DefaultValue("2d") Duration maxSpanAge,
    @DefaultValue("0s") Duration streamTimeTolerance,
    @DefaultValue("10000") int maxSpansPerTrace,
    @DefaultValue("5MB") DataSize maxBytesPerTrace,
    @DefaultValue("1000") int maxTenantsPerWindow,
    @DefaultValue("100") int maxWorkflowsPerWindow,
    @DefaultValue("16") int maxClientPathsPerWindow,
    @DefaultValue("16") int maxRegionsPerWindow,
    @DefaultValue("16") int maxModelsPerWindow,
    @DefaultValue("16") int maxServicesPerWindow,
    @DefaultValue("1s") Duration restartBackoff,
    @DefaultValue("1m") Duration maxRestartBackoff,
    @DefaultValue EarlyCompletion earlyCompletion) {

  /**
   * {@code tierscope.aggregator.early-completion.*}: a request whose root span, model span, the
   * span under a client root and every span named as a parent by one of its spans arrived completes
   * once {@code settle} of stream time passed without a new span of it, instead of {@code grace}
   * after its root ended (core's {@code RequestAssembler}, "Early completion"). A span of it
   * arriving later is counted late.
   *
   * @param enabled off: every request waits for the grace, as before
   * @param settle stream time without a new span of the request before it completes early; shorter
   *     than {@code grace}
   */
  public record EarlyCompletion(
      @DefaultValue("false") boolean enabled, @DefaultValue("1s") Duration settle) {}

  public AggregatorProperties {
    if (consumers < 1) {
      throw new IllegalArgumentException("tierscope.aggregator.consumers must be >= 1");
    }
    if (!durabilityCheck.equals("warn") && !durabilityCheck.equals("strict")) {
      throw new IllegalArgumentException(
          "tierscope.aggregator.durability-check must be warn or strict, was " + durabilityCheck);
    }
    if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
      throw new IllegalArgumentException("tierscope.aggregator.checkpoint-interval must be > 0");
    }
    positive(maxFutureSkew, "max-future-skew");
    positive(maxSpanAge, "max-span-age");
    if (streamTimeTolerance.isNegative()) {
      throw new IllegalArgumentException(
          "tierscope.aggregator.stream-time-tolerance must be >= 0, was " + streamTimeTolerance);
    }
    atLeastOne(maxSpansPerTrace, "max-spans-per-trace");
    atLeastOne(maxBytesPerTrace.toBytes(), "max-bytes-per-trace");
    atLeastOne(maxTenantsPerWindow, "max-tenants-per-window");
    atLeastOne(maxWorkflowsPerWindow, "max-workflows-per-window");
    atLeastOne(maxClientPathsPerWindow, "max-client-paths-per-window");
    atLeastOne(maxRegionsPerWindow, "max-regions-per-window");
    atLeastOne(maxModelsPerWindow, "max-models-per-window");
    atLeastOne(maxServicesPerWindow, "max-services-per-window");
    if (restartBackoff.isNegative() || maxRestartBackoff.compareTo(restartBackoff) < 0) {
      throw new IllegalArgumentException(
          "tierscope.aggregator.restart-backoff must be >= 0 and at most max-restart-backoff, was "
              + restartBackoff
              + " and "
              + maxRestartBackoff);
    }
    if (earlyCompletion == null) {
      earlyCompletion = new EarlyCompletion(false, Duration.ofSeconds(1));
    }
    if (earlyCompletion.settle() == null || earlyCompletion.settle().isNegative()) {
      throw new IllegalArgumentException(
          "tierscope.aggregator.early-completion.settle must be >= 0, was "
              + earlyCompletion.settle());
    }
    if (earlyCompletion.enabled() && earlyCompletion.settle().compareTo(grace) >= 0) {
      throw new IllegalArgumentException(
          "tierscope.aggregator.early-completion.settle must be shorter than"
              + " tierscope.aggregator.grace ("
              + grace
              + "), was "
              + earlyCompletion.settle()
              + " (or set tierscope.aggregator.early-completion.enabled=false)");
    }
  }

  /** The assembly settings of {@code tierscope.aggregator.*} (grace, caps, early completion). */
  AssemblyConfig assemblyConfig(String fallbackClass, ClassRules rules) {
    AssemblyConfig config =
        new AssemblyConfig(
            grace,
            maxAge,
            allowedLateness,
            maxInFlight,
            fallbackClass,
            rules,
            maxSpansPerTrace,
            maxBytesPerTrace.toBytes());
    return earlyCompletion.enabled()
        ? config.withEarlyCompletion(earlyCompletion.settle())
        : config;
  }

  private static void positive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(
          "tierscope.aggregator." + name + " must be positive, was " + d);
    }
  }

  private static void atLeastOne(long n, String name) {
    if (n < 1) {
      throw new IllegalArgumentException(
          "tierscope.aggregator." + name + " must be at least 1, was " + n);
    }
  }
}
