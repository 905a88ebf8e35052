package dev.tierscope.sdk;

/** The OTLP transport, as named by {@code OTEL_EXPORTER_OTLP_PROTOCOL}. */
public enum OtlpProtocol {
  /** OTLP/HTTP with protobuf bodies, default port 4318, path {@code /v1/traces}. */
  HTTP_PROTOBUF("http/protobuf", "http://localhost:4318"),
  /** OTLP/gRPC, default port 4317. */
  GRPC("grpc", "http://localhost:4317");

  private final String value;
  private final String defaultEndpoint;

  OtlpProtocol(String value, String defaultEndpoint) {
    this.value = value;
    this.defaultEndpoint = defaultEndpoint;
  }

  /** The name used by the OpenTelemetry environment variables. */
  public String value() {
    return value;
  }

  /** The base endpoint used when none is configured. */
  public String defaultEndpoint() {
    return defaultEndpoint;
  }

  /**
   * The protocol named {@code value} ({@code http/protobuf} or {@code grpc}).
   *
   * @throws IllegalArgumentException for any other value, including {@code http/json}, which the
   *     OpenTelemetry Java exporter does not send
   */
  public static OtlpProtocol fromValue(String value) {
    for (OtlpProtocol p : values()) {
      if (p.value.equals(value)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "OTLP protocol must be http/protobuf or grpc, got '" + value + "'");
  }
}
