package dev.tierscope.sdk;

import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;

/**
 * Adds the {@link BaggageSpanProcessor} to every OpenTelemetry SDK that OpenTelemetry's
 * autoconfiguration sets up while the SDK jar is on its class path: an application's {@code
 * AutoConfiguredOpenTelemetrySdk}, and the OpenTelemetry Java agent's SDK when the jar is an agent
 * extension ({@code -Dotel.javaagent.extensions=tierscope-sdk.jar}).
 *
 * <p>Registered through {@code META-INF/services}. Turned off with {@code
 * tierscope.sdk.baggage.enabled=false} (or {@code TIERSCOPE_SDK_BAGGAGE_ENABLED=false}); {@code
 * tierscope.sdk.tenant} ({@code TIERSCOPE_SDK_TENANT}) sets a default tenant for spans whose
 * Baggage names none. The standalone Tierscope SDK turns it off for itself: its spans carry their
 * tags already.
 */
public final class TierscopeAutoConfigurationCustomizerProvider
    implements AutoConfigurationCustomizerProvider {

  /**
   * Default tenant of spans whose Baggage names none (environment {@code TIERSCOPE_SDK_TENANT}).
   */
  public static final String TENANT_PROPERTY = "tierscope.sdk.tenant";

  /** Public for {@link java.util.ServiceLoader}. */
  public TierscopeAutoConfigurationCustomizerProvider() {}

  @Override
  public void customize(AutoConfigurationCustomizer autoConfiguration) {
    autoConfiguration.addTracerProviderCustomizer(
        (builder, config) ->
            config.getBoolean(TierscopeBuilder.BAGGAGE_ENABLED_PROPERTY, true)
                ? builder.addSpanProcessor(
                    BaggageSpanProcessor.withDefaultTenant(config.getString(TENANT_PROPERTY)))
                : builder);
  }
}
