package dev.tierscope.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.span.InvalidSpanException;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanDefect;
import dev.tierscope.wire.v1.SpanEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Messages written by the code of commit 96f4719 (fixtures/spans-v1, see its README) decode,
 * forever, to the spans that code's aggregator read from them, and re-encode to the same bytes
 * wherever the writer was the ingest (whose output is canonical).
 */
class SpanEventCompatibilityTest {

  static final String DIR = "/fixtures/spans-v1/";

  /** Every fixture, so that none can silently go missing. */
  static final List<String> NAMES =
      List.of(
          "client-root-streamed",
          "gateway-root-interrupted-default",
          "server-child-unspecified",
          "model-chat-queue-tokens",
          "model-no-first-token-no-queue",
          "model-queue-zero-present",
          "retrieval-miss-fallback",
          "retrieval-hit",
          "tool-unicode-error",
          "policy-explicit",
          "internal-by-operation",
          "internal-explicit-producer",
          "consumer-kind-explicit-tool",
          "explicit-gateway-child",
          "explicit-model-unspecified-kind",
          "client-explicit-retrieval-role-root",
          "unknown-class",
          "unicode-tenant-workflow-alias",
          "streamed-error-before-first-token",
          "not-streamed-plain",
          "zero-parent-is-root",
          "other-empty-tenant",
          "other-negative-queue",
          "other-unspecified-client-child",
          "other-zero-parent-bytes",
          "other-unknown-field",
          "other-first-token-sub-micro",
          "other-end-equals-start-in-micros-only",
          "invalid-trace-id-15-bytes",
          "invalid-span-id-empty",
          "invalid-parent-4-bytes",
          "invalid-end-before-start",
          "invalid-not-protobuf");

  /** Hand-built messages whose re-encoding is canonical too (nothing in them is normalised). */
  static final List<String> STABLE_HAND_BUILT =
      List.of("other-unspecified-client-child", "other-first-token-sub-micro");

  /**
   * The deliberate differences from 96f4719. Its aggregator judged end-before-start in
   * microseconds, the ingest in nanoseconds; both now apply the ingest's rule. Its ingest accepted
   * a tenant the API could never read (non-ASCII); a tenant must now match the API's pattern (issue
   * 10), so the ingest rejects it and the aggregator dead-letters it.
   */
  static final Map<String, SpanDefect> NOW_REJECTED =
      Map.of(
          "other-end-equals-start-in-micros-only", SpanDefect.END_BEFORE_START,
          "unicode-tenant-workflow-alias", SpanDefect.INVALID_TENANT);

  static final Map<String, SpanDefect> INVALID =
      Map.of(
          "invalid-trace-id-15-bytes", SpanDefect.INVALID_TRACE_ID,
          "invalid-span-id-empty", SpanDefect.INVALID_SPAN_ID,
          "invalid-parent-4-bytes", SpanDefect.INVALID_PARENT_SPAN_ID,
          "invalid-end-before-start", SpanDefect.END_BEFORE_START);

  @Test
  void theIndexListsExactlyTheKnownFixtures() {
    List<String> index = new ArrayList<>();
    for (String line : text("INDEX").split("\n")) {
      if (!line.isBlank()) {
        index.add(line.split(" ")[0]);
      }
    }
    assertThat(index).containsExactlyElementsOf(NAMES);
  }

  static Stream<String> readable() {
    return NAMES.stream()
        .filter(n -> !INVALID.containsKey(n) && !NOW_REJECTED.containsKey(n))
        .filter(n -> !n.equals("invalid-not-protobuf"));
  }

  @ParameterizedTest
  @MethodSource("readable")
  void decodesToWhatTheAggregatorOf96f4719Read(String name) throws Exception {
    Span span = SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes(name));

    Map<String, String> then = aggregatorReading(name);
    Map<String, String> now = new LinkedHashMap<>();
    now.put("traceId", span.traceId().toHex());
    now.put("spanId", Long.toString(span.spanId()));
    now.put("parentSpanId", Long.toString(span.parentSpanId()));
    now.put("tenant", span.tenant());
    now.put("role", span.role().name());
    now.put("kind", span.kind().name());
    now.put("operation", span.operation());
    now.put("trafficClass", span.trafficClass());
    now.put("classUnknown", Boolean.toString(span.classUnknown()));
    now.put("workflow", span.workflow());
    now.put("startEpochMicros", Long.toString(span.startEpochMicros()));
    now.put("endEpochMicros", Long.toString(span.endEpochMicros()));
    now.put("firstTokenEpochMicros", Long.toString(span.firstTokenEpochMicros()));
    now.put("error", Boolean.toString(span.error()));
    now.put("streamed", Boolean.toString(span.streamed()));
    now.put("streamOutcome", span.streamOutcome().name());
    now.put("retrievalHit", Boolean.toString(span.retrievalHit()));
    now.put("retrievalFallback", Boolean.toString(span.retrievalFallback()));
    now.put("modelQueueMicros", Long.toString(span.modelQueueMicros()));
    now.put("inputTokens", Long.toString(span.inputTokens()));
    now.put("outputTokens", Long.toString(span.outputTokens()));
    now.put("clientPath", span.clientPath());
    now.put("protocolVersion", span.protocolVersion());
    now.put("protocolFallback", Boolean.toString(span.protocolFallback()));
    now.put("retransmits", Integer.toString(span.retransmits()));
    assertThat(now).as(name).containsExactlyEntriesOf(then);

    // What that aggregator did not read is carried as the message says, at full precision.
    SpanEvent message = SpanEvent.parseFrom(bytes(name));
    assertThat(span.startEpochNanos()).isEqualTo(message.getStartEpochNanos());
    assertThat(span.endEpochNanos()).isEqualTo(message.getEndEpochNanos());
    assertThat(span.firstTokenEpochNanos())
        .isEqualTo(
            message.getFirstTokenEpochNanos() == 0
                ? Span.ABSENT
                : message.getFirstTokenEpochNanos());
    assertThat(span.service()).isEqualTo(message.getService());
    assertThat(span.toolName()).isEqualTo(message.getToolName());
    assertThat(span.model()).isEqualTo(message.getModel());
    assertThat(span.connectionType()).isEqualTo(message.getConnectionType());
    assertThat(span.region()).isEqualTo(message.getRegion());
  }

  @ParameterizedTest
  @MethodSource("readable")
  void reEncodingIsStable(String name) {
    byte[] original = bytes(name);
    Span span = SpanBytesDecoder.SPAN_EVENT_V1.decode(original);
    byte[] once = SpanBytesEncoder.SPAN_EVENT_V1.encode(span);

    // Decoding what was re-encoded gives the same span, and encoding it again the same bytes.
    assertThat(SpanBytesDecoder.SPAN_EVENT_V1.decode(once)).isEqualTo(span);
    assertThat(SpanBytesEncoder.SPAN_EVENT_V1.encode(SpanBytesDecoder.SPAN_EVENT_V1.decode(once)))
        .isEqualTo(once);
    if (writtenByIngest(name) || STABLE_HAND_BUILT.contains(name)) {
      assertThat(once).as(name + " re-encodes byte for byte").isEqualTo(original);
    } else {
      assertThat(once).as(name + " is normalised when re-encoded").isNotEqualTo(original);
    }
  }

  @Test
  void reEncodingNormalisesWhatOtherProducersLeftOpen() throws Exception {
    assertThat(reEncoded("other-empty-tenant").getTenant()).isEqualTo("default");
    assertThat(reEncoded("other-negative-queue").getModelQueueMicros()).isZero();
    assertThat(reEncoded("other-negative-queue").hasModelQueueMicros()).isTrue();
    assertThat(reEncoded("other-zero-parent-bytes").getParentSpanId().isEmpty()).isTrue();
    assertThat(reEncoded("other-unknown-field").getUnknownFields().asMap()).isEmpty();
    assertThat(SpanEvent.parseFrom(bytes("other-unknown-field")).getUnknownFields().asMap())
        .containsKey(99);
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void rejectsWhatTheAggregatorOf96f4719Rejected(String name) {
    assertThat(aggregatorText(name)).startsWith("rejected invalid: ");
    assertThatThrownBy(() -> SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes(name)))
        .isInstanceOfSatisfying(
            InvalidSpanException.class, e -> assertThat(e.defect()).isEqualTo(INVALID.get(name)));
  }

  static Stream<String> invalid() {
    return INVALID.keySet().stream().sorted();
  }

  @Test
  void keepsTheIdSizeMessagesOfTheAggregator() {
    for (String name :
        List.of("invalid-trace-id-15-bytes", "invalid-span-id-empty", "invalid-parent-4-bytes")) {
      String then = aggregatorText(name).substring("rejected invalid: ".length());
      assertThatThrownBy(() -> SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes(name))).hasMessage(then);
    }
  }

  @Test
  void rejectsBytesThatAreNotASpanEvent() {
    assertThat(aggregatorText("invalid-not-protobuf")).startsWith("rejected undecodable: ");
    assertThatThrownBy(() -> SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes("invalid-not-protobuf")))
        .isInstanceOf(UndecodableSpanException.class)
        .hasMessageStartingWith("value is not a SpanEvent: ");
  }

  @Test
  void nowRejectsAnEndBeforeTheStartBySubMicroseconds() {
    // 96f4719's aggregator compared microseconds and accepted this span; its ingest rejected such
    // spans. One rule now: nanoseconds, the precision the span was reported in.
    assertThat(aggregatorText("other-end-equals-start-in-micros-only")).startsWith("Span[");
    assertThatThrownBy(
            () ->
                SpanBytesDecoder.SPAN_EVENT_V1.decode(
                    bytes("other-end-equals-start-in-micros-only")))
        .isInstanceOfSatisfying(
            InvalidSpanException.class,
            e -> assertThat(e.defect()).isEqualTo(SpanDefect.END_BEFORE_START));
  }

  @Test
  void nowRejectsATenantTheApiCannotRead() {
    // 96f4719 carried a non-ASCII tenant the API could never be asked for. One rule now: a tenant
    // matches the API's pattern, whoever wrote the record.
    assertThat(aggregatorText("unicode-tenant-workflow-alias")).contains("tenant=mandant-gr");
    assertThatThrownBy(
            () -> SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes("unicode-tenant-workflow-alias")))
        .isInstanceOfSatisfying(
            InvalidSpanException.class,
            e -> assertThat(e.defect()).isEqualTo(SpanDefect.INVALID_TENANT))
        .hasMessageStartingWith("tenant must match [A-Za-z0-9_.:-]{1,128}, got 'mandant-gr");
  }

  // ---- helpers

  private static SpanEvent reEncoded(String name) throws Exception {
    return SpanEvent.parseFrom(
        SpanBytesEncoder.SPAN_EVENT_V1.encode(SpanBytesDecoder.SPAN_EVENT_V1.decode(bytes(name))));
  }

  private static boolean writtenByIngest(String name) {
    for (String line : text("INDEX").split("\n")) {
      if (line.equals(name + " ingest")) {
        return true;
      }
    }
    return false;
  }

  private static final Pattern FIELD = Pattern.compile("(\\w+)=(.*?)(?=, \\w+=|]$)");

  /** The fields of the {@code Span[...]} line 96f4719's aggregator printed for this message. */
  private static Map<String, String> aggregatorReading(String name) {
    String line = aggregatorText(name);
    assertThat(line).startsWith("Span[").endsWith("]");
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher m = FIELD.matcher(line.substring("Span[".length()));
    while (m.find()) {
      fields.put(m.group(1), m.group(2));
    }
    assertThat(fields).hasSize(25);
    return fields;
  }

  private static String aggregatorText(String name) {
    for (String line : text(name + ".aggregator.txt").split("\n")) {
      if (!line.startsWith("#")) {
        return line;
      }
    }
    throw new AssertionError(name + ".aggregator.txt has no reading");
  }

  static byte[] bytes(String name) {
    try (InputStream in =
        SpanEventCompatibilityTest.class.getResourceAsStream(DIR + name + ".bin")) {
      if (in == null) {
        throw new AssertionError("missing fixture " + name + ".bin");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String file) {
    try (InputStream in = SpanEventCompatibilityTest.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new AssertionError("missing fixture " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
