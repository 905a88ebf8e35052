package dev.tierscope.sdk.spring;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code tierscope.sdk.*} properties of the starter.
 *
 * @param enabled whether the starter wires anything (default true)
 * @param mode where the SDK's spans go (default {@code auto})
 * @param tenant the service's tenant ({@code tierscope.tenant}); unset: Tierscope's {@code default}
 * @param stallThreshold a gap between two chunks of a stream longer than this is a stall ({@code
 *     tierscope.stream.stalls}); unset: the SDK's 1 s, the ingest's default; 1 ms to 10 min
 * @param baggage the Baggage span processor
 * @param standalone settings of the standalone SDK, used only in that mode
 * @param springAi tags on Spring AI's observations
 */
@ConfigurationProperties("tierscope.sdk")
public record TierscopeSdkProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("auto") Mode mode,
    String tenant,
    Duration stallThreshold,
    @DefaultValue Baggage baggage,
    @DefaultValue Standalone standalone,
    @DefaultValue SpringAi springAi) {

  /** Where the SDK's spans go. */
  public enum Mode {
    /**
     * The application's {@code OpenTelemetry} bean (Spring Boot's OpenTelemetry support) when there
     * is one, else the global one (the OpenTelemetry Java agent's) when installed, else standalone.
     */
    AUTO,
    /** The application's {@code OpenTelemetry} bean or the global one; start-up fails without. */
    APPLICATION,
    /** The SDK's own OpenTelemetry SDK and OTLP exporter ({@code tierscope.sdk.standalone.*}). */
    STANDALONE
  }

  /**
   * @param enabled whether a {@code BaggageSpanProcessor} bean is defined, which Spring Boot's
   *     OpenTelemetry support adds to its tracer provider (default true)
   */
  public record Baggage(@DefaultValue("true") boolean enabled) {}

  /**
   * Settings of the standalone SDK; unset ones come from the {@code OTEL_*} variables.
   *
   * @param endpoint base URL of the OTLP endpoint, e.g. {@code http://127.0.0.1:4318}
   * @param protocol {@code http/protobuf} or {@code grpc}
   * @param serviceName {@code service.name}; default {@code spring.application.name}
   * @param headers headers of every export request
   */
  public record Standalone(
      String endpoint, String protocol, String serviceName, Map<String, String> headers) {

    public Standalone {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
  }

  /**
   * Tags on Spring AI's chat-client ({@code spring.ai.chat.client}) and chat-model ({@code
   * gen_ai.client.operation}) observations.
   *
   * @param enabled whether they are tagged (default true; only when Spring AI is present)
   * @param trafficClass class of chat calls made outside a tagged request; unset: none
   * @param workflow workflow of chat calls made outside a tagged request; unset: none
   */
  public record SpringAi(
      @DefaultValue("true") boolean enabled, String trafficClass, String workflow) {}
}
