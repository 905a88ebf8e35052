package dev.tierscope.ingest.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.wire.SpanBytesEncoder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ingest still writes, byte for byte, what the ingest of commit 96f4719 wrote for the same OTLP
 * span (the wire module's fixtures/spans-v1): normalising into core spans and encoding them with
 * the wire codec changed nothing on the topic.
 */
class NormalizerWireCompatibilityTest {

  static final String DIR = "/fixtures/spans-v1/";

  /**
   * The fixture whose span the ingest now rejects on purpose: its tenant ({@code mandant-größe-😀})
   * is one the API could never read (issue 10).
   */
  static final String NOW_REJECTED = "unicode-tenant-workflow-alias";

  static Stream<String> writtenByIngest() {
    return text("INDEX")
        .lines()
        .filter(l -> l.endsWith(" ingest"))
        .map(l -> l.substring(0, l.indexOf(' ')))
        .filter(n -> !n.equals(NOW_REJECTED));
  }

  @ParameterizedTest
  @MethodSource("writtenByIngest")
  void writesTheBytesTheIngestOf96f4719Wrote(String name) throws Exception {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    TextFormat.merge(text(name + ".otlp.txt"), request);

    NormalizedBatch batch = normalizer().normalize(request.build());

    assertThat(batch.accepted()).hasSize(1);
    assertThat(SpanBytesEncoder.SPAN_EVENT_V1.encode(batch.accepted().get(0)))
        .as(name)
        .isEqualTo(bytes(name + ".bin"));
  }

  @Test
  void nowRejectsTheSpanWhoseTenantTheApiCannotRead() throws Exception {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    TextFormat.merge(text(NOW_REJECTED + ".otlp.txt"), request);

    NormalizedBatch batch = normalizer().normalize(request.build());

    assertThat(batch.accepted()).isEmpty();
    assertThat(batch.rejectedByReason()).containsExactly(Map.entry("invalid_tenant", 1));
    assertThat(batch.rejectionMessage())
        .contains("tenant must match [A-Za-z0-9_.:-]{1,128}, got 'mandant-gr");
  }

  /** The receiver's clock at the fixtures' time (2023-11-14T22:13:20Z), within their bounds. */
  private static OtlpSpanNormalizer normalizer() {
    return new OtlpSpanNormalizer(
        TrafficClasses.defaults(),
        128,
        OtlpSpanNormalizer.UnknownClassPolicy.ACCEPT,
        SpanTimeBounds.DEFAULTS,
        Clock.fixed(Instant.ofEpochSecond(1_700_000_001L), ZoneOffset.UTC));
  }

  private static byte[] bytes(String file) {
    try (InputStream in = NormalizerWireCompatibilityTest.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new AssertionError("missing fixture " + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(String file) {
    return new String(bytes(file), StandardCharsets.UTF_8);
  }
}
