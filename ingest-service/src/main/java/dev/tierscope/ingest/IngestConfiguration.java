package dev.tierscope.ingest;

import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.ingest.grpc.OtlpGrpcServer;
import dev.tierscope.ingest.kafka.KafkaSpanPublisher;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.TraceReceiver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Wires the OTLP receivers: normaliser, Kafka publisher (Boot's producer factory, {@code
 * spring.kafka.producer.*}), the transport-independent {@link TraceReceiver}, the gRPC server and
 * the metrics. The HTTP controller is found by component scan.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(IngestProperties.class)
public class IngestConfiguration {

  @Bean
  NewTopic ingestSpansTopic(IngestProperties p) {
    return new NewTopic(p.topic(), p.partitions(), p.replicationFactor());
  }

  @Bean
  OtlpSpanNormalizer otlpSpanNormalizer(TrafficClasses classes, IngestProperties p) {
    return new OtlpSpanNormalizer(classes, p.maxAttributesPerSpan(), p.unknownClass());
  }

  @Bean(destroyMethod = "close")
  @SuppressWarnings("unchecked")
  Producer<byte[], byte[]> spanProducer(ProducerFactory<?, ?> factory) {
    return (Producer<byte[], byte[]>) factory.createProducer();
  }

  @Bean
  KafkaSpanPublisher spanPublisher(
      Producer<byte[], byte[]> spanProducer, IngestProperties p, MeterRegistry registry) {
    KafkaSpanPublisher publisher =
        new KafkaSpanPublisher(spanProducer, p.topic(), p.maxInFlight().toBytes());
    Gauge.builder("tierscope.ingest.kafka.in_flight", publisher, KafkaSpanPublisher::inFlightBytes)
        .baseUnit("bytes")
        .description("bytes handed to the producer and not yet acknowledged")
        .register(registry);
    return publisher;
  }

  @Bean
  IngestMetrics ingestMetrics(MeterRegistry registry) {
    return new IngestMetrics(registry);
  }

  @Bean
  TraceReceiver traceReceiver(
      OtlpSpanNormalizer normalizer,
      KafkaSpanPublisher publisher,
      IngestMetrics metrics,
      IngestProperties p) {
    return new TraceReceiver(normalizer, publisher, metrics, p.ackTimeout());
  }

  @Bean
  @ConditionalOnProperty(
      name = "tierscope.ingest.grpc-enabled",
      havingValue = "true",
      matchIfMissing = true)
  OtlpGrpcServer otlpGrpcServer(
      TraceReceiver receiver,
      IngestMetrics metrics,
      IngestProperties p,
      ConfigurableEnvironment environment) {
    return new OtlpGrpcServer(
        receiver,
        metrics,
        p.grpcPort(),
        (int) p.maxBodySize().toBytes(),
        p.retryAfter(),
        environment);
  }
}
