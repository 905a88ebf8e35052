package dev.tierscope.ingest.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.core.classes.AttributeCondition;
import dev.tierscope.core.classes.ClassRule;
import dev.tierscope.core.classes.ClassRules;
import dev.tierscope.core.classes.ObjectiveSource;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanLimits;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer.UnknownClassPolicy;
import dev.tierscope.wire.SpanBytesEncoder;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.SpanKind;
import dev.tierscope.wire.v1.StreamOutcome;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpSpanNormalizerTest {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN_ID = "00f067aa0ba902b7";
  static final String PARENT_ID = "b7ad6b7169203331";
  static final long START = 1_764_000_000_000_000_000L;
  static final long END = START + 3_000_000_000L;
  static final long MILLI = 1_000_000L;

  final TrafficClasses classes =
      new TrafficClasses(
          TrafficClasses.defaultClasses(),
          Map.of("premium", SpanAttributes.Classes.INTERACTIVE_PREMIUM),
          SpanAttributes.Classes.STANDARD_INTERACTIVE);

  /** The receiver's clock: at the spans' start, so every test span lies within the time bounds. */
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(0, START), ZoneOffset.UTC);

  final OtlpSpanNormalizer normalizer = normalizer(classes, 128, UnknownClassPolicy.ACCEPT);

  static OtlpSpanNormalizer normalizer(
      TrafficClasses classes, int maxAttributes, UnknownClassPolicy policy) {
    return new OtlpSpanNormalizer(classes, maxAttributes, policy, SpanTimeBounds.DEFAULTS, CLOCK);
  }

  // ---- ids, times, resource

  @Test
  void copiesIdsTimesAndServiceOfAValidSpan() {
    SpanEvent event =
        normalizeOne(
            resource(attr(SpanAttributes.SERVICE_NAME, "chat-gateway")),
            span().setParentSpanId(id(PARENT_ID)));

    assertThat(event.getTraceId()).isEqualTo(id(TRACE_ID));
    assertThat(event.getSpanId()).isEqualTo(id(SPAN_ID));
    assertThat(event.getParentSpanId()).isEqualTo(id(PARENT_ID));
    assertThat(event.getStartEpochNanos()).isEqualTo(START);
    assertThat(event.getEndEpochNanos()).isEqualTo(END);
    assertThat(event.getService()).isEqualTo("chat-gateway");
  }

  @Test
  void takesTenantFromResource() {
    SpanEvent event = normalizeOne(resource(attr(SpanAttributes.TENANT, "acme")), span());

    assertThat(event.getTenant()).isEqualTo("acme");
  }

  @Test
  void defaultsTenantWhenResourceHasNone() {
    assertThat(normalizeOne(resource(), span()).getTenant())
        .isEqualTo(SpanAttributes.DEFAULT_TENANT);
    assertThat(normalizeOne(resource(attr(SpanAttributes.TENANT, "")), span()).getTenant())
        .isEqualTo(SpanAttributes.DEFAULT_TENANT);
  }

  @Test
  void aSpanTenantWinsOverTheResourceTenant() {
    // A multi-tenant service tags each request; the SDK copies the tag from Baggage onto spans.
    Resource acme = resource(attr(SpanAttributes.TENANT, "acme"));
    assertThat(
            normalizeOne(acme, span().addAttributes(attr(SpanAttributes.TENANT, "beta")))
                .getTenant())
        .isEqualTo("beta");
    assertThat(
            normalizeOne(resource(), span().addAttributes(attr(SpanAttributes.TENANT, "beta")))
                .getTenant())
        .isEqualTo("beta");
    assertThat(
            normalizeOne(acme, span().addAttributes(attr(SpanAttributes.TENANT, ""))).getTenant())
        .isEqualTo("acme");
  }

  @Test
  void leavesServiceEmptyWhenResourceHasNoServiceName() {
    assertThat(normalizeOne(resource(), span()).getService()).isEmpty();
  }

  @Test
  void givesEachResourceItsOwnServiceAndTenant() {
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                resourceSpans(
                    resource(
                        attr(SpanAttributes.SERVICE_NAME, "edge"),
                        attr(SpanAttributes.TENANT, "acme")),
                    span().setSpanId(id("0000000000000001"))))
            .addResourceSpans(
                resourceSpans(
                    resource(attr(SpanAttributes.SERVICE_NAME, "vllm")),
                    span().setSpanId(id("0000000000000002"))))
            .build();

    List<SpanEvent> accepted = events(normalizer.normalize(request));

    assertThat(accepted)
        .extracting(SpanEvent::getService, SpanEvent::getTenant)
        .containsExactly(tuple("edge", "acme"), tuple("vllm", SpanAttributes.DEFAULT_TENANT));
  }

  @Test
  void writesAllZeroParentAsEmptyRootParent() {
    SpanEvent event =
        normalizeOne(
            span()
                .setParentSpanId(ByteString.copyFrom(new byte[8]))
                .setKind(Span.SpanKind.SPAN_KIND_SERVER));

    assertThat(event.getParentSpanId()).isEmpty();
    assertThat(event.getRole()).isEqualTo(Role.ROLE_GATEWAY);
  }

  @Test
  void dropsAttributesTierscopeDoesNotUse() {
    SpanEvent plain = normalizeOne(span().addAttributes(attr(SpanAttributes.CLASS, "premium")));
    SpanEvent noisy =
        normalizeOne(
            span()
                .addAttributes(attr("http.request.method", "POST"))
                .addAttributes(attr(SpanAttributes.CLASS, "premium"))
                .addAttributes(attr(SpanAttributes.GEN_AI_PROVIDER_NAME, "openai"))
                .addAttributes(attr("user.id", 42L))
                .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(START)));

    assertThat(noisy).isEqualTo(plain);
  }

  // ---- kind, operation and role

  @ParameterizedTest
  @CsvSource({
    "SPAN_KIND_UNSPECIFIED, SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL, SPAN_KIND_INTERNAL",
    "SPAN_KIND_SERVER, SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT, SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER, SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER, SPAN_KIND_CONSUMER"
  })
  void mapsEveryOtlpSpanKind(Span.SpanKind otlp, SpanKind expected) {
    assertThat(normalizeOne(span().setKind(otlp)).getKind()).isEqualTo(expected);
  }

  @Test
  void fillsOperationFromGenAiOperationNameOrEmpty() {
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_OPERATION_NAME, "chat")))
                .getOperation())
        .isEqualTo("chat");
    assertThat(normalizeOne(span()).getOperation()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "client, ROLE_CLIENT",
    "gateway, ROLE_GATEWAY",
    "model, ROLE_MODEL",
    "retrieval, ROLE_RETRIEVAL",
    "tool, ROLE_TOOL",
    "policy, ROLE_POLICY",
    "internal, ROLE_INTERNAL"
  })
  void takesExplicitRoleOverInference(String value, Role expected) {
    // A root SERVER span would otherwise be inferred as the gateway.
    SpanEvent event =
        normalizeOne(
            span()
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .addAttributes(attr(SpanAttributes.ROLE, value)));

    assertThat(event.getRole()).isEqualTo(expected);
  }

  @Test
  void infersRoleWhenExplicitRoleIsUnknown() {
    SpanEvent event =
        normalizeOne(
            span()
                .setParentSpanId(id(PARENT_ID))
                .addAttributes(attr(SpanAttributes.ROLE, "orchestrator"))
                .addAttributes(attr(SpanAttributes.GEN_AI_OPERATION_NAME, "execute_tool")));

    assertThat(event.getRole()).isEqualTo(Role.ROLE_TOOL);
  }

  @Test
  void infersClientForRootClientSpan() {
    SpanEvent event =
        normalizeOne(
            span()
                .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                .addAttributes(attr(SpanAttributes.GEN_AI_OPERATION_NAME, "chat")));

    assertThat(event.getRole()).isEqualTo(Role.ROLE_CLIENT);
  }

  @Test
  void infersGatewayForRootServerSpan() {
    assertThat(normalizeOne(span().setKind(Span.SpanKind.SPAN_KIND_SERVER)).getRole())
        .isEqualTo(Role.ROLE_GATEWAY);
  }

  @Test
  void leavesServerSpanWithParentUnspecifiedForTheAggregator() {
    SpanEvent event =
        normalizeOne(
            span()
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setParentSpanId(id(PARENT_ID))
                .addAttributes(attr(SpanAttributes.GEN_AI_OPERATION_NAME, "chat")));

    assertThat(event.getRole()).isEqualTo(Role.ROLE_UNSPECIFIED);
    assertThat(event.getKind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
    assertThat(event.getOperation()).isEqualTo("chat");
  }

  @ParameterizedTest
  @CsvSource({
    "chat, ROLE_MODEL",
    "text_completion, ROLE_MODEL",
    "generate_content, ROLE_MODEL",
    "retrieval, ROLE_RETRIEVAL",
    "execute_tool, ROLE_TOOL",
    "embeddings, ROLE_INTERNAL"
  })
  void infersRoleOfChildSpanFromGenAiOperation(String operation, Role expected) {
    SpanEvent event =
        normalizeOne(
            span()
                .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                .setParentSpanId(id(PARENT_ID))
                .addAttributes(attr(SpanAttributes.GEN_AI_OPERATION_NAME, operation)));

    assertThat(event.getRole()).isEqualTo(expected);
  }

  @Test
  void infersInternalForSpanThatShowsNothing() {
    assertThat(normalizeOne(span()).getRole()).isEqualTo(Role.ROLE_INTERNAL);
    assertThat(
            normalizeOne(
                    span().setKind(Span.SpanKind.SPAN_KIND_CLIENT).setParentSpanId(id(PARENT_ID)))
                .getRole())
        .isEqualTo(Role.ROLE_INTERNAL);
  }

  // ---- class

  @Test
  void setsKnownClass() {
    SpanEvent event =
        normalizeOne(span().addAttributes(attr(SpanAttributes.CLASS, "deferred_batch")));

    assertThat(event.getTrafficClass()).isEqualTo("deferred_batch");
    assertThat(event.getClassUnknown()).isFalse();
  }

  @Test
  void resolvesClassAlias() {
    SpanEvent event = normalizeOne(span().addAttributes(attr(SpanAttributes.CLASS, "premium")));

    assertThat(event.getTrafficClass()).isEqualTo(SpanAttributes.Classes.INTERACTIVE_PREMIUM);
    assertThat(event.getClassUnknown()).isFalse();
  }

  @Test
  void marksUnknownClassAndLeavesFallbackToTheAggregator() {
    NormalizedBatch batch =
        normalizer.normalize(
            request(resource(), span().addAttributes(attr(SpanAttributes.CLASS, "premum"))));

    SpanEvent event = events(batch).get(0);
    assertThat(event.getTrafficClass()).isEmpty();
    assertThat(event.getClassUnknown()).isTrue();
    assertThat(batch.unknownClassSpans()).isEqualTo(1);
  }

  @Test
  void warnsTheClientAboutAcceptedUnknownClass() {
    NormalizedBatch batch =
        normalizer.normalize(
            request(
                resource(),
                span().setSpanId(id("0000000000000001")),
                span()
                    .setSpanId(id("0000000000000002"))
                    .addAttributes(attr(SpanAttributes.CLASS, "premum")),
                span()
                    .setSpanId(id("0000000000000003"))
                    .addAttributes(attr(SpanAttributes.CLASS, "gold"))));

    assertThat(batch.accepted()).hasSize(3);
    assertThat(batch.rejectedSpans()).isZero();
    assertThat(batch.warningMessage())
        .isEqualTo(
            "accepted 2 spans with a tierscope.class that is not configured (first: 'premum');"
                + " such requests count in the fallback class standard_interactive unless another"
                + " span names a configured class");
    assertThat(batch.clientMessage()).isEqualTo(batch.warningMessage());
  }

  @Test
  void rejectsUnknownClassWhenConfiguredToAndKeepsTheOtherSpans() {
    OtlpSpanNormalizer strict =
        normalizer(classes, 128, OtlpSpanNormalizer.UnknownClassPolicy.REJECT);

    NormalizedBatch batch =
        strict.normalize(
            request(
                resource(attr(SpanAttributes.CLASS, "gold")),
                span()
                    .setSpanId(id("0000000000000001"))
                    .addAttributes(attr(SpanAttributes.CLASS, "premium")),
                span().setSpanId(id("0000000000000002")),
                span()
                    .setSpanId(id("0000000000000003"))
                    .addAttributes(attr(SpanAttributes.CLASS, "premum"))));

    assertThat(events(batch))
        .extracting(SpanEvent::getTrafficClass)
        .containsExactly(SpanAttributes.Classes.INTERACTIVE_PREMIUM);
    assertThat(batch.rejectedSpans()).isEqualTo(2);
    assertThat(batch.unknownClassSpans()).isZero();
    assertThat(batch.warningMessage()).isEmpty();
    assertThat(batch.rejectedByReason())
        .containsExactlyEntriesOf(Map.of(OtlpSpanNormalizer.REASON_UNKNOWN_CLASS, 2));
    assertThat(batch.rejectionMessage())
        .isEqualTo(
            "rejected 2 spans: span 0000000000000002: tierscope.class 'gold' is not a configured"
                + " class (interactive_premium, standard_interactive, deferred_batch); span"
                + " 0000000000000003: tierscope.class 'premum' is not a configured class"
                + " (interactive_premium, standard_interactive, deferred_batch)");
  }

  @Test
  void joinsRejectionAndWarningInTheClientMessage() {
    NormalizedBatch batch =
        normalizer.normalize(
            request(
                resource(),
                span().setEndTimeUnixNano(START - 1),
                span()
                    .setSpanId(id("0000000000000002"))
                    .addAttributes(attr(SpanAttributes.CLASS, "gold"))));

    assertThat(batch.clientMessage())
        .startsWith("rejected 1 span: span 00f067aa0ba902b7: end before start; accepted 1 span")
        .contains("'gold'");
  }

  @Test
  void leavesClassEmptyWhenAbsent() {
    NormalizedBatch batch = normalizer.normalize(request(resource(), span()));

    assertThat(events(batch).get(0).getTrafficClass()).isEmpty();
    assertThat(events(batch).get(0).getClassUnknown()).isFalse();
    assertThat(batch.unknownClassSpans()).isZero();
  }

  @Test
  void takesClassFromResourceWhenSpanHasNone() {
    SpanEvent event =
        normalizeOne(resource(attr(SpanAttributes.CLASS, "interactive_premium")), span());

    assertThat(event.getTrafficClass()).isEqualTo("interactive_premium");
  }

  @Test
  void prefersSpanClassOverResourceClass() {
    SpanEvent event =
        normalizeOne(
            resource(attr(SpanAttributes.CLASS, "interactive_premium")),
            span().addAttributes(attr(SpanAttributes.CLASS, "deferred_batch")));

    assertThat(event.getTrafficClass()).isEqualTo("deferred_batch");
  }

  @Test
  void countsUnknownResourceClassOncePerSpan() {
    ExportTraceServiceRequest request =
        request(
            resource(attr(SpanAttributes.CLASS, "gold")),
            span().setSpanId(id("0000000000000001")),
            span().setSpanId(id("0000000000000002")),
            span()
                .setSpanId(id("0000000000000003"))
                .addAttributes(attr(SpanAttributes.CLASS, "deferred_batch")));

    NormalizedBatch batch = normalizer.normalize(request);

    assertThat(events(batch))
        .extracting(SpanEvent::getClassUnknown)
        .containsExactly(true, true, false);
    assertThat(batch.unknownClassSpans()).isEqualTo(2);
  }

  // ---- class rules: the attributes they read travel on root spans

  private final OtlpSpanNormalizer withRules =
      normalizer(
          new TrafficClasses(
              TrafficClasses.defaultClasses(),
              Map.of(),
              SpanAttributes.Classes.STANDARD_INTERACTIVE,
              new ClassRules(
                  List.of(
                      new ClassRule(
                          "premium",
                          SpanAttributes.Classes.INTERACTIVE_PREMIUM,
                          List.of(
                              new AttributeCondition(
                                  "service.name", AttributeCondition.Op.EQUALS, "chat"),
                              new AttributeCondition(
                                  "http.route", AttributeCondition.Op.PREFIX, "/v1/"),
                              new AttributeCondition(
                                  "http.response.status_code",
                                  AttributeCondition.Op.EQUALS,
                                  "200")),
                          ObjectiveSource.DEFAULT)))),
          128,
          UnknownClassPolicy.ACCEPT);

  @Test
  void rootSpanCarriesTheValuesOfTheAttributesRulesReadSpanBeforeResource() {
    NormalizedBatch batch =
        withRules.normalize(
            request(
                resource(
                    attr(SpanAttributes.SERVICE_NAME, "chat"),
                    attr("http.route", "/from-resource"),
                    attr("deployment.environment", "prod")),
                span()
                    .addAttributes(attr("http.route", "/v1/chat/" + "x".repeat(400)))
                    .addAttributes(attr("http.response.status_code", 200L))
                    .addAttributes(attr("url.full", "https://example.test/"))));
    Map<String, String> carried = batch.accepted().get(0).ruleAttributes();

    assertThat(carried)
        .containsOnlyKeys("service.name", "http.route", "http.response.status_code")
        .containsEntry("service.name", "chat")
        .containsEntry("http.response.status_code", "200");
    assertThat(carried.get("http.route"))
        .startsWith("/v1/chat/xxx")
        .hasSize(dev.tierscope.core.span.Span.MAX_RULE_VALUE_CHARS);
  }

  @Test
  void aSpanWithAnAllZeroParentIdIsARootAndCarriesThem() {
    Span.Builder root =
        span()
            .setParentSpanId(id("0000000000000000"))
            .addAttributes(attr("http.route", "/v1/chat/completions"));

    assertThat(
            withRules
                .normalize(request(resource(attr(SpanAttributes.SERVICE_NAME, "chat")), root))
                .accepted()
                .get(0)
                .ruleAttributes())
        .containsOnly(
            Map.entry("service.name", "chat"), Map.entry("http.route", "/v1/chat/completions"));
  }

  @Test
  void childSpansAndNormalizersWithoutRulesCarryNone() {
    Span.Builder child =
        span().setParentSpanId(id(PARENT_ID)).addAttributes(attr("http.route", "/v1/x"));
    assertThat(
            withRules
                .normalize(request(resource(attr(SpanAttributes.SERVICE_NAME, "chat")), child))
                .accepted()
                .get(0)
                .ruleAttributes()
                .size())
        .isZero();
    assertThat(
            normalizeOne(
                    resource(attr(SpanAttributes.SERVICE_NAME, "chat")),
                    span().addAttributes(attr("http.route", "/v1/x")))
                .getRuleAttributesCount())
        .isZero();
  }

  // ---- workflow

  @Test
  void prefersTierscopeWorkflowOverGenAiWorkflowName() {
    SpanEvent event =
        normalizeOne(
            span()
                .addAttributes(attr(SpanAttributes.GEN_AI_WORKFLOW_NAME, "agent"))
                .addAttributes(attr(SpanAttributes.WORKFLOW, "support-chat")));

    assertThat(event.getWorkflow()).isEqualTo("support-chat");
  }

  @Test
  void fallsBackToGenAiWorkflowName() {
    SpanEvent event =
        normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_WORKFLOW_NAME, "agent")));

    assertThat(event.getWorkflow()).isEqualTo("agent");
  }

  @Test
  void takesWorkflowFromResourceWhenSpanHasNone() {
    assertThat(normalizeOne(resource(attr(SpanAttributes.WORKFLOW, "rag")), span()).getWorkflow())
        .isEqualTo("rag");
    assertThat(
            normalizeOne(
                    resource(attr(SpanAttributes.WORKFLOW, "rag")),
                    span().addAttributes(attr(SpanAttributes.GEN_AI_WORKFLOW_NAME, "agent")))
                .getWorkflow())
        .isEqualTo("agent");
  }

  @Test
  void truncatesWorkflowTo64Chars() {
    SpanEvent event =
        normalizeOne(span().addAttributes(attr(SpanAttributes.WORKFLOW, "w".repeat(100))));

    assertThat(event.getWorkflow()).isEqualTo("w".repeat(64));
  }

  @Test
  void truncatesWithoutSplittingASurrogatePair() {
    String value = "w".repeat(63) + "\uD83D\uDE80" + "tail";

    assertThat(SpanLimits.truncate(value, 64)).isEqualTo("w".repeat(63));
  }

  // ---- first token

  @Test
  void takesFirstTokenFromFirstTokenEvent() {
    SpanEvent event = normalizeOne(span().addEvents(firstTokenEvent(START + 250 * MILLI)));

    assertThat(event.getFirstTokenEpochNanos()).isEqualTo(START + 250 * MILLI);
  }

  @Test
  void prefersFirstTokenEventOverAttributes() {
    SpanEvent event =
        normalizeOne(
            span()
                .addEvents(firstTokenEvent(START + 250 * MILLI))
                .addAttributes(attr(SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK, 0.5))
                .addAttributes(attr(SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, 0.6))
                .addAttributes(attr(SpanAttributes.TTFT_MS, 700.0)));

    assertThat(event.getFirstTokenEpochNanos()).isEqualTo(START + 250 * MILLI);
  }

  @Test
  void ignoresEventsWithOtherNames() {
    SpanEvent event =
        normalizeOne(
            span().addEvents(Span.Event.newBuilder().setName("chunk").setTimeUnixNano(START + 1)));

    assertThat(event.getFirstTokenEpochNanos()).isZero();
  }

  @Test
  void takesFirstTokenFromTimeToFirstChunkSeconds() {
    SpanEvent event =
        normalizeOne(
            span()
                .addAttributes(attr(SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK, 0.5))
                .addAttributes(attr(SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, 0.6))
                .addAttributes(attr(SpanAttributes.TTFT_MS, 700.0)));

    assertThat(event.getFirstTokenEpochNanos()).isEqualTo(START + 500 * MILLI);
  }

  @Test
  void takesFirstTokenFromServerTimeToFirstTokenSecondsBeforeTtftMs() {
    SpanEvent event =
        normalizeOne(
            span()
                .addAttributes(attr(SpanAttributes.TTFT_MS, 700.0))
                .addAttributes(attr(SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, 0.6)));

    assertThat(event.getFirstTokenEpochNanos()).isEqualTo(START + 600 * MILLI);
  }

  @Test
  void takesFirstTokenFromTtftMillis() {
    SpanEvent event = normalizeOne(span().addAttributes(attr(SpanAttributes.TTFT_MS, 123.456)));

    assertThat(event.getFirstTokenEpochNanos()).isEqualTo(START + 123_456_000L);
  }

  @Test
  void acceptsIntValuesForFirstTokenAttributes() {
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK, 1L)))
                .getFirstTokenEpochNanos())
        .isEqualTo(START + 1000 * MILLI);
    assertThat(
            normalizeOne(
                    span()
                        .addAttributes(attr(SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, 2L)))
                .getFirstTokenEpochNanos())
        .isEqualTo(START + 2000 * MILLI);
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.TTFT_MS, 300L)))
                .getFirstTokenEpochNanos())
        .isEqualTo(START + 300 * MILLI);
  }

  @Test
  void reportsNoFirstTokenWhenNoSourceIsPresent() {
    assertThat(normalizeOne(span()).getFirstTokenEpochNanos()).isZero();
  }

  @Test
  void ignoresFirstTokenEventBeforeStartAndFallsBackToNextSource() {
    SpanEvent event =
        normalizeOne(
            span()
                .addEvents(firstTokenEvent(START - MILLI))
                .addAttributes(attr(SpanAttributes.TTFT_MS, 80L)));

    assertThat(event.getFirstTokenEpochNanos()).isEqualTo(START + 80 * MILLI);
  }

  @Test
  void ignoresNegativeFirstTokenOffsets() {
    SpanEvent event =
        normalizeOne(
            span()
                .addEvents(firstTokenEvent(START - MILLI))
                .addAttributes(attr(SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK, -0.1)));

    assertThat(event.getFirstTokenEpochNanos()).isZero();
  }

  @Test
  void keepsFirstTokenAfterEndAsReported() {
    SpanEvent event = normalizeOne(span().addEvents(firstTokenEvent(END + 5 * MILLI)));

    assertThat(event.getFirstTokenEpochNanos()).isEqualTo(END + 5 * MILLI);
  }

  @Test
  void keepsFirstTokenExactlyAtStart() {
    assertThat(normalizeOne(span().addEvents(firstTokenEvent(START))).getFirstTokenEpochNanos())
        .isEqualTo(START);
  }

  // ---- status and streams

  @Test
  void marksStatusError() {
    assertThat(
            normalizeOne(span().setStatus(status(Status.StatusCode.STATUS_CODE_ERROR)))
                .getStatusError())
        .isTrue();
    assertThat(
            normalizeOne(span().setStatus(status(Status.StatusCode.STATUS_CODE_OK)))
                .getStatusError())
        .isFalse();
    assertThat(normalizeOne(span()).getStatusError()).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "completed, STREAM_OUTCOME_COMPLETED",
    "interrupted, STREAM_OUTCOME_INTERRUPTED",
    "cancelled, STREAM_OUTCOME_CANCELLED"
  })
  void takesExplicitStreamOutcome(String value, StreamOutcome expected) {
    // Streamed, ERROR, with a first token: would otherwise default to interrupted.
    SpanEvent event =
        normalizeOne(
            span()
                .setStatus(status(Status.StatusCode.STATUS_CODE_ERROR))
                .addEvents(firstTokenEvent(START + MILLI))
                .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, true))
                .addAttributes(attr(SpanAttributes.STREAM_OUTCOME, value)));

    assertThat(event.getStreamed()).isTrue();
    assertThat(event.getStreamOutcome()).isEqualTo(expected);
  }

  @Test
  void defaultsStreamedErrorAfterFirstTokenToInterrupted() {
    SpanEvent event =
        normalizeOne(
            span()
                .setStatus(status(Status.StatusCode.STATUS_CODE_ERROR))
                .addEvents(firstTokenEvent(START + MILLI))
                .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, true)));

    assertThat(event.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_INTERRUPTED);
  }

  @Test
  void defaultsStreamedErrorWithoutFirstTokenToCompleted() {
    SpanEvent event =
        normalizeOne(
            span()
                .setStatus(status(Status.StatusCode.STATUS_CODE_ERROR))
                .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, true)));

    assertThat(event.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_COMPLETED);
    assertThat(event.getStatusError()).isTrue();
  }

  @Test
  void defaultsSuccessfulStreamToCompleted() {
    SpanEvent event =
        normalizeOne(
            span()
                .addEvents(firstTokenEvent(START + MILLI))
                .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, true)));

    assertThat(event.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_COMPLETED);
  }

  @Test
  void leavesOutcomeUnspecifiedForUnstreamedSpan() {
    SpanEvent event =
        normalizeOne(
            span()
                .setStatus(status(Status.StatusCode.STATUS_CODE_ERROR))
                .addEvents(firstTokenEvent(START + MILLI))
                .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, false)));

    assertThat(event.getStreamed()).isFalse();
    assertThat(event.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_UNSPECIFIED);
  }

  @Test
  void derivesOutcomeWhenStatedOutcomeIsUnknown() {
    SpanEvent event =
        normalizeOne(
            span()
                .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, true))
                .addAttributes(attr(SpanAttributes.STREAM_OUTCOME, "exploded")));

    assertThat(event.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_COMPLETED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", " True "})
  void readsBoolSentAsString(String value) {
    SpanEvent event =
        normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, value)));

    assertThat(event.getStreamed()).isTrue();
  }

  @Test
  void readsBoolSentAsZeroOrOne() {
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, 1L)))
                .getStreamed())
        .isTrue();
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, 0L)))
                .getStreamed())
        .isFalse();
  }

  @Test
  void treatsUnreadableBoolAsFalse() {
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, "yes")))
                .getStreamed())
        .isFalse();
  }

  // ---- retrieval, tool, model

  @Test
  void readsRetrievalHitAndFallback() {
    SpanEvent miss =
        normalizeOne(
            span()
                .addAttributes(attr(SpanAttributes.RETRIEVAL_HIT, false))
                .addAttributes(attr(SpanAttributes.RETRIEVAL_FALLBACK, true)));
    SpanEvent hit = normalizeOne(span().addAttributes(attr(SpanAttributes.RETRIEVAL_HIT, "true")));

    assertThat(miss.getRetrievalHit()).isFalse();
    assertThat(miss.getRetrievalFallback()).isTrue();
    assertThat(hit.getRetrievalHit()).isTrue();
    assertThat(hit.getRetrievalFallback()).isFalse();
  }

  @Test
  void readsToolNameTruncatedTo64Chars() {
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_TOOL_NAME, "web_search")))
                .getToolName())
        .isEqualTo("web_search");
    assertThat(
            normalizeOne(
                    span().addAttributes(attr(SpanAttributes.GEN_AI_TOOL_NAME, "t".repeat(65))))
                .getToolName())
        .hasSize(64);
  }

  @Test
  void readsModelAndTokenUsage() {
    SpanEvent event =
        normalizeOne(
            span()
                .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_MODEL, "llama-3.1-70b"))
                .addAttributes(attr(SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS, 1200L))
                .addAttributes(attr(SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, 350.0)));

    assertThat(event.getModel()).isEqualTo("llama-3.1-70b");
    assertThat(event.getInputTokens()).isEqualTo(1200);
    assertThat(event.getOutputTokens()).isEqualTo(350);
  }

  @Test
  void readsTokenCountSentAsString() {
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS, "42")))
                .getInputTokens())
        .isEqualTo(42);
    assertThat(
            normalizeOne(
                    span().addAttributes(attr(SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS, "many")))
                .getInputTokens())
        .isZero();
  }

  @Test
  void ignoresNegativeTokenCounts() {
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, -5L)))
                .getOutputTokens())
        .isZero();
  }

  @Test
  void roundsModelQueueMillisToMicros() {
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.MODEL_QUEUE_MS, 12.3456)))
                .getModelQueueMicros())
        .isEqualTo(12_346);
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.MODEL_QUEUE_MS, 7L)))
                .getModelQueueMicros())
        .isEqualTo(7_000);
  }

  // ---- admission control

  @Test
  void readsWhatTheGatewayDidWithTheRequest() {
    SpanEvent shed =
        normalizeOne(
            span()
                .addAttributes(attr(SpanAttributes.ADMISSION, "shed"))
                .addAttributes(attr(SpanAttributes.DEGRADATION, 0L)));
    assertThat(shed.getAdmission()).isEqualTo(dev.tierscope.wire.v1.Admission.ADMISSION_SHED);
    assertThat(shed.hasDegradationLevel()).isTrue();
    assertThat(shed.getDegradationLevel()).isZero();

    SpanEvent degraded =
        normalizeOne(
            span()
                .addAttributes(attr(SpanAttributes.ADMISSION, "admitted"))
                .addAttributes(attr(SpanAttributes.DEGRADATION, "2")));
    assertThat(degraded.getAdmission())
        .isEqualTo(dev.tierscope.wire.v1.Admission.ADMISSION_ADMITTED);
    assertThat(degraded.getDegradationLevel()).isEqualTo(2);

    SpanEvent none = normalizeOne(span().addAttributes(attr(SpanAttributes.DEGRADATION, "none")));
    assertThat(none.getAdmission())
        .isEqualTo(dev.tierscope.wire.v1.Admission.ADMISSION_UNSPECIFIED);
    assertThat(none.getDegradationLevel()).isZero();
  }

  @Test
  void unknownAdmissionValuesAndLevelsCountAsAbsent() {
    SpanEvent event =
        normalizeOne(
            span()
                .addAttributes(attr(SpanAttributes.ADMISSION, "postponed"))
                .addAttributes(attr(SpanAttributes.DEGRADATION, 7L)));
    assertThat(event.getAdmission())
        .isEqualTo(dev.tierscope.wire.v1.Admission.ADMISSION_UNSPECIFIED);
    assertThat(event.hasDegradationLevel()).isFalse();
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.DEGRADATION, "high")))
                .hasDegradationLevel())
        .isFalse();
  }

  // ---- edge

  @Test
  void readsEdgeAttributes() {
    SpanEvent event =
        normalizeOne(
            span()
                .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                .addAttributes(attr(SpanAttributes.CLIENT_PATH, "vpn"))
                .addAttributes(attr(SpanAttributes.NETWORK_PROTOCOL_VERSION, "3"))
                .addAttributes(attr(SpanAttributes.NETWORK_CONNECTION_TYPE, "cell"))
                .addAttributes(attr(SpanAttributes.TRANSPORT_PROTOCOL_FALLBACK, true))
                .addAttributes(attr(SpanAttributes.TRANSPORT_RETRANSMITS, 4L)));

    assertThat(event.getClientPath()).isEqualTo("vpn");
    assertThat(event.getProtocolVersion()).isEqualTo("3");
    assertThat(event.getConnectionType()).isEqualTo("cell");
    assertThat(event.getProtocolFallback()).isTrue();
    assertThat(event.getRetransmits()).isEqualTo(4);
  }

  @Test
  void readsTheRegionFromTheResourceAndLetsASpanAttributeOverrideIt() {
    Resource eu =
        resource(
            attr(SpanAttributes.SERVICE_NAME, "gateway"),
            attr(SpanAttributes.CLOUD_REGION, "eu-west-1"));

    assertThat(normalizeOne(eu, span()).getRegion()).isEqualTo("eu-west-1");
    assertThat(
            normalizeOne(eu, span().addAttributes(attr(SpanAttributes.CLOUD_REGION, "fra-pop")))
                .getRegion())
        .isEqualTo("fra-pop");
    assertThat(normalizeOne(span()).getRegion()).isEmpty();
  }

  @Test
  void readsProtocolVersionSentAsNumber() {
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.NETWORK_PROTOCOL_VERSION, 1.1)))
                .getProtocolVersion())
        .isEqualTo("1.1");
    assertThat(
            normalizeOne(span().addAttributes(attr(SpanAttributes.NETWORK_PROTOCOL_VERSION, 2.0)))
                .getProtocolVersion())
        .isEqualTo("2");
  }

  @Test
  void truncatesEdgeStringsTo32Chars() {
    SpanEvent event =
        normalizeOne(span().addAttributes(attr(SpanAttributes.CLIENT_PATH, "p".repeat(40))));

    assertThat(event.getClientPath()).isEqualTo("p".repeat(32));
  }

  @Test
  void ignoresNonScalarValues() {
    AnyValue array =
        AnyValue.newBuilder()
            .setArrayValue(
                ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setStringValue("vpn")))
            .build();
    SpanEvent event =
        normalizeOne(
            span()
                .addAttributes(
                    KeyValue.newBuilder().setKey(SpanAttributes.CLIENT_PATH).setValue(array)));

    assertThat(event.getClientPath()).isEmpty();
  }

  // ---- rejections

  @Test
  void rejectsInvalidSpansAndKeepsValidSiblings() {
    ExportTraceServiceRequest request =
        request(
            resource(),
            span().setSpanId(id("0000000000000001")),
            span().setEndTimeUnixNano(START - 1),
            span().setTraceId(ByteString.EMPTY).setSpanId(ByteString.EMPTY),
            span().setSpanId(id("0000000000000002")));

    NormalizedBatch batch = normalizer.normalize(request);

    assertThat(events(batch))
        .extracting(e -> HexFormat.of().formatHex(e.getSpanId().toByteArray()))
        .containsExactly("0000000000000001", "0000000000000002");
    assertThat(batch.rejectedSpans()).isEqualTo(2);
    assertThat(batch.rejectionMessage())
        .isEqualTo(
            "rejected 2 spans: span 00f067aa0ba902b7: end before start; "
                + "span <unknown>: trace_id must be 16 bytes, got 0");
    assertThat(batch.rejectedByReason())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                OtlpSpanNormalizer.REASON_END_BEFORE_START, 1,
                OtlpSpanNormalizer.REASON_INVALID_TRACE_ID, 1));
  }

  @Test
  void reportsNoRejectionWhenAllSpansAreValid() {
    NormalizedBatch batch = normalizer.normalize(request(resource(), span()));

    assertThat(batch.rejectedSpans()).isZero();
    assertThat(batch.rejectionMessage()).isEmpty();
    assertThat(batch.rejectedByReason()).isEmpty();
  }

  @Test
  void rejectsAllZeroTraceId() {
    assertRejected(
        span().setTraceId(ByteString.copyFrom(new byte[16])),
        OtlpSpanNormalizer.REASON_INVALID_TRACE_ID,
        "span 00f067aa0ba902b7: trace_id must not be all zero");
  }

  @Test
  void rejectsTraceIdOfWrongLength() {
    assertRejected(
        span().setTraceId(id("4bf92f3577b34da6")),
        OtlpSpanNormalizer.REASON_INVALID_TRACE_ID,
        "span 00f067aa0ba902b7: trace_id must be 16 bytes, got 8");
  }

  @Test
  void rejectsSpanIdOfWrongLength() {
    assertRejected(
        span().setSpanId(id("00f067aa")),
        OtlpSpanNormalizer.REASON_INVALID_SPAN_ID,
        "span <unknown>: span_id must be 8 bytes, got 4");
  }

  @Test
  void rejectsAllZeroSpanId() {
    assertRejected(
        span().setSpanId(ByteString.copyFrom(new byte[8])),
        OtlpSpanNormalizer.REASON_INVALID_SPAN_ID,
        "span <unknown>: span_id must not be all zero");
  }

  @Test
  void rejectsParentSpanIdOfWrongLength() {
    assertRejected(
        span().setParentSpanId(id("b7ad6b71")),
        OtlpSpanNormalizer.REASON_INVALID_PARENT_SPAN_ID,
        "span 00f067aa0ba902b7: parent_span_id must be empty or 8 bytes, got 4");
  }

  @Test
  void rejectsSpanWithoutStartTime() {
    assertRejected(
        span().setStartTimeUnixNano(0),
        OtlpSpanNormalizer.REASON_INVALID_START_TIME,
        "span 00f067aa0ba902b7: start_time_unix_nano must be positive, got 0");
  }

  @Test
  void rejectsSpanWithEndBeforeStart() {
    assertRejected(
        span().setEndTimeUnixNano(START - 1),
        OtlpSpanNormalizer.REASON_END_BEFORE_START,
        "span 00f067aa0ba902b7: end before start");
  }

  @Test
  void acceptsSpanThatEndsWhereItStarts() {
    NormalizedBatch batch =
        normalizer.normalize(request(resource(), span().setEndTimeUnixNano(START)));

    assertThat(batch.accepted()).hasSize(1);
    assertThat(batch.rejectedSpans()).isZero();
  }

  @Test
  void rejectsSpanWithMoreAttributesThanTheBound() {
    OtlpSpanNormalizer bounded = normalizer(classes, 3, UnknownClassPolicy.ACCEPT);
    Span.Builder atBound = span().setSpanId(id("0000000000000001"));
    Span.Builder overBound = span();
    for (int i = 0; i < 3; i++) {
      atBound.addAttributes(attr("a" + i, "v"));
      overBound.addAttributes(attr("a" + i, "v"));
    }
    overBound.addAttributes(attr(SpanAttributes.CLASS, "deferred_batch"));

    NormalizedBatch batch = bounded.normalize(request(resource(), atBound, overBound));

    assertThat(batch.accepted()).hasSize(1);
    assertThat(batch.rejectedSpans()).isEqualTo(1);
    assertThat(batch.rejectedByReason())
        .containsExactlyEntriesOf(Map.of(OtlpSpanNormalizer.REASON_TOO_MANY_ATTRIBUTES, 1));
    assertThat(batch.rejectionMessage())
        .isEqualTo("rejected 1 span: span 00f067aa0ba902b7: too many attributes: 4 > 3");
  }

  @Test
  void boundsAttributesAt128ByDefault() {
    Span.Builder span = span();
    for (int i = 0; i < 129; i++) {
      span.addAttributes(attr("a" + i, i));
    }

    assertThat(normalizer.maxAttributesPerSpan()).isEqualTo(128);
    assertThat(normalizer.normalize(request(resource(), span)).rejectedByReason())
        .containsEntry(OtlpSpanNormalizer.REASON_TOO_MANY_ATTRIBUTES, 1);
  }

  @Test
  void namesOnlyTheFirstFiveRejectionsButCountsAll() {
    Span.Builder[] spans = new Span.Builder[7];
    for (int i = 0; i < spans.length; i++) {
      spans[i] = span().setSpanId(id("000000000000000" + (i + 1))).setStartTimeUnixNano(0);
    }

    NormalizedBatch batch = normalizer.normalize(request(resource(), spans));

    assertThat(batch.rejectedSpans()).isEqualTo(7);
    assertThat(batch.rejectedByReason())
        .containsExactlyEntriesOf(Map.of(OtlpSpanNormalizer.REASON_INVALID_START_TIME, 7));
    assertThat(batch.rejectionMessage())
        .startsWith("rejected 7 spans: span 0000000000000001: ")
        .contains("span 0000000000000005")
        .doesNotContain("span 0000000000000006")
        .endsWith("; and 2 more");
  }

  @Nested
  class HostileValues {
    @Test
    void rejectsATenantTheApiCouldNotReadWithTheRuleAndKeepsTheOthers() {
      Span.Builder good = span().setSpanId(id("0000000000000001"));
      Span.Builder nul = span().addAttributes(attr(SpanAttributes.TENANT, "acme\u0000"));

      NormalizedBatch batch = normalizer.normalize(request(resource(), good, nul));

      assertThat(batch.accepted()).hasSize(1);
      assertThat(batch.rejectedByReason())
          .containsExactlyEntriesOf(Map.of(OtlpSpanNormalizer.REASON_INVALID_TENANT, 1));
      assertThat(batch.rejectionMessage())
          .isEqualTo(
              "rejected 1 span: span 00f067aa0ba902b7: tenant must match [A-Za-z0-9_.:-]{1,128},"
                  + " got 'acme\uFFFD'");
    }

    @Test
    void rejectsAHugeResourceTenantForEverySpanOfItsResource() {
      NormalizedBatch batch =
          normalizer.normalize(
              request(
                  resource(attr(SpanAttributes.TENANT, "t".repeat(70_000))),
                  span(),
                  span().setSpanId(id("0000000000000002"))));

      assertThat(batch.accepted()).isEmpty();
      assertThat(batch.rejectedByReason())
          .containsExactlyEntriesOf(Map.of(OtlpSpanNormalizer.REASON_INVALID_TENANT, 2));
      assertThat(batch.rejectionMessage()).hasSizeLessThan(500).contains("(70000 chars)");
    }

    @Test
    void rejectsTheReservedOverflowTenant() {
      NormalizedBatch batch =
          normalizer.normalize(
              request(resource(attr(SpanAttributes.TENANT, "__overflow__")), span()));

      assertThat(batch.rejectedByReason())
          .containsExactlyEntriesOf(Map.of(OtlpSpanNormalizer.REASON_INVALID_TENANT, 1));
      assertThat(batch.rejectionMessage()).contains("reserved");
    }

    @Test
    void rejectsSpansTooFarInTheFutureOrThePastAgainstTheReceiversClock() {
      long day = 86_400_000_000_000L;
      Span.Builder future =
          span()
              .setSpanId(id("0000000000000001"))
              .setStartTimeUnixNano(START + 2 * day)
              .setEndTimeUnixNano(START + 2 * day + 1);
      Span.Builder ancient =
          span()
              .setSpanId(id("0000000000000002"))
              .setStartTimeUnixNano(START - 3 * day)
              .setEndTimeUnixNano(START - 3 * day + 1);
      // The accuracy runs and backfills send spans hours in the past; clocks run seconds ahead.
      Span.Builder yesterday =
          span()
              .setSpanId(id("0000000000000003"))
              .setStartTimeUnixNano(START - 20 * 3_600_000_000_000L)
              .setEndTimeUnixNano(START - 20 * 3_600_000_000_000L + 1);
      Span.Builder aheadBySeconds =
          span()
              .setSpanId(id("0000000000000004"))
              .setStartTimeUnixNano(START + 3_000 * MILLI)
              .setEndTimeUnixNano(START + 4_000 * MILLI);

      NormalizedBatch batch =
          normalizer.normalize(request(resource(), future, ancient, yesterday, aheadBySeconds));

      assertThat(batch.accepted())
          .extracting(dev.tierscope.core.span.Span::spanId)
          .containsExactly(3L, 4L);
      assertThat(batch.rejectedByReason())
          .containsOnly(
              Map.entry(OtlpSpanNormalizer.REASON_TOO_FAR_IN_FUTURE, 1),
              Map.entry(OtlpSpanNormalizer.REASON_TOO_OLD, 1));
      assertThat(batch.rejectionMessage())
          .isEqualTo(
              "rejected 2 spans: span 0000000000000001: ends 2d0h ahead of the receiver's clock"
                  + " (at most 5m0s allowed, tierscope.ingest.max-future-skew); span"
                  + " 0000000000000002: starts 3d0h before the receiver's clock (at most 2d0h"
                  + " allowed, tierscope.ingest.max-age)");
    }

    @Test
    void judgesTimeByTheConfiguredBounds() {
      OtlpSpanNormalizer strict =
          new OtlpSpanNormalizer(
              classes,
              128,
              UnknownClassPolicy.ACCEPT,
              new SpanTimeBounds(java.time.Duration.ofSeconds(1), java.time.Duration.ofHours(1)),
              CLOCK);
      Span.Builder twoSecondsAhead =
          span().setStartTimeUnixNano(START).setEndTimeUnixNano(START + 2_000 * MILLI);

      assertThat(strict.normalize(request(resource(), twoSecondsAhead)).rejectedByReason())
          .containsExactlyEntriesOf(Map.of(OtlpSpanNormalizer.REASON_TOO_FAR_IN_FUTURE, 1));
      assertThat(normalizer.normalize(request(resource(), twoSecondsAhead)).accepted()).hasSize(1);
    }

    @Test
    void cleansFreeTextInEveryFieldCountsItAndTellsTheClient() {
      String dirty = "x\u0000\u001b[31m\uD800" + "y".repeat(300);
      Span.Builder s =
          span()
              .addAttributes(attr(SpanAttributes.GEN_AI_OPERATION_NAME, dirty))
              .addAttributes(attr(SpanAttributes.WORKFLOW, dirty))
              .addAttributes(attr(SpanAttributes.GEN_AI_TOOL_NAME, dirty))
              .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_MODEL, dirty))
              .addAttributes(attr(SpanAttributes.CLIENT_PATH, dirty))
              .addAttributes(attr(SpanAttributes.NETWORK_PROTOCOL_VERSION, dirty))
              .addAttributes(attr(SpanAttributes.NETWORK_CONNECTION_TYPE, dirty));

      NormalizedBatch batch =
          normalizer.normalize(request(resource(attr(SpanAttributes.SERVICE_NAME, dirty)), s));

      var span = batch.accepted().get(0);
      for (String value :
          List.of(
              span.service(),
              span.operation(),
              span.workflow(),
              span.toolName(),
              span.model(),
              span.clientPath(),
              span.protocolVersion(),
              span.connectionType())) {
        assertThat(value).startsWith("x\uFFFD\uFFFD[31m\uFFFDyy");
        assertThat(SpanLimits.isUnsafe(value)).isFalse();
      }
      assertThat(span.service()).hasSize(SpanLimits.MAX_SERVICE_CHARS);
      assertThat(span.clientPath()).hasSize(SpanLimits.MAX_EDGE_VALUE_CHARS);
      assertThat(batch.rejectedSpans()).isZero();
      assertThat(batch.normalizedByField())
          .containsOnlyKeys(
              "service",
              "operation",
              "workflow",
              "tool_name",
              "model",
              "client_path",
              "protocol_version",
              "connection_type");
      assertThat(batch.clientMessage())
          .startsWith("accepted with changed values (service.name: 1, gen_ai.operation.name: 1,");
    }

    @Test
    void showsAHostileUnknownClassOnlyCleanedAndCut() {
      NormalizedBatch batch =
          normalizer.normalize(
              request(
                  resource(),
                  span().addAttributes(attr(SpanAttributes.CLASS, "\u0000" + "c".repeat(1000)))));

      assertThat(batch.warningMessage()).contains("(first: '\uFFFD" + "c".repeat(63) + "...')");
    }
  }

  @Test
  void normalizesEmptyRequestToEmptyBatch() {
    NormalizedBatch batch = normalizer.normalize(ExportTraceServiceRequest.getDefaultInstance());

    assertThat(batch.accepted()).isEmpty();
    assertThat(batch.rejectedSpans()).isZero();
    assertThat(batch.unknownClassSpans()).isZero();
  }

  @Test
  void refusesAttributeBoundBelowOne() {
    assertThatThrownBy(() -> new OtlpSpanNormalizer(classes, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttributesPerSpan");
  }

  /** Spans of other GenAI instrumentations, read by core's GenAiDialects table. */
  @Nested
  class Dialects {
    @Test
    void vllmRequestSpanUnderTheCallersTraceIsTheModelWithSecondsConverted() {
      SpanEvent event =
          normalizeOne(
              span()
                  .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                  .setParentSpanId(id(PARENT_ID))
                  .addAttributes(attr("gen_ai.latency.time_in_queue", 0.0125))
                  .addAttributes(attr("gen_ai.latency.time_to_first_token", 0.42))
                  .addAttributes(attr("gen_ai.latency.e2e", 2.5))
                  .addAttributes(attr("gen_ai.usage.prompt_tokens", 1200L))
                  .addAttributes(attr("gen_ai.usage.completion_tokens", "350")));

      assertThat(event.getRole()).isEqualTo(Role.ROLE_MODEL);
      assertThat(event.getFirstTokenEpochNanos()).isEqualTo(START + 420 * MILLI);
      assertThat(event.getModelQueueMicros()).isEqualTo(12_500);
      assertThat(event.getInputTokens()).isEqualTo(1200);
      assertThat(event.getOutputTokens()).isEqualTo(350);
    }

    @Test
    void openLlmetryChunkEventsAndStreamingFlag() {
      SpanEvent event =
          normalizeOne(
              span()
                  .setParentSpanId(id(PARENT_ID))
                  .addAttributes(attr("llm.request.type", "chat"))
                  .addAttributes(attr("llm.is_streaming", "true"))
                  .addEvents(event("llm.content.completion.chunk", START + 350 * MILLI))
                  .addEvents(event("llm.content.completion.chunk", START + 310 * MILLI))
                  .setStatus(status(Status.StatusCode.STATUS_CODE_ERROR)));

      assertThat(event.getRole()).isEqualTo(Role.ROLE_MODEL);
      assertThat(event.getFirstTokenEpochNanos()).isEqualTo(START + 310 * MILLI);
      assertThat(event.getStreamed()).isTrue();
      assertThat(event.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_INTERRUPTED);
    }

    @Test
    void openInferenceAndLangfuse() {
      SpanEvent llm =
          normalizeOne(
              span()
                  .setParentSpanId(id(PARENT_ID))
                  .addAttributes(attr("openinference.span.kind", "LLM"))
                  .addAttributes(attr("llm.invocation_parameters", "{\"stream\": true}"))
                  .addAttributes(attr("llm.token_count.prompt", 9L))
                  .addAttributes(attr("llm.token_count.completion", 12L)));
      assertThat(llm.getRole()).isEqualTo(Role.ROLE_MODEL);
      assertThat(llm.getStreamed()).isTrue();
      assertThat(llm.getFirstTokenEpochNanos()).as("no first-token signal").isZero();
      assertThat(llm.getInputTokens()).isEqualTo(9);

      SpanEvent generation =
          normalizeOne(
              span()
                  .setParentSpanId(id(PARENT_ID))
                  .addAttributes(attr("langfuse.observation.type", "generation"))
                  .addAttributes(
                      attr(
                          "langfuse.observation.completion_start_time",
                          "\"" + Instant.ofEpochSecond(0, START + 275 * MILLI) + "\"")));
      assertThat(generation.getRole()).isEqualTo(Role.ROLE_MODEL);
      assertThat(generation.getFirstTokenEpochNanos()).isEqualTo(START + 275 * MILLI);
    }

    private static Span.Event event(String name, long timeUnixNano) {
      return Span.Event.newBuilder().setName(name).setTimeUnixNano(timeUnixNano).build();
    }
  }

  @Nested
  class ResultRecord {
    @Test
    void refusesNegativeCounts() {
      assertThatThrownBy(() -> new NormalizedBatch(List.of(), -1, "", Map.of(), 0, Map.of(), ""))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new NormalizedBatch(List.of(), 0, "", Map.of(), -1, Map.of(), ""))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isUnmodifiable() {
      NormalizedBatch batch = normalizer.normalize(request(resource(), span()));

      assertThatThrownBy(() -> batch.accepted().clear())
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> batch.rejectedByReason().put("x", 1))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  // ---- helpers

  private void assertRejected(Span.Builder span, String reason, String detail) {
    NormalizedBatch batch = normalizer.normalize(request(resource(), span));

    assertThat(batch.accepted()).isEmpty();
    assertThat(batch.rejectedSpans()).isEqualTo(1);
    assertThat(batch.rejectedByReason()).containsExactlyEntriesOf(Map.of(reason, 1));
    assertThat(batch.rejectionMessage()).isEqualTo("rejected 1 span: " + detail);
  }

  private SpanEvent normalizeOne(Span.Builder span) {
    return normalizeOne(resource(attr(SpanAttributes.SERVICE_NAME, "svc")), span);
  }

  private SpanEvent normalizeOne(Resource resource, Span.Builder span) {
    NormalizedBatch batch = normalizer.normalize(request(resource, span));
    assertThat(batch.rejectionMessage()).isEmpty();
    assertThat(batch.accepted()).hasSize(1);
    return events(batch).get(0);
  }

  /**
   * The accepted spans as the ingest writes them to Kafka: encoded by the wire codec and read back
   * as the {@code SpanEvent} message, so these tests pin the Kafka contract, not only the model.
   */
  static List<SpanEvent> events(NormalizedBatch batch) {
    return batch.accepted().stream()
        .map(
            s -> {
              try {
                return SpanEvent.parseFrom(SpanBytesEncoder.SPAN_EVENT_V1.encode(s));
              } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
              }
            })
        .toList();
  }

  static Span.Builder span() {
    return Span.newBuilder()
        .setTraceId(id(TRACE_ID))
        .setSpanId(id(SPAN_ID))
        .setName("span")
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(START)
        .setEndTimeUnixNano(END);
  }

  static ExportTraceServiceRequest request(Resource resource, Span.Builder... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(resourceSpans(resource, spans))
        .build();
  }

  static ResourceSpans resourceSpans(Resource resource, Span.Builder... spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (Span.Builder span : spans) {
      scope.addSpans(span);
    }
    return ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope).build();
  }

  static Resource resource(KeyValue... attributes) {
    return Resource.newBuilder().addAllAttributes(List.of(attributes)).build();
  }

  static Span.Event firstTokenEvent(long timeUnixNano) {
    return Span.Event.newBuilder()
        .setName(SpanAttributes.FIRST_TOKEN_EVENT)
        .setTimeUnixNano(timeUnixNano)
        .build();
  }

  static Status status(Status.StatusCode code) {
    return Status.newBuilder().setCode(code).build();
  }

  static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  static KeyValue attr(String key, String value) {
    return kv(key, AnyValue.newBuilder().setStringValue(value));
  }

  static KeyValue attr(String key, long value) {
    return kv(key, AnyValue.newBuilder().setIntValue(value));
  }

  static KeyValue attr(String key, double value) {
    return kv(key, AnyValue.newBuilder().setDoubleValue(value));
  }

  static KeyValue attr(String key, boolean value) {
    return kv(key, AnyValue.newBuilder().setBoolValue(value));
  }

  private static KeyValue kv(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }
}
