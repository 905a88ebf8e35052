package dev.tierscope.auth;

import java.util.Locale;

/**
 * What a caller may do. A token names its scopes; the {@code none} mode grants all of them to
 * everyone (on loopback only).
 */
public enum Scope {
  /** Send spans: OTLP/HTTP {@code POST /v1/traces} and OTLP/gRPC {@code TraceService/Export}. */
  INGEST,
  /** Read the REST API under {@code /api/}, including the Prometheus scrape endpoint. */
  READ,
  /**
   * The management endpoints other than health (metrics, Prometheus, info) on the management port.
   */
  ADMIN;

  /** The lowercase word used in the token file and in messages: {@code ingest}, {@code read}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The scope of a word of the token file.
   *
   * @throws IllegalArgumentException naming the known scopes
   */
  public static Scope of(String word) {
    for (Scope s : values()) {
      if (s.word().equals(word)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scope '" + word + "'; known scopes: ingest, read, admin");
  }
}
