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
  }

  private static IngestProperties props(Duration retryAfter, int grpcPort) {
    return new IngestProperties(
        "tierscope.spans.v1",
        6,
        (short) 1,
        DataSize.ofMegabytes(16),
        128,
        UnknownClassPolicy.ACCEPT,
        Duration.ofSeconds(5),
        DataSize.ofMegabytes(24),
        retryAfter,
        true,
        grpcPort);
  }
}
