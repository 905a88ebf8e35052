package dev.tierscope.ingest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.ingest.otlp.OtlpSpanNormalizer.UnknownClassPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class IngestPropertiesTest {

  @Test
  void refusesBadValuesNamingTheProperty() {
    assertThatThrownBy(() -> props(Duration.ZERO, 4317))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tierscope.ingest.retry-after must be positive, got PT0S");
    assertThatThrownBy(() -> props(Duration.ofSeconds(1), 70000))
        .hasMessage("tierscope.ingest.grpc-port must be 0 to 65535, got 70000");
    assertThatThrownBy(() -> props(Duration.ofSeconds(1), 4317, " "))
        .hasMessage(
            "tierscope.ingest.grpc-address must be an address (0.0.0.0 for every interface)");
  }

  @Test
  void refusesTimeBoundsThatAreNotPositive() {
    assertThatThrownBy(() -> props(Duration.ZERO, Duration.ofDays(2)))
        .hasMessage("tierscope.ingest.max-future-skew must be at least 1ms, got PT0S");
    assertThatThrownBy(() -> props(Duration.ofMinutes(5), Duration.ofSeconds(-1)))
        .hasMessage("tierscope.ingest.max-age must be at least 1ms, got PT-1S");
  }

  @Test
  void refusesAStallThresholdOutsideOneMillisecondToTenMinutes() {
    assertThatThrownBy(() -> withStallThreshold(Duration.ZERO))
        .hasMessage("tierscope.ingest.stall-threshold must be between 1ms and 10m, got PT0S");
    assertThatThrownBy(() -> withStallThreshold(Duration.ofMinutes(11)))
        .hasMessage("tierscope.ingest.stall-threshold must be between 1ms and 10m, got PT11M");
    org.assertj.core.api.Assertions.assertThat(
            withStallThreshold(Duration.ofMillis(250)).stallThreshold())
        .isEqualTo(Duration.ofMillis(250));
  }

  private static IngestProperties withStallThreshold(Duration stallThreshold) {
    return new IngestProperties(
        DataSize.ofMegabytes(16),
        128,
        Duration.ofMinutes(5),
        Duration.ofDays(2),
        UnknownClassPolicy.ACCEPT,
        Duration.ofSeconds(5),
        DataSize.ofMegabytes(24),
        Duration.ofSeconds(5),
        true,
        4317,
        "127.0.0.1",
        null,
        stallThreshold);
  }

  private static IngestProperties props(Duration retryAfter, int grpcPort) {
    return props(retryAfter, grpcPort, Duration.ofMinutes(5), Duration.ofDays(2), "127.0.0.1");
  }

  private static IngestProperties props(Duration retryAfter, int grpcPort, String grpcAddress) {
    return props(retryAfter, grpcPort, Duration.ofMinutes(5), Duration.ofDays(2), grpcAddress);
  }

  private static IngestProperties props(Duration maxFutureSkew, Duration maxAge) {
    return props(Duration.ofSeconds(5), 4317, maxFutureSkew, maxAge, "127.0.0.1");
  }

  private static IngestProperties props(
      Duration retryAfter,
      int grpcPort,
      Duration maxFutureSkew,
      Duration maxAge,
      String grpcAddress) {
    return new IngestProperties(
        DataSize.ofMegabytes(16),
        128,
        maxFutureSkew,
        maxAge,
        UnknownClassPolicy.ACCEPT,
        Duration.ofSeconds(5),
        DataSize.ofMegabytes(24),
        retryAfter,
        true,
        grpcPort,
        grpcAddress,
        null,
        Duration.ofSeconds(1));
  }
}
