package dev.tierscope.ingest;

import dev.tierscope.boot.SpansProperties;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The ingest's readiness: {@code kafka} ({@link KafkaReadiness}, probing the spans topic of {@code
 * tierscope.spans.topic}) in the {@code readiness} health group, so that a load balancer stops
 * sending spans that would only be answered 503.
 */
@Configuration(proxyBeanMethods = false)
class IngestHealthConfiguration {

  @Bean
  KafkaReadiness kafka(
      KafkaAdmin kafkaAdmin,
      SpansProperties spans,
      @Value("${tierscope.ingest.health.kafka-probe-interval:5s}") Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(
          "tierscope.ingest.health.kafka-probe-interval must be > 0, was " + interval);
    }
    return new KafkaReadiness(kafkaAdmin.getConfigurationProperties(), spans.topic(), interval);
  }
}
