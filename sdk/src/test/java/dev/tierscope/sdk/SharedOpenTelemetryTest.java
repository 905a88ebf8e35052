package dev.tierscope.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK on an application's own OpenTelemetry SDK (as the Java agent or Spring Boot set one up):
 * its spans join the application's traces, and the request tags reach plain spans through Baggage.
 */
class SharedOpenTelemetryTest {

  private final RecordingExporter exported = new RecordingExporter();
  private final OpenTelemetrySdk app =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(BaggageSpanProcessor.create())
                  .addSpanProcessor(SimpleSpanProcessor.create(exported))
                  .build())
          .build();
  private final Tracer appTracer = app.getTracer("app");

  @AfterEach
  void close() {
    app.close();
  }

  private static String str(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.stringKey(key));
  }

  @Test
  void aRequestNestsUnderTheApplicationsCurrentServerSpan() {
    Tierscope t = Tierscope.create(app);
    Span server = appTracer.spanBuilder("GET /chat").setSpanKind(SpanKind.SERVER).startSpan();
    String requestSpanId;
    try (Scope s = server.makeCurrent()) {
      RequestSpan request = t.request(TrafficClass.INTERACTIVE_PREMIUM, "rag").start();
      requestSpanId = request.spanId();
      assertThat(request.role()).isEqualTo("gateway");
      assertThat(request.traceId()).isEqualTo(server.getSpanContext().getTraceId());
      request.model("llama").end(Outcome.COMPLETED);
      request.end(Outcome.COMPLETED);
    }
    server.end();
    assertThat(t.flush(Duration.ofSeconds(5))).isTrue();

    SpanData request = exported.named("rag");
    assertThat(request.getParentSpanId()).isEqualTo(server.getSpanContext().getSpanId());
    // Inside this process the server span marks where the request came in.
    assertThat(request.getKind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(str(request, SpanAttributes.ROLE)).isEqualTo("gateway");
    assertThat(str(request, SpanAttributes.CLASS)).isEqualTo("interactive_premium");
    SpanData model = exported.named("chat llama");
    assertThat(model.getParentSpanId()).isEqualTo(requestSpanId);
    // The application's pipeline exports; the standalone counters stay at zero.
    assertThat(t.stats().ended()).isZero();
    assertThat(t.endpoint()).isEqualTo("the application's OpenTelemetry");
  }

  @Test
  void withoutACurrentSpanOrWithNewTraceARequestStartsATrace() {
    Tierscope t = Tierscope.create(app);
    t.clientRequest(TrafficClass.DEFERRED_BATCH, "alone").end(Outcome.COMPLETED);
    Span server = appTracer.spanBuilder("GET /chat").setSpanKind(SpanKind.SERVER).startSpan();
    try (Scope s = server.makeCurrent()) {
      t.request(TrafficClass.DEFERRED_BATCH, "detached").newTrace().start().end(Outcome.COMPLETED);
    }
    server.end();
    assertThat(exported.named("alone").getParentSpanContext().isValid()).isFalse();
    assertThat(exported.named("alone").getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(exported.named("detached").getParentSpanContext().isValid()).isFalse();
    assertThat(exported.named("detached").getTraceId())
        .isNotEqualTo(server.getSpanContext().getTraceId());
  }

  @Test
  void headersOfTheTraceTheCurrentSpanContinuesKeepTheCurrentSpanAsParent() {
    Tierscope t = Tierscope.create(app);
    Span caller = appTracer.spanBuilder("caller").setSpanKind(SpanKind.CLIENT).startSpan();
    Map<String, String> incoming = new java.util.HashMap<>();
    io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance()
        .inject(
            io.opentelemetry.context.Context.root().with(caller),
            incoming,
            (c, k, v) -> c.put(k, v));
    // What the agent does with those headers: a server span continuing the caller's trace.
    Span server =
        appTracer
            .spanBuilder("POST /chat")
            .setParent(io.opentelemetry.context.Context.root().with(caller))
            .setSpanKind(SpanKind.SERVER)
            .startSpan();
    try (Scope s = server.makeCurrent()) {
      t.gatewayRequest(TrafficClass.INTERACTIVE_PREMIUM, "chat", incoming).end(Outcome.COMPLETED);
    }
    server.end();
    caller.end();
    assertThat(exported.named("chat").getParentSpanId())
        .isEqualTo(server.getSpanContext().getSpanId());
  }

  @Test
  void tagMarksTheCurrentSpanAndPlainSpansBelowGetTheTagsFromBaggage() {
    Tierscope t = Tierscope.builder().openTelemetry(app).tenant("acme").build();
    Span server = appTracer.spanBuilder("GET /chat").setSpanKind(SpanKind.SERVER).startSpan();
    try (Scope s = server.makeCurrent();
        Scope tagged = t.tag(TrafficClass.STANDARD_INTERACTIVE, "support")) {
      Span plain = appTracer.spanBuilder("SELECT docs").setSpanKind(SpanKind.CLIENT).startSpan();
      plain.end();
    }
    server.end();

    for (String name : new String[] {"GET /chat", "SELECT docs"}) {
      SpanData span = exported.named(name);
      assertThat(str(span, SpanAttributes.CLASS)).as(name).isEqualTo("standard_interactive");
      assertThat(str(span, SpanAttributes.WORKFLOW)).as(name).isEqualTo("support");
      assertThat(str(span, SpanAttributes.TENANT)).as(name).isEqualTo("acme");
    }
  }

  @Test
  void onTheApplicationsOpenTelemetryEverySdkSpanCarriesTheTenant() {
    Tierscope t = Tierscope.builder().openTelemetry(app).tenant("acme").build();
    RequestSpan request = t.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "rag");
    request.retrieval().end(true, false);
    request.end(Outcome.COMPLETED);
    try (Scope s = t.tag("interactive_premium", "rag", "globex")) {
      t.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "per-request").tool("search").end();
    }
    assertThat(str(exported.named("rag"), SpanAttributes.TENANT)).isEqualTo("acme");
    assertThat(str(exported.named("retrieval"), SpanAttributes.TENANT)).isEqualTo("acme");
    assertThat(str(exported.named("execute_tool search"), SpanAttributes.TENANT))
        .isEqualTo("globex");
  }

  @Test
  void headersCarryTheTagsDownstreamWhereTheyReachPlainSpans() {
    Tierscope upstream = Tierscope.create(app);
    RequestSpan request = upstream.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "rag");
    Map<String, String> headers = request.headers();
    assertThat(headers.get("baggage"))
        .contains("tierscope.class=interactive_premium")
        .contains("tierscope.workflow=rag");

    // The downstream service: plain spans under the caller's context.
    RemoteParent caller = upstream.continueTrace(headers);
    try (Scope s = caller.context().makeCurrent()) {
      appTracer.spanBuilder("downstream work").startSpan().end();
    }
    request.end(Outcome.COMPLETED);
    SpanData downstream = exported.named("downstream work");
    assertThat(downstream.getParentSpanId()).isEqualTo(request.spanId());
    assertThat(str(downstream, SpanAttributes.CLASS)).isEqualTo("interactive_premium");
    assertThat(str(downstream, SpanAttributes.WORKFLOW)).isEqualTo("rag");
  }

  @Test
  void closingLeavesTheApplicationsSdkRunning() {
    Tierscope t = Tierscope.create(app);
    t.close();
    RequestSpan late = t.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "after close");
    late.end(Outcome.COMPLETED);
    assertThat(late.span().isRecording()).isFalse();
    appTracer.spanBuilder("still running").startSpan().end();
    assertThat(exported.named("still running")).isNotNull();
  }
}
