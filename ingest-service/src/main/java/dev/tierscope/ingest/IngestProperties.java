package dev.tierscope.ingest;

import dev.tierscope.ingest.otlp.OtlpSpanNormalizer.UnknownClassPolicy;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code tierscope.ingest.*}; invalid values stop start-up with a message naming the property.
 *
 * @param maxBodySize largest accepted request body, after decompression (HTTP) or as one gRPC
 *     message; larger ones get 413 / RESOURCE_EXHAUSTED
 * @param maxAttributesPerSpan spans with more attributes are rejected (partial success)
 * @param maxFutureSkew spans ending further ahead of this ingest's clock are rejected ({@code
 *     too_far_in_future}): a client with a wrong clock must not move the aggregator's stream time
 * @param maxAge spans starting further back than this are rejected ({@code too_old}); keep it at
 *     the raw windows' retention ({@code tierscope.rollup.raw-retention}), which drops them anyway
 * @param unknownClass {@code accept} (default: the span is kept, flagged, and the client warned) or
 *     {@code reject} (rejected like an invalid span) for a {@code tierscope.class} outside the
 *     configured set
 * @param ackTimeout longest wait for Kafka's acknowledgement before answering 503 / UNAVAILABLE;
 *     keep it below the clients' export timeout (10 s in the OpenTelemetry SDKs)
 * @param maxInFlight serialized spans waiting for Kafka's acknowledgement, across all requests;
 *     beyond it requests get 429 / UNAVAILABLE at once instead of queueing in the producer (keep it
 *     below {@code spring.kafka.producer.buffer-memory})
 * @param retryAfter the {@code Retry-After} sent with 503/429 (whole seconds, rounded up) and the
 *     gRPC {@code RetryInfo} delay
 * @param grpcEnabled whether the OTLP/gRPC receiver runs
 * @param grpcPort OTLP/gRPC port; 0 picks a free one (published as {@code local.grpc.port})
 * @param grpcAddress the address OTLP/gRPC binds: loopback unless set ({@code 0.0.0.0} or {@code
 *     ::} for every interface)
 * @param grpcSslBundle the Spring Boot SSL bundle ({@code spring.ssl.bundle.*}) whose key and
 *     certificate make OTLP/gRPC speak TLS; plaintext when unset
 * @param stallThreshold a gap between two chunk events of a stream longer than this counts as a
 *     stall, for spans that send {@code tierscope.stream.chunk} events instead of stating {@code
 *     tierscope.stream.stalls}; 1 ms to 10 min
 */
@ConfigurationProperties("tierscope.ingest")
public record IngestProperties(
    @DefaultValue("16MB") DataSize maxBodySize,
    @DefaultValue("128") int maxAttributesPerSpan,
    @DefaultValue("5m") Duration maxFutureSkew,
    @DefaultValue("2d") Duration maxAge,
    @DefaultValue("accept") UnknownClassPolicy unknownClass,
    @DefaultValue("5s") Duration ackTimeout,
    @DefaultValue("24MB") DataSize maxInFlight,
    @DefaultValue("5s") Duration retryAfter,
    @DefaultValue("true") boolean grpcEnabled,
    @DefaultValue("4317") int grpcPort,
    @DefaultValue("127.0.0.1") String grpcAddress,
    String grpcSslBundle,
    @DefaultValue("1s") Duration stallThreshold) {

  public IngestProperties {
    require(
        maxBodySize.toBytes() >= 1 && maxBodySize.toBytes() <= Integer.MAX_VALUE - 8,
        "max-body-size",
        "must be between 1B and 2047MB, got " + maxBodySize);
    require(
        maxAttributesPerSpan >= 1,
        "max-attributes-per-span",
        "must be at least 1, got " + maxAttributesPerSpan);
    require(
        maxFutureSkew.toMillis() >= 1,
        "max-future-skew",
        "must be at least 1ms, got " + maxFutureSkew);
    require(maxAge.toMillis() >= 1, "max-age", "must be at least 1ms, got " + maxAge);
    require(ackTimeout.toMillis() >= 1, "ack-timeout", "must be at least 1ms, got " + ackTimeout);
    require(maxInFlight.toBytes() >= 1, "max-in-flight", "must be positive, got " + maxInFlight);
    require(
        !retryAfter.isNegative() && !retryAfter.isZero(),
        "retry-after",
        "must be positive, got " + retryAfter);
    require(grpcPort >= 0 && grpcPort <= 65535, "grpc-port", "must be 0 to 65535, got " + grpcPort);
    require(
        grpcAddress != null && !grpcAddress.isBlank(),
        "grpc-address",
        "must be an address (0.0.0.0 for every interface)");
    require(
        stallThreshold.toMillis() >= 1 && stallThreshold.compareTo(Duration.ofMinutes(10)) <= 0,
        "stall-threshold",
        "must be between 1ms and 10m, got " + stallThreshold);
    grpcSslBundle = grpcSslBundle == null || grpcSslBundle.isBlank() ? null : grpcSslBundle;
  }

  private static void require(boolean ok, String property, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("tierscope.ingest." + property + " " + problem);
    }
  }
}
