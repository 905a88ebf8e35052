package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Tierscope SDK: reports each user request as the spans of the Tierscope span conventions
 * (roles, traffic class, first token, stream outcome, retrieval, tools, model queue, edge).
 *
 * <p>Why a facade: OpenTelemetry can express all of the conventions, but only if every service
 * spells two dozen attribute names and a few rules the same way. This class spells them once. It is
 * a thin layer: the spans are ordinary OpenTelemetry spans.
 *
 * <p>Two modes. <b>On the application's OpenTelemetry</b> ({@link #create(OpenTelemetry)}, {@link
 * TierscopeBuilder#globalOpenTelemetry()}, or {@link #fromEnvironment()} under the OpenTelemetry
 * Java agent): the spans join the application's traces and go out through its exporter. <b>
 * Standalone</b> ({@link #builder()}): the SDK runs its own OpenTelemetry SDK and OTLP exporter,
 * configured by OpenTelemetry's autoconfiguration ({@code OTEL_*} variables) and the builder. In
 * both modes a request span starts as a child of the current span ({@link Context#current()}) when
 * there is one, and carries its class, workflow and tenant in Baggage to the spans below it and to
 * the services it calls (see {@link BaggageSpanProcessor}).
 *
 * <p>It never blocks or throws into the application: standalone, spans are queued in a bounded
 * queue and exported on a background thread; when the queue is full a span is dropped and counted,
 * and a failed export is counted ({@link #stats()}), never thrown. Only {@link
 * TierscopeBuilder#build()} throws, for invalid configuration.
 *
 * <pre>{@code
 * try (Tierscope tierscope = Tierscope.builder()
 *     .endpoint("http://127.0.0.1:4318").serviceName("chat-api").tenant("acme").build()) {
 *   RequestSpan request = tierscope.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "rag");
 *   RetrievalSpan retrieval = request.retrieval();
 *   retrieval.end(true, false);
 *   ModelSpan model = request.model("llama-3.1-8b").queued(Duration.ofMillis(35));
 *   model.firstToken();
 *   request.firstToken();
 *   model.tokens(900, 240).end(Outcome.COMPLETED);
 *   request.end(Outcome.COMPLETED);
 * }
 * }</pre>
 *
 * <p>Instances are thread-safe; create one per service and keep it for the life of the process.
 */
public final class Tierscope implements AutoCloseable {

  /** Instrumentation scope name of the spans this SDK creates. */
  public static final String INSTRUMENTATION_SCOPE = "dev.tierscope.sdk";

  static final AttributeKey<String> SERVICE_NAME_KEY =
      AttributeKey.stringKey(SpanAttributes.SERVICE_NAME);

  static final AttributeKey<String> TENANT_KEY = AttributeKey.stringKey(SpanAttributes.TENANT);

  /** W3C trace context and W3C baggage, the propagation of {@link SpanParent#headers()}. */
  private static final TextMapPropagator PROPAGATOR =
      TextMapPropagator.composite(
          W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());

  private static final Tracer NOOP = TracerProvider.noop().get(INSTRUMENTATION_SCOPE);

  private static final TextMapSetter<Map<String, String>> SETTER =
      (carrier, key, value) -> {
        if (carrier != null) {
          carrier.put(key, value);
        }
      };

  private static final TextMapGetter<Map<String, String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          if (carrier == null) {
            return null;
          }
          String value = carrier.get(key);
          if (value != null) {
            return value;
          }
          // HTTP header names are case-insensitive; servers hand them over in any case.
          for (Map.Entry<String, String> e : carrier.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(key)) {
              return e.getValue();
            }
          }
          return null;
        }
      };

  /** The SDK this instance owns (standalone), else null. */
  private final OpenTelemetrySdk ownSdk;

  /** The application's OpenTelemetry this instance builds on, else null. */
  private final OpenTelemetry shared;

  private final Tracer tracer;
  private final ExportCounters counters;
  private final String serviceName;
  private final String endpoint;
  private final Duration closeTimeout;
  private final String tenant;
  private final long stallThresholdNanos;
  private volatile boolean closed;

  private Tierscope(
      OpenTelemetrySdk ownSdk,
      OpenTelemetry shared,
      ExportCounters counters,
      String serviceName,
      String endpoint,
      Duration closeTimeout,
      String tenant,
      Duration stallThreshold) {
    this.stallThresholdNanos = stallThreshold.toNanos();
    this.ownSdk = ownSdk;
    this.shared = shared;
    this.tracer = (ownSdk != null ? ownSdk : shared).getTracer(INSTRUMENTATION_SCOPE);
    this.counters = counters;
    this.serviceName = serviceName;
    this.endpoint = endpoint;
    this.closeTimeout = closeTimeout;
    this.tenant = tenant;
  }

  static Tierscope standalone(
      OpenTelemetrySdk sdk,
      ExportCounters counters,
      String serviceName,
      String endpoint,
      Duration closeTimeout,
      String tenant,
      Duration stallThreshold) {
    return new Tierscope(
        sdk, null, counters, serviceName, endpoint, closeTimeout, tenant, stallThreshold);
  }

  static Tierscope shared(OpenTelemetry openTelemetry, String tenant, Duration stallThreshold) {
    return new Tierscope(
        null,
        openTelemetry,
        new ExportCounters(),
        null,
        "the application's OpenTelemetry",
        Duration.ZERO,
        tenant,
        stallThreshold);
  }

  /** A gap between chunks longer than this is a stall ({@link TierscopeBuilder#stallThreshold}). */
  long stallThresholdNanos() {
    return stallThresholdNanos;
  }

  /**
   * A builder; without {@link TierscopeBuilder#openTelemetry(OpenTelemetry)} it builds a standalone
   * instance (OTLP/HTTP to {@code http://localhost:4318} unless {@code OTEL_*} says otherwise).
   */
  public static TierscopeBuilder builder() {
    return new TierscopeBuilder();
  }

  /** An instance on the application's {@code openTelemetry} (see {@link TierscopeBuilder}). */
  public static Tierscope create(OpenTelemetry openTelemetry) {
    return builder().openTelemetry(openTelemetry).build();
  }

  /**
   * The instance that fits the process: on the global OpenTelemetry when one is installed (the
   * OpenTelemetry Java agent installs one), else standalone, configured by the standard {@code
   * OTEL_*} environment variables and {@code otel.*} system properties.
   */
  public static Tierscope fromEnvironment() {
    return GlobalOpenTelemetry.isSet()
        ? builder().globalOpenTelemetry().build()
        : builder().build();
  }

  // ---- requests

  /** Options for a request span of {@code trafficClass} running {@code workflow}. */
  public RequestBuilder request(TrafficClass trafficClass, String workflow) {
    return new RequestBuilder(this, trafficClass == null ? null : trafficClass.value(), workflow);
  }

  /**
   * Options for a request span with a class name of the deployment's configuration (a class or an
   * alias of it; unknown names are counted by Tierscope, never new series).
   */
  public RequestBuilder request(String trafficClass, String workflow) {
    return new RequestBuilder(this, trafficClass, workflow);
  }

  /**
   * A client span starting now: the request as the user's side sees it. It is a child of the
   * current span when there is one, else it starts a new trace.
   */
  public RequestSpan clientRequest(TrafficClass trafficClass, String workflow) {
    return request(trafficClass, workflow).client().start();
  }

  /**
   * A gateway span starting now, continuing the caller's trace when {@code incomingHeaders} carry
   * W3C trace context (else under the current span, or starting a new trace when there is none).
   */
  public RequestSpan gatewayRequest(
      TrafficClass trafficClass, String workflow, Map<String, String> incomingHeaders) {
    return request(trafficClass, workflow).gateway().parent(incomingHeaders).start();
  }

  /**
   * Tags the request this thread is handling with its class and workflow, for plain OpenTelemetry
   * instrumentation: sets {@code tierscope.class}, {@code tierscope.workflow} (and the tenant) on
   * the current span (for example the agent's or Spring's HTTP server span) and puts them into
   * Baggage until the returned scope is closed, so that every span started below carries them (with
   * {@link BaggageSpanProcessor} in the pipeline) and the services called receive them in the W3C
   * {@code baggage} header. Null values are left out.
   *
   * <pre>{@code
   * try (Scope tagged = tierscope.tag(TrafficClass.INTERACTIVE_PREMIUM, "rag")) {
   *   chatClient.prompt(question).call(); // its spans carry the class
   * }
   * }</pre>
   */
  public Scope tag(TrafficClass trafficClass, String workflow) {
    return tag(trafficClass == null ? null : trafficClass.value(), workflow, null);
  }

  /**
   * Like {@link #tag(TrafficClass, String)} with a class name of the deployment's configuration and
   * a tenant for this request (the instance's tenant when null).
   */
  public Scope tag(String trafficClass, String workflow, String requestTenant) {
    Context current = Context.current();
    String t = requestTenant != null ? requestTenant : tenant;
    Span span = Span.fromContext(current);
    if (span.isRecording()) {
      if (present(trafficClass)) {
        span.setAttribute(SpanAttributes.CLASS, trafficClass);
      }
      if (present(workflow)) {
        span.setAttribute(SpanAttributes.WORKFLOW, workflow);
      }
      if (present(t)) {
        span.setAttribute(SpanAttributes.TENANT, t);
      }
    }
    return withTags(current, trafficClass, workflow, t).makeCurrent();
  }

  /**
   * The caller's span from incoming W3C trace-context headers, to hang this service's steps from
   * (for a service that is not the gateway, such as a model server or a tool service).
   */
  public RemoteParent continueTrace(Map<String, String> incomingHeaders) {
    return new RemoteParent(this, extract(incomingHeaders));
  }

  // ---- accounting and lifecycle

  /**
   * What happened to the spans ended so far. Standalone only: on the application's OpenTelemetry
   * its pipeline exports, and these counts stay at zero.
   */
  public ExportStats stats() {
    return counters.snapshot();
  }

  /** Spans dropped because the export queue was full. */
  public long droppedSpans() {
    return counters.dropped.sum();
  }

  /** Spans whose export failed (endpoint unreachable, rejected or timed out). */
  public long failedSpans() {
    return counters.failed.sum();
  }

  /**
   * Exports what is queued and waits at most {@code timeout}; true when the queue was emptied in
   * time and no export failed meanwhile. Never throws. On the application's OpenTelemetry it
   * flushes the application's tracer provider when that is an {@code OpenTelemetrySdk} (Spring
   * Boot, or one the application built), and returns false otherwise (the Java agent's pipeline
   * cannot be flushed from the application; it flushes itself at exit).
   */
  public boolean flush(Duration timeout) {
    OpenTelemetrySdk sdk =
        ownSdk != null ? ownSdk : shared instanceof OpenTelemetrySdk s ? s : null;
    if (sdk == null) {
      return false;
    }
    long failedBefore = counters.failed.sum();
    try {
      boolean done =
          sdk.getSdkTracerProvider()
              .forceFlush()
              .join(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
              .isSuccess();
      // The batch processor's flush succeeds once its queue is empty, whatever the exports did.
      return done && counters.failed.sum() == failedBefore;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * The reporting service ({@code service.name}); null on the application's OpenTelemetry, whose
   * resource names it.
   */
  public String serviceName() {
    return serviceName;
  }

  /**
   * Where spans go: the OTLP URL, a description of a custom exporter, or {@code the application's
   * OpenTelemetry}.
   */
  public String endpoint() {
    return endpoint;
  }

  /**
   * Standalone, exports what is queued (waiting at most the export timeout plus a second) and stops
   * the export thread; on the application's OpenTelemetry it leaves that alone. Spans started
   * afterwards are no-ops (not recorded, not counted, nothing thrown).
   */
  @Override
  public void close() {
    closed = true;
    if (ownSdk == null) {
      return;
    }
    try {
      ownSdk.shutdown().join(Math.max(1, closeTimeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      // closing must not fail the application's shutdown
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "Tierscope{service=%s, endpoint=%s, %s}", serviceName, endpoint, stats());
  }

  Tracer tracer() {
    return closed ? NOOP : tracer;
  }

  /** True when this instance builds on the application's OpenTelemetry. */
  boolean isShared() {
    return shared != null;
  }

  /** The tenant of a request under {@code context}: its Baggage's, else the instance's, or null. */
  String requestTenant(Context context) {
    String fromBaggage =
        Baggage.fromContext(context).getEntryValue(BaggageSpanProcessor.TENANT_KEY);
    return present(fromBaggage) ? fromBaggage : tenant;
  }

  /**
   * The caller's context from W3C trace-context and baggage headers. The current context when the
   * headers name no valid span, or when the current span already belongs to the trace they name
   * (instrumentation such as the Java agent extracted them and started its server span: that span
   * is the better parent).
   */
  static Context extract(Map<String, String> headers) {
    Context current = Context.current();
    if (headers == null || headers.isEmpty()) {
      return current;
    }
    Context extracted = PROPAGATOR.extract(Context.root(), headers, GETTER);
    SpanContext caller = Span.fromContext(extracted).getSpanContext();
    SpanContext local = Span.fromContext(current).getSpanContext();
    if (!caller.isValid() || (local.isValid() && local.getTraceId().equals(caller.getTraceId()))) {
      return current;
    }
    return extracted;
  }

  /** {@code context} with the request tags added to its Baggage (null or empty values left out). */
  static Context withTags(Context context, String trafficClass, String workflow, String tenant) {
    BaggageBuilder b = Baggage.fromContext(context).toBuilder();
    if (present(trafficClass)) {
      b.put(BaggageSpanProcessor.CLASS_KEY, trafficClass);
    }
    if (present(workflow)) {
      b.put(BaggageSpanProcessor.WORKFLOW_KEY, workflow);
    }
    if (present(tenant)) {
      b.put(BaggageSpanProcessor.TENANT_KEY, tenant);
    }
    return context.with(b.build());
  }

  static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  static void inject(Context context, Map<String, String> carrier) {
    PROPAGATOR.inject(context, carrier, SETTER);
  }
}
