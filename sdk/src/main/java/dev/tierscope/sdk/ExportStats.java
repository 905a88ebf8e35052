package dev.tierscope.sdk;

/**
 * What happened to the spans a {@link Tierscope} instance ended so far; every count is a number of
 * spans since the instance was built.
 *
 * @param ended spans ended by the application
 * @param dropped spans dropped because the export queue was full (the application was never blocked
 *     for them)
 * @param exported spans the endpoint acknowledged
 * @param failed spans whose export failed after the exporter's own retries (endpoint unreachable,
 *     rejected, timed out)
 * @param pending spans queued or in flight: {@code ended - dropped - exported - failed}
 */
public record ExportStats(long ended, long dropped, long exported, long failed, long pending) {

  /** Spans that never reached the endpoint: {@code dropped + failed}. */
  public long lost() {
    return dropped + failed;
  }
}
