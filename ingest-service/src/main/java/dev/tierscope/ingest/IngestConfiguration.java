package dev.tierscope.ingest;

import dev.tierscope.auth.AccessControl;
import dev.tierscope.auth.Listener;
import dev.tierscope.boot.SpansProperties;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.ingest.grpc.OtlpGrpcServer;
import dev.tierscope.ingest.http.OtlpHttpHandler;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.ingest.publish.KafkaSpanPublisher;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.TraceReceiver;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Wires the otlp-receiver library from {@code tierscope.ingest.*} and the shared {@code
 * tierscope.spans.*}: normaliser, Kafka publisher (Boot's producer factory, {@code
 * spring.kafka.producer.*}), the transport-independent {@link TraceReceiver}, the OTLP/HTTP handler
 * (served by {@link OtlpHttpController}), the gRPC server (on {@code grpc-address}, TLS from an SSL
 * bundle) and the Micrometer meters; both transports ask the {@link AccessControl} of {@code
 * tierscope.auth.*}. Nothing here decides anything about spans.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(IngestProperties.class)
class IngestConfiguration {

  /** Name of the environment property carrying the bound OTLP/gRPC port. */
  static final String LOCAL_GRPC_PORT_PROPERTY = "local.grpc.port";

  @Bean
  NewTopic ingestSpansTopic(SpansProperties spans) {
    return new NewTopic(spans.topic(), spans.partitions(), spans.replicationFactor());
  }

  @Bean
  OtlpSpanNormalizer otlpSpanNormalizer(TrafficClasses classes, IngestProperties p) {
    return new OtlpSpanNormalizer(
        classes,
        p.maxAttributesPerSpan(),
        p.unknownClass(),
        new SpanTimeBounds(p.maxFutureSkew(), p.maxAge()),
        Clock.systemUTC(),
        p.stallThreshold());
  }

  @Bean(destroyMethod = "close")
  @SuppressWarnings("unchecked")
  Producer<byte[], byte[]> spanProducer(ProducerFactory<?, ?> factory) {
    return (Producer<byte[], byte[]>) factory.createProducer();
  }

  @Bean
  KafkaSpanPublisher spanPublisher(
      Producer<byte[], byte[]> spanProducer,
      SpansProperties spans,
      IngestProperties p,
      MeterRegistry registry) {
    KafkaSpanPublisher publisher =
        new KafkaSpanPublisher(spanProducer, spans.topic(), p.maxInFlight().toBytes());
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
      TraceReceiver receiver, IngestMetrics metrics, IngestProperties p, AccessControl access) {
    return new OtlpHttpHandler(
        receiver, metrics, p.maxBodySize().toBytes(), p.retryAfter(), access);
  }

  /** The OTLP/gRPC socket, which the {@code none} mode requires on loopback. */
  @Bean
  @ConditionalOnProperty(
      name = "tierscope.ingest.grpc-enabled",
      havingValue = "true",
      matchIfMissing = true)
  Listener otlpGrpcListener(IngestProperties p) {
    return new Listener("OTLP/gRPC", "tierscope.ingest.grpc-address", p.grpcAddress());
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
      AccessControl access,
      SslBundles sslBundles,
      ConfigurableEnvironment environment) {
    return new GrpcLifecycle(
        new OtlpGrpcServer(
            receiver,
            metrics,
            new InetSocketAddress(p.grpcAddress(), p.grpcPort()),
            (int) p.maxBodySize().toBytes(),
            p.retryAfter(),
            access,
            grpcCredentials(p, sslBundles)),
        p.grpcPort(),
        environment);
  }

  /** TLS with the key and certificate of {@code grpc-ssl-bundle}, or plaintext without one. */
  static ServerCredentials grpcCredentials(IngestProperties p, SslBundles sslBundles) {
    if (p.grpcSslBundle() == null) {
      return InsecureServerCredentials.create();
    }
    try {
      return TlsServerCredentials.newBuilder()
          .keyManager(
              sslBundles
                  .getBundle(p.grpcSslBundle())
                  .getManagers()
                  .getKeyManagerFactory()
                  .getKeyManagers())
          .build();
    } catch (NoSuchSslBundleException e) {
      throw new IllegalStateException(
          "tierscope.ingest.grpc-ssl-bundle names '"
              + p.grpcSslBundle()
              + "', which no spring.ssl.bundle.* defines",
          e);
    }
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
            "OTLP/gRPC could not bind port "
                + requestedPort
                + " (tierscope.ingest.grpc-address, grpc-port)",
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
