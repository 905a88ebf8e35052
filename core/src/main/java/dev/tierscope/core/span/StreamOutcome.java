package dev.tierscope.core.span;

/** How a streamed response ended (SPAN-CONVENTIONS.md, "Streams"). */
public enum StreamOutcome {
  /** Not a stream, or nothing reported. */
  NONE,
  COMPLETED,
  /** Broke after it started: reset, timeout, upstream error. */
  INTERRUPTED,
  /** The user stopped it; not an interruption. */
  CANCELLED
}
