package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.conventions.SpanAttributes.Roles;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.Map;

/**
 * Options of a request span before it starts: which vantage point it is, whom it continues, when it
 * started. Obtained from {@link Tierscope#request(TrafficClass, String)}.
 *
 * <p>Its parent is, first match wins: the one given ({@link #parent(Map)} with a valid {@code
 * traceparent}, {@link #parent(SpanParent)}), none after {@link #newTrace()}, else the current span
 * ({@link Context#current()}, for example the OpenTelemetry Java agent's HTTP server span), else
 * none: the span starts a new trace. Without a parent it is a {@code client} span; with one a
 * {@code gateway} span, unless {@link #client()} says otherwise. A gateway span is of kind SERVER,
 * or INTERNAL when its parent is the current span of this process (a server span already marks
 * where the request came in).
 *
 * <p>The span's context carries the class, workflow and tenant in Baggage (see {@link
 * BaggageSpanProcessor}), for the spans started under it and the services it calls.
 */
public final class RequestBuilder {

  private final Tierscope owner;
  private final String trafficClass;
  private final String workflow;
  private String role;
  private Context parent;
  private boolean newTrace;
  private String name;
  private boolean streamed = true;
  private Instant start;

  RequestBuilder(Tierscope owner, String trafficClass, String workflow) {
    this.owner = owner;
    this.trafficClass = trafficClass;
    this.workflow = workflow;
  }

  /** The span is the client vantage point (kind CLIENT, role {@code client}). */
  public RequestBuilder client() {
    this.role = Roles.CLIENT;
    return this;
  }

  /** The span is the gateway vantage point (kind SERVER, role {@code gateway}). */
  public RequestBuilder gateway() {
    this.role = Roles.GATEWAY;
    return this;
  }

  /**
   * Continues the trace named by incoming W3C trace-context headers, and takes over their W3C
   * baggage. Ignored when there is no valid {@code traceparent}, or when the current span already
   * continues that trace (the Java agent's server span, for example).
   */
  public RequestBuilder parent(Map<String, String> headers) {
    Context extracted = Tierscope.extract(headers);
    this.parent = SpanParent.spanOf(extracted).getSpanContext().isRemote() ? extracted : null;
    this.newTrace = false;
    return this;
  }

  /** Continues the trace of {@code parent} (a span of this or another Tierscope instance). */
  public RequestBuilder parent(SpanParent parent) {
    this.parent = parent == null ? null : parent.context();
    this.newTrace = false;
    return this;
  }

  /** Starts a new trace even when a span is current (the behaviour before version 0.2). */
  public RequestBuilder newTrace() {
    this.parent = null;
    this.newTrace = true;
    return this;
  }

  /** The span name; the workflow name by default. */
  public RequestBuilder name(String name) {
    this.name = name;
    return this;
  }

  /** Whether the answer is streamed ({@code gen_ai.request.stream}); true by default. */
  public RequestBuilder streamed(boolean streamed) {
    this.streamed = streamed;
    return this;
  }

  /** The start time; now when not set. */
  public RequestBuilder startAt(Instant start) {
    this.start = start;
    return this;
  }

  /** Starts the span. */
  public RequestSpan start() {
    boolean implicit = parent == null;
    Context parentContext = newTrace ? Context.root() : implicit ? Context.current() : parent;
    SpanContext parentSpan = Span.fromContext(parentContext).getSpanContext();
    boolean hasParent = parentSpan.isValid();
    String r = role != null ? role : hasParent ? Roles.GATEWAY : Roles.CLIENT;
    SpanKind kind;
    if (Roles.CLIENT.equals(r)) {
      kind = SpanKind.CLIENT;
    } else {
      kind = implicit && hasParent && !parentSpan.isRemote() ? SpanKind.INTERNAL : SpanKind.SERVER;
    }
    String spanName =
        name != null ? name : workflow != null && !workflow.isEmpty() ? workflow : "request";
    SpanBuilder b =
        owner
            .tracer()
            .spanBuilder(spanName)
            .setSpanKind(kind)
            .setAttribute(SpanAttributes.ROLE, r)
            .setAttribute(SpanAttributes.GEN_AI_REQUEST_STREAM, streamed);
    if (hasParent) {
      b.setParent(parentContext);
    } else {
      b.setNoParent();
    }
    if (trafficClass != null && !trafficClass.isEmpty()) {
      b.setAttribute(SpanAttributes.CLASS, trafficClass);
    }
    if (workflow != null && !workflow.isEmpty()) {
      b.setAttribute(SpanAttributes.WORKFLOW, workflow);
    }
    String tenant = owner.requestTenant(parentContext);
    if (owner.isShared() && tenant != null) {
      b.setAttribute(SpanAttributes.TENANT, tenant);
    }
    if (start != null) {
      b.setStartTimestamp(start);
    }
    // Without a parent the Baggage of the current context is not this request's either.
    Context base = hasParent ? parentContext : Context.root();
    Context tagged = Tierscope.withTags(base, trafficClass, workflow, tenant);
    return new RequestSpan(owner, b.startSpan(), tagged, r, streamed);
  }
}
