package dev.tierscope.ingest.http;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code tierscope.ingest.*}.
 *
 * @param topic spans topic
 * @param partitions partitions of the spans topic when the ingest creates it
 * @param replicationFactor replication of the topic when the ingest creates it
 * @param maxBodySize largest accepted request body after decompression
 * @param maxAttributesPerSpan spans with more attributes are rejected
 * @param ackTimeout longest wait for Kafka's acknowledgement before answering 503
 * @param retryAfter the Retry-After sent with 503/429
 */
@ConfigurationProperties("tierscope.ingest")
public record IngestProperties(
    @DefaultValue("tierscope.spans.v1") String topic,
    @DefaultValue("6") int partitions,
    @DefaultValue("1") short replicationFactor,
    @DefaultValue("16MB") DataSize maxBodySize,
    @DefaultValue("128") int maxAttributesPerSpan,
    @DefaultValue("10s") Duration ackTimeout,
    @DefaultValue("5s") Duration retryAfter) {}
