package dev.tierscope.core.span;

/** The part a span plays in a request (SPAN-CONVENTIONS.md, "Which span plays which role"). */
public enum SpanRole {
  /** Not stated and not decidable from the span alone: a SERVER span with a parent. */
  UNSPECIFIED,
  CLIENT,
  GATEWAY,
  MODEL,
  RETRIEVAL,
  TOOL,
  POLICY,
  INTERNAL
}
