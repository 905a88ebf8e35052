package dev.tierscope.ingest.http;

import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.ingest.kafka.KafkaSpanPublisher;
import dev.tierscope.ingest.kafka.SpanPublisher;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ProducerFactory;

/** Wires the OTLP receiver: normaliser, Kafka publisher (Boot's producer factory), metrics. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(IngestProperties.class)
public class IngestConfiguration {

  @Bean
  NewTopic ingestSpansTopic(IngestProperties p) {
    return new NewTopic(p.topic(), p.partitions(), p.replicationFactor());
  }

  @Bean
  OtlpSpanNormalizer otlpSpanNormalizer(TrafficClasses classes, IngestProperties p) {
    return new OtlpSpanNormalizer(classes, p.maxAttributesPerSpan());
  }

  @Bean(destroyMethod = "close")
  @SuppressWarnings("unchecked")
  Producer<byte[], byte[]> spanProducer(ProducerFactory<?, ?> factory) {
    return (Producer<byte[], byte[]>) factory.createProducer();
  }

  @Bean
  SpanPublisher spanPublisher(Producer<byte[], byte[]> spanProducer, IngestProperties p) {
    return new KafkaSpanPublisher(spanProducer, p.topic());
  }

  @Bean
  IngestMetrics ingestMetrics(MeterRegistry registry) {
    return new IngestMetrics(registry);
  }
}
