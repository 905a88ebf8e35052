package dev.tierscope.aggregator;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.aggregator.*}.
 *
 * @param topic spans topic
 * @param deadLetterTopic where undecodable records go
 * @param group consumer group id; instances with the same group share the partitions
 * @param consumers consumer threads in this instance
 * @param partitions partitions of the spans topic when this instance creates it
 * @param replicationFactor replication of the topics it creates
 * @param window event-time window size
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
 */
@ConfigurationProperties("tierscope.aggregator")
public record AggregatorProperties(
    @DefaultValue("tierscope.spans.v1") String topic,
    @DefaultValue("tierscope.spans.dlq.v1") String deadLetterTopic,
    @DefaultValue("tierscope-aggregator") String group,
    @DefaultValue("1") int consumers,
    @DefaultValue("6") int partitions,
    @DefaultValue("1") short replicationFactor,
    @DefaultValue("10s") Duration window,
    @DefaultValue("2") int significantDigits,
    @DefaultValue("1s") Duration checkpointInterval,
    @DefaultValue("5s") Duration grace,
    @DefaultValue("10m") Duration maxAge,
    @DefaultValue("2m") Duration allowedLateness,
    @DefaultValue("100000") int maxInFlight,
    @DefaultValue("2s") Duration idleAdvanceAfter,
    @DefaultValue("200ms") Duration pollTimeout,
    @DefaultValue("") String instanceId,
    @DefaultValue("warn") String durabilityCheck) {

  public AggregatorProperties {
    if (consumers < 1) {
      throw new IllegalArgumentException("tierscope.aggregator.consumers must be >= 1");
    }
    if (window.toMillis() < 1000 || window.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException(
          "tierscope.aggregator.window must be a whole number of seconds, was " + window);
    }
    if (!durabilityCheck.equals("warn") && !durabilityCheck.equals("strict")) {
      throw new IllegalArgumentException(
          "tierscope.aggregator.durability-check must be warn or strict, was " + durabilityCheck);
    }
    if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
      throw new IllegalArgumentException("tierscope.aggregator.checkpoint-interval must be > 0");
    }
  }
}
