package dev.tierscope.ingest.receiver;

/**
 * The OTLP transport and encoding a request came in with; its {@link #tag()} is the {@code
 * protocol} tag of the ingest's metrics and matches {@code OTEL_EXPORTER_OTLP_PROTOCOL}.
 */
public enum Protocol {
  GRPC("grpc"),
  HTTP_PROTOBUF("http/protobuf"),
  HTTP_JSON("http/json");

  private final String tag;

  Protocol(String tag) {
    this.tag = tag;
  }

  /** {@code grpc}, {@code http/protobuf} or {@code http/json}. */
  public String tag() {
    return tag;
  }
}
