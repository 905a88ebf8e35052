package dev.tierscope.core.span;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.conventions.SpanAttributes.Roles;

/**
 * The part a span plays in a request (SPAN-CONVENTIONS.md, "Which span plays which role"), and the
 * one place that decides it: {@link #fromAttribute} reads a stated {@code tierscope.role}, {@link
 * #inferred} is what a single span shows, {@link #byOperation} is the operation-name rule that
 * assembly applies to a span whose role one span could not decide.
 *
 * <p>The order of the constants is stored in assembly snapshots (their ordinals): add new ones at
 * the end only.
 */
public enum SpanRole {
  /** Not stated and not decidable from the span alone: a SERVER span with a parent. */
  UNSPECIFIED(null),
  CLIENT(Roles.CLIENT),
  GATEWAY(Roles.GATEWAY),
  MODEL(Roles.MODEL),
  RETRIEVAL(Roles.RETRIEVAL),
  TOOL(Roles.TOOL),
  POLICY(Roles.POLICY),
  INTERNAL(Roles.INTERNAL);

  private final String attributeValue;

  SpanRole(String attributeValue) {
    this.attributeValue = attributeValue;
  }

  /** The value of {@code tierscope.role} that states this role; null for {@link #UNSPECIFIED}. */
  public String attributeValue() {
    return attributeValue;
  }

  /**
   * The role a {@code tierscope.role} value states, or null when the value is absent or not one of
   * the convention's (the role is then inferred).
   */
  public static SpanRole fromAttribute(String value) {
    if (value == null) {
      return null;
    }
    return switch (value) {
      case Roles.CLIENT -> CLIENT;
      case Roles.GATEWAY -> GATEWAY;
      case Roles.MODEL -> MODEL;
      case Roles.RETRIEVAL -> RETRIEVAL;
      case Roles.TOOL -> TOOL;
      case Roles.POLICY -> POLICY;
      case Roles.INTERNAL -> INTERNAL;
      default -> null;
    };
  }

  /**
   * What one span shows about its role when none is stated: a root CLIENT span is the client, a
   * root SERVER span the gateway; a SERVER span with a parent is the gateway only if its parent is
   * the client span, which one span cannot tell, so it stays {@link #UNSPECIFIED} for assembly; any
   * other span takes its role from the operation name ({@link #byOperation}).
   *
   * @param root the span has no parent
   * @param operation {@code gen_ai.operation.name}, empty when absent
   */
  public static SpanRole inferred(SpanKind kind, boolean root, String operation) {
    return inferred(kind, root, operation, null);
  }

  /**
   * {@link #inferred(SpanKind, boolean, String)}, then, for a span the operation name leaves {@link
   * #INTERNAL}, the role a GenAI dialect's span kind gave it ({@link GenAiDialects}), when one did.
   *
   * @param dialectRole the role from a dialect's span kind, null when none
   */
  public static SpanRole inferred(
      SpanKind kind, boolean root, String operation, SpanRole dialectRole) {
    if (kind == SpanKind.CLIENT && root) {
      return CLIENT;
    }
    if (kind == SpanKind.SERVER) {
      return root ? GATEWAY : UNSPECIFIED;
    }
    SpanRole byOperation = byOperation(operation);
    return byOperation == INTERNAL && dialectRole != null ? dialectRole : byOperation;
  }

  /**
   * The role by {@code gen_ai.operation.name} alone: {@code chat}, {@code text_completion}, {@code
   * generate_content} -> model, {@code retrieval} -> retrieval, {@code execute_tool} -> tool,
   * anything else (also empty) -> internal.
   */
  public static SpanRole byOperation(String operation) {
    return switch (operation) {
      case SpanAttributes.OPERATION_CHAT,
          SpanAttributes.OPERATION_TEXT_COMPLETION,
          SpanAttributes.OPERATION_GENERATE_CONTENT ->
          MODEL;
      case SpanAttributes.OPERATION_RETRIEVAL -> RETRIEVAL;
      case SpanAttributes.OPERATION_EXECUTE_TOOL -> TOOL;
      default -> INTERNAL;
    };
  }
}
