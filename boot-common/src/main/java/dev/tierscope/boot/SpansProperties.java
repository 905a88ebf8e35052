package dev.tierscope.boot;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.spans.*}: the spans topic, which the ingest writes and the aggregator reads, its
 * dead-letter topic, and the event-time window the aggregator counts spans in and the api reads.
 * One setting for every deployable, so that they cannot name different topics, create the topic
 * with different partitions or disagree on the window; invalid values stop start-up with a message
 * naming the property.
 *
 * @param topic spans topic (value: {@code SpanEvent}, key: trace id)
 * @param deadLetterTopic where the aggregator puts records it cannot read
 * @param partitions partitions of the spans topic when a deployable creates it; the aggregator
 *     scales out up to this many instances
 * @param replicationFactor replication of the topics when a deployable creates them
 * @param window event-time window of the aggregator's rows, the resolution of the api's raw rows: a
 *     whole number of seconds that divides one minute (the first rollup level)
 */
@ConfigurationProperties("tierscope.spans")
public record SpansProperties(
    @DefaultValue("tierscope.spans.v1") String topic,
    @DefaultValue("tierscope.spans.dlq.v1") String deadLetterTopic,
    @DefaultValue("6") int partitions,
    @DefaultValue("1") short replicationFactor,
    @DefaultValue("10s") Duration window) {

  public SpansProperties {
    require(topic != null && !topic.isBlank(), "topic", "must not be blank");
    require(
        deadLetterTopic != null && !deadLetterTopic.isBlank(),
        "dead-letter-topic",
        "must not be blank");
    require(
        !topic.equals(deadLetterTopic), "dead-letter-topic", "must differ from the spans topic");
    require(partitions >= 1, "partitions", "must be at least 1, got " + partitions);
    require(
        replicationFactor >= 1,
        "replication-factor",
        "must be at least 1, got " + replicationFactor);
    require(
        window != null
            && window.toMillis() >= 1000
            && window.toMillis() % 1000 == 0
            && 60 % window.toSeconds() == 0,
        "window",
        "must be a whole number of seconds that divides one minute, got " + window);
  }

  private static void require(boolean ok, String property, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("tierscope.spans." + property + " " + problem);
    }
  }
}
