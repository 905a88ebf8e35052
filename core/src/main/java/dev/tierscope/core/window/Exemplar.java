package dev.tierscope.core.window;

/**
 * One of the slowest requests of a window, so that a dashboard can link a percentile to a trace.
 *
 * @param traceId 32 hex characters
 * @param ttftMicros the request's time to first token in microseconds
 */
public record Exemplar(String traceId, long ttftMicros) {}
