package dev.tierscope.core.assembly;

/** Which span measured a request's time to first token. */
public enum Vantage {
  NONE,
  CLIENT,
  GATEWAY,
  MODEL
}
