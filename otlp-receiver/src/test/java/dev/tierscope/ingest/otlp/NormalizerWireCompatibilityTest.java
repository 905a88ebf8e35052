package dev.tierscope.ingest.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.wire.SpanBytesEncoder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ingest still writes, byte for byte, what the ingest of commit 96f4719 wrote for the same OTLP
 * span (the wire module's fixtures/spans-v1): normalising into core spans and encoding them with
 * the wire codec changed nothing on the topic.
 */
class NormalizerWireCompatibilityTest {

  static final String DIR = "/fixtures/spans-v1/";

  static Stream<String> writtenByIngest() {
    return text("INDEX")
        .lines()
        .filter(l -> l.endsWith(" ingest"))
        .map(l -> l.substring(0, l.indexOf(' ')));
  }

  @ParameterizedTest
  @MethodSource("writtenByIngest")
  void writesTheBytesTheIngestOf96f4719Wrote(String name) throws Exception {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    TextFormat.merge(text(name + ".otlp.txt"), request);

    NormalizedBatch batch =
        new OtlpSpanNormalizer(TrafficClasses.defaults()).normalize(request.build());

    assertThat(batch.accepted()).hasSize(1);
    assertThat(SpanBytesEncoder.SPAN_EVENT_V1.encode(batch.accepted().get(0)))
        .as(name)
        .isEqualTo(bytes(name + ".bin"));
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
