package dev.tierscope.sdk;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Tierscope SDK: reports each user request as the spans of SPAN-CONVENTIONS.md (roles, traffic
 * class, first token, stream outcome, retrieval, tools, model queue, edge) and exports them over
 * OTLP to the Tierscope ingest (or any OTLP endpoint).
 *
 * <p>Why a facade: OpenTelemetry can express all of the conventions, but only if every service
 * spells two dozen attribute names and a few rules the same way. This class spells them once. It is
 * a thin layer: the spans are ordinary OpenTelemetry spans, exported by the OpenTelemetry SDK's own
 * batch processor and OTLP exporter.
 *
 * <p>It never blocks or throws into the application: spans are queued in a bounded queue and
 * exported on a background thread; when the queue is full a span is dropped and counted, and a
 * failed export is counted ({@link #stats()}), never thrown. Only {@link TierscopeBuilder#build()}
 * throws, for invalid configuration.
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

  private static final W3CTraceContextPropagator PROPAGATOR =
      W3CTraceContextPropagator.getInstance();

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

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final ExportCounters counters;
  private final String serviceName;
  private final String endpoint;
  private final Duration closeTimeout;

  Tierscope(
      SdkTracerProvider provider,
      ExportCounters counters,
      String serviceName,
      String endpoint,
      Duration closeTimeout) {
    this.provider = provider;
    this.tracer = provider.get(INSTRUMENTATION_SCOPE);
    this.counters = counters;
    this.serviceName = serviceName;
    this.endpoint = endpoint;
    this.closeTimeout = closeTimeout;
  }

  /** A builder with the defaults (OTLP/HTTP to {@code http://localhost:4318}). */
  public static TierscopeBuilder builder() {
    return new TierscopeBuilder();
  }

  /**
   * An instance configured from the standard OpenTelemetry environment variables ({@code
   * OTEL_EXPORTER_OTLP_ENDPOINT}, {@code _PROTOCOL}, {@code _HEADERS}, {@code _TIMEOUT}, {@code
   * OTEL_SERVICE_NAME}, {@code OTEL_RESOURCE_ATTRIBUTES}, ...); see {@link
   * TierscopeBuilder#environment(Map)}.
   */
  public static Tierscope fromEnvironment() {
    return builder().environment(System.getenv()).build();
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

  /** A client span starting a new trace now: the request as the user's side sees it. */
  public RequestSpan clientRequest(TrafficClass trafficClass, String workflow) {
    return request(trafficClass, workflow).client().start();
  }

  /**
   * A gateway span starting now, continuing the caller's trace when {@code incomingHeaders} carry
   * W3C trace context (else starting a new one).
   */
  public RequestSpan gatewayRequest(
      TrafficClass trafficClass, String workflow, Map<String, String> incomingHeaders) {
    return request(trafficClass, workflow).gateway().parent(incomingHeaders).start();
  }

  /**
   * The caller's span from incoming W3C trace-context headers, to hang this service's steps from
   * (for a service that is not the gateway, such as a model server or a tool service).
   */
  public RemoteParent continueTrace(Map<String, String> incomingHeaders) {
    return new RemoteParent(this, extract(incomingHeaders));
  }

  // ---- accounting and lifecycle

  /** What happened to the spans ended so far. */
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
   * time and no export failed meanwhile. Never throws.
   */
  public boolean flush(Duration timeout) {
    long failedBefore = counters.failed.sum();
    try {
      boolean done =
          provider
              .forceFlush()
              .join(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
              .isSuccess();
      // The batch processor's flush succeeds once its queue is empty, whatever the exports did.
      return done && counters.failed.sum() == failedBefore;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The reporting service ({@code service.name}). */
  public String serviceName() {
    return serviceName;
  }

  /** Where spans go: the OTLP URL, or a description of a custom exporter. */
  public String endpoint() {
    return endpoint;
  }

  /**
   * Exports what is queued (waiting at most the builder's close timeout) and stops the export
   * thread. Spans started afterwards are no-ops (not recorded, not counted, nothing thrown).
   */
  @Override
  public void close() {
    try {
      provider.shutdown().join(Math.max(1, closeTimeout.toMillis()), TimeUnit.MILLISECONDS);
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
    return tracer;
  }

  static Context extract(Map<String, String> headers) {
    if (headers == null || headers.isEmpty()) {
      return Context.root();
    }
    return PROPAGATOR.extract(Context.root(), headers, GETTER);
  }

  static void inject(Context context, Map<String, String> carrier) {
    PROPAGATOR.inject(context, carrier, SETTER);
  }
}
