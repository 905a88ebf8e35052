package dev.tierscope.ingest;

import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.ingest.grpc.OtlpGrpcServer;
import dev.tierscope.ingest.http.OtlpHttpHandler;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.ingest.publish.KafkaSpanPublisher;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.TraceReceiver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Wires the otlp-receiver library from {@code tierscope.ingest.*}: normaliser, Kafka publisher
 * (Boot's producer factory, {@code spring.kafka.producer.*}), the transport-independent {@link
 * TraceReceiver}, the OTLP/HTTP handler (served by {@link OtlpHttpController}), the gRPC server and
 * the Micrometer meters. Nothing here decides anything about spans.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(IngestProperties.class)
class IngestConfiguration {

  /** Name of the environment property carrying the bound OTLP/gRPC port. */
  static final String LOCAL_GRPC_PORT_PROPERTY = "local.grpc.port";

  @Bean
  NewTopic ingestSpansTopic(IngestProperties p) {
    return new NewTopic(p.topic(), p.partitions(), p.replicationFactor());
  }

  @Bean
  OtlpSpanNormalizer otlpSpanNormalizer(TrafficClasses classes, IngestProperties p) {
    return new OtlpSpanNormalizer(
        classes,
        p.maxAttributesPerSpan(),
        p.unknownClass(),
        new SpanTimeBounds(p.maxFutureSkew(), p.maxAge()),
        Clock.systemUTC());
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
    return new MicrometerIngestMetrics(registry);
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
  OtlpHttpHandler otlpHttpHandler(
      TraceReceiver receiver, IngestMetrics metrics, IngestProperties p) {
    return new OtlpHttpHandler(receiver, metrics, p.maxBodySize().toBytes(), p.retryAfter());
  }

  @Bean
  @ConditionalOnProperty(
      name = "tierscope.ingest.grpc-enabled",
      havingValue = "true",
      matchIfMissing = true)
  GrpcLifecycle otlpGrpcServer(
      TraceReceiver receiver,
      IngestMetrics metrics,
      IngestProperties p,
      ConfigurableEnvironment environment) {
    return new GrpcLifecycle(
        new OtlpGrpcServer(
            receiver, metrics, p.grpcPort(), (int) p.maxBodySize().toBytes(), p.retryAfter()),
        p.grpcPort(),
        environment);
  }

  /**
   * Starts and stops the gRPC server with the context, and publishes its bound port as {@value
   * #LOCAL_GRPC_PORT_PROPERTY} (like {@code local.server.port}), so that {@code grpc-port=0} works
   * for tests and launchers.
   */
  static final class GrpcLifecycle implements SmartLifecycle {
    private final OtlpGrpcServer server;
    private final int requestedPort;
    private final ConfigurableEnvironment environment;

    GrpcLifecycle(OtlpGrpcServer server, int requestedPort, ConfigurableEnvironment environment) {
      this.server = server;
      this.requestedPort = requestedPort;
      this.environment = environment;
    }

    @Override
    public void start() {
      try {
        server.start();
      } catch (IllegalStateException e) {
        throw new IllegalStateException(
            "OTLP/gRPC could not bind port " + requestedPort + " (tierscope.ingest.grpc-port)",
            e.getCause());
      }
      environment
          .getPropertySources()
          .addFirst(
              new MapPropertySource(
                  "tierscope.ingest.grpc", Map.of(LOCAL_GRPC_PORT_PROPERTY, server.port())));
    }

    @Override
    public void stop() {
      server.stop();
    }

    @Override
    public boolean isRunning() {
      return server.isRunning();
    }
  }
}
