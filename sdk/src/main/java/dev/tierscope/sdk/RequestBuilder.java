package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.conventions.SpanAttributes.Roles;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.Map;

/**
 * Options of a request span before it starts: which vantage point it is, whom it continues, when it
 * started. Obtained from {@link Tierscope#request(TrafficClass, String)}.
 *
 * <p>Without options the span is a {@code client} span that starts a new trace. With a parent
 * ({@link #parent(Map)}) it is a {@code gateway} span continuing the caller's trace, unless {@link
 * #client()} says otherwise.
 */
public final class RequestBuilder {

  private final Tierscope owner;
  private final String trafficClass;
  private final String workflow;
  private String role;
  private Context parent;
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

  /** Continues the trace named by incoming W3C trace-context headers (ignored when absent). */
  public RequestBuilder parent(Map<String, String> headers) {
    this.parent = Tierscope.extract(headers);
    return this;
  }

  /** Continues the trace of {@code parent} (a span of this or another Tierscope instance). */
  public RequestBuilder parent(SpanParent parent) {
    this.parent = parent == null ? null : parent.context();
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
    boolean hasParent = parent != null && Span.fromContext(parent).getSpanContext().isValid();
    String r = role != null ? role : hasParent ? Roles.GATEWAY : Roles.CLIENT;
    String spanName =
        name != null ? name : workflow != null && !workflow.isEmpty() ? workflow : "request";
    SpanBuilder b =
        owner
            .tracer()
            .spanBuilder(spanName)
            .setSpanKind(Roles.CLIENT.equals(r) ? SpanKind.CLIENT : SpanKind.SERVER)
            .setAttribute(SpanAttributes.ROLE, r)
            .setAttribute(SpanAttributes.GEN_AI_REQUEST_STREAM, streamed);
    if (hasParent) {
      b.setParent(parent);
    } else {
      b.setNoParent();
    }
    if (trafficClass != null && !trafficClass.isEmpty()) {
      b.setAttribute(SpanAttributes.CLASS, trafficClass);
    }
    if (workflow != null && !workflow.isEmpty()) {
      b.setAttribute(SpanAttributes.WORKFLOW, workflow);
    }
    if (start != null) {
      b.setStartTimestamp(start);
    }
    return new RequestSpan(owner, b.startSpan(), hasParent ? parent : Context.root(), r, streamed);
  }
}
