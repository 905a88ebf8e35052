package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.conventions.SpanAttributes.Roles;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something the steps of a request hang from: a span of this service ({@link TierSpan}) or a span
 * of a caller in another service ({@link RemoteParent}). Its factory methods start the child spans
 * of SPAN-CONVENTIONS.md, and {@link #headers()} carries it to the next service.
 *
 * <p>Every factory has a form without a time (the span starts now) and one with an explicit start
 * {@link Instant}, for code that measured the step itself or, like the simulator, computes it.
 */
public abstract class SpanParent {

  final Tierscope owner;

  SpanParent(Tierscope owner) {
    this.owner = owner;
  }

  /**
   * The OpenTelemetry context holding this parent, for interoperating with other OpenTelemetry
   * instrumentation (for example {@code context().makeCurrent()}).
   */
  public abstract Context context();

  /**
   * The W3C headers ({@code traceparent}, {@code tracestate} when there is one, and {@code baggage}
   * with the request's class, workflow and tenant) that make a downstream service continue this
   * trace with this span as the parent; without a valid span to continue, no {@code traceparent}.
   */
  public Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    inject(headers);
    return headers;
  }

  /** Writes the W3C trace-context headers of {@link #headers()} into {@code carrier}. */
  public void inject(Map<String, String> carrier) {
    if (carrier != null) {
      Tierscope.inject(context(), carrier);
    }
  }

  /** A retrieval step starting now; end it with {@link RetrievalSpan#end(boolean, boolean)}. */
  public RetrievalSpan retrieval() {
    return retrieval(null);
  }

  /** A retrieval step starting at {@code start} (now when null). */
  public RetrievalSpan retrieval(Instant start) {
    SpanBuilder b =
        child("retrieval", SpanKind.CLIENT, Roles.RETRIEVAL, start)
            .setAttribute(SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_RETRIEVAL);
    return new RetrievalSpan(owner, b.startSpan(), context());
  }

  /**
   * A tool call starting now; {@link ToolSpan#fail(String)} marks the request's tool chain as
   * failed.
   */
  public ToolSpan tool(String name) {
    return tool(name, null);
  }

  /** A tool call starting at {@code start} (now when null). */
  public ToolSpan tool(String name, Instant start) {
    SpanBuilder b =
        child(
                name == null ? "execute_tool" : "execute_tool " + name,
                SpanKind.INTERNAL,
                Roles.TOOL,
                start)
            .setAttribute(
                SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_EXECUTE_TOOL);
    if (name != null) {
      b.setAttribute(SpanAttributes.GEN_AI_TOOL_NAME, name);
    }
    return new ToolSpan(owner, b.startSpan(), context());
  }

  /** A policy check (guardrail, moderation, authorisation) starting now. */
  public PolicySpan policy(String name) {
    return policy(name, null);
  }

  /** A policy check starting at {@code start} (now when null). */
  public PolicySpan policy(String name, Instant start) {
    SpanBuilder b =
        child(name == null ? "policy" : "policy " + name, SpanKind.INTERNAL, Roles.POLICY, start);
    return new PolicySpan(owner, b.startSpan(), context());
  }

  /**
   * A call to the model runtime starting now (a streamed {@code chat} operation); report {@link
   * ModelSpan#queued}, {@link ModelSpan#firstToken()} and {@link ModelSpan#tokens} on it.
   */
  public ModelSpan model(String model) {
    return model(model, null);
  }

  /** A model call starting at {@code start} (now when null). */
  public ModelSpan model(String model, Instant start) {
    SpanBuilder b =
        child(model == null ? "chat" : "chat " + model, SpanKind.CLIENT, Roles.MODEL, start)
            .setAttribute(SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_CHAT)
            .setAttribute(SpanAttributes.GEN_AI_REQUEST_STREAM, true);
    if (model != null) {
      b.setAttribute(SpanAttributes.GEN_AI_REQUEST_MODEL, model);
    }
    return new ModelSpan(owner, b.startSpan(), context());
  }

  private SpanBuilder child(String name, SpanKind kind, String role, Instant start) {
    SpanBuilder b =
        owner
            .tracer()
            .spanBuilder(name)
            .setParent(context())
            .setSpanKind(kind)
            .setAttribute(SpanAttributes.ROLE, role);
    if (owner.isShared()) {
      // The application's resource names no tenant: every span of the SDK carries it.
      String tenant = owner.requestTenant(context());
      if (tenant != null) {
        b.setAttribute(SpanAttributes.TENANT, tenant);
      }
    }
    if (start != null) {
      b.setStartTimestamp(start);
    }
    return b;
  }

  /** The span in {@code context}, invalid when there is none. */
  static Span spanOf(Context context) {
    return Span.fromContext(context);
  }
}
