package dev.tierscope.sdk;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;

/**
 * A policy check on the request path (guardrail, moderation, authorisation): mesh time that is
 * neither retrieval nor a tool. The role is explicit, since no OpenTelemetry convention names it.
 */
public final class PolicySpan extends TierSpan<PolicySpan> {

  PolicySpan(Tierscope owner, Span span, Context parent) {
    super(owner, span, parent);
  }
}
