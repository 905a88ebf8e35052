package dev.tierscope.sdk.spring;

import dev.tierscope.sdk.BaggageSpanProcessor;
import dev.tierscope.sdk.OtlpProtocol;
import dev.tierscope.sdk.Tierscope;
import dev.tierscope.sdk.TierscopeBuilder;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the Tierscope SDK: a {@link Tierscope} bean (on the application's OpenTelemetry, or
 * standalone), a {@link BaggageSpanProcessor} bean for Spring Boot's OpenTelemetry tracer provider,
 * and the tags on Spring AI's chat observations. Spring only wires here; what a span means lives in
 * the SDK.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
      "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure"
          + ".OpenTelemetryTracingAutoConfiguration"
    })
@ConditionalOnBooleanProperty(name = "tierscope.sdk.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TierscopeSdkProperties.class)
public class TierscopeSdkAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Tierscope tierscope(
      TierscopeSdkProperties properties,
      ObjectProvider<OpenTelemetry> openTelemetry,
      Environment environment) {
    TierscopeSdkProperties.Mode mode = properties.mode();
    if (mode != TierscopeSdkProperties.Mode.STANDALONE) {
      OpenTelemetry application = openTelemetry.getIfUnique();
      if (application != null) {
        return common(Tierscope.builder().openTelemetry(application), properties).build();
      }
      if (GlobalOpenTelemetry.isSet()) {
        return common(Tierscope.builder().globalOpenTelemetry(), properties).build();
      }
      if (mode == TierscopeSdkProperties.Mode.APPLICATION) {
        throw new IllegalStateException(
            "tierscope.sdk.mode=application needs an OpenTelemetry bean (Spring Boot's"
                + " OpenTelemetry support) or the OpenTelemetry Java agent; found neither");
      }
    }
    return standalone(properties, environment);
  }

  /** The settings of every mode: the tenant and the stall threshold. */
  private static TierscopeBuilder common(TierscopeBuilder b, TierscopeSdkProperties properties) {
    b.tenant(properties.tenant());
    if (properties.stallThreshold() != null) {
      // build() refuses a threshold outside 1 ms to 10 min, naming it: start-up fails.
      b.stallThreshold(properties.stallThreshold());
    }
    return b;
  }

  private static Tierscope standalone(TierscopeSdkProperties properties, Environment environment) {
    TierscopeSdkProperties.Standalone s = properties.standalone();
    TierscopeBuilder b = common(Tierscope.builder(), properties);
    if (s.endpoint() != null) {
      b.endpoint(s.endpoint());
    }
    if (s.protocol() != null) {
      try {
        b.protocol(OtlpProtocol.fromValue(s.protocol()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "tierscope.sdk.standalone.protocol: " + e.getMessage(), e);
      }
    }
    String service =
        s.serviceName() != null
            ? s.serviceName()
            : environment.getProperty("spring.application.name");
    if (service != null) {
      b.serviceName(service);
    }
    s.headers().forEach(b::header);
    return b.build();
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnClass(name = "io.opentelemetry.sdk.trace.SpanProcessor")
  @ConditionalOnBooleanProperty(name = "tierscope.sdk.baggage.enabled", matchIfMissing = true)
  BaggageSpanProcessor tierscopeBaggageSpanProcessor(TierscopeSdkProperties properties) {
    return BaggageSpanProcessor.withDefaultTenant(properties.tenant());
  }

  /** Tags Spring AI's chat observations, when Spring AI is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.ai.chat.client.observation.ChatClientObservationContext")
  @ConditionalOnBooleanProperty(name = "tierscope.sdk.spring-ai.enabled", matchIfMissing = true)
  static class SpringAiTags {

    @Bean
    @ConditionalOnMissingBean
    SpringAiObservationTagger tierscopeSpringAiObservationTagger(
        TierscopeSdkProperties properties) {
      return new SpringAiObservationTagger(
          properties.springAi().trafficClass(),
          properties.springAi().workflow(),
          properties.tenant());
    }
  }
}
