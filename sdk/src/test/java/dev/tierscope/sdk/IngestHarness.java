package dev.tierscope.sdk;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.ingest.grpc.OtlpGrpcServer;
import dev.tierscope.ingest.http.OtlpHttpHandler;
import dev.tierscope.ingest.http.OtlpHttpServer;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.ingest.publish.KafkaSpanPublisher;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.TraceReceiver;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.wire.v1.SpanEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ingest's OTLP receiver (the otlp-receiver library the ingest application runs, with its
 * producer settings and limits) on free ports, writing to a fresh topic on the shared test broker,
 * and a consumer that decodes what it produced. Shared with the simulator's ITs (test-jar).
 */
public final class IngestHarness implements AutoCloseable {

  private static final int PARTITIONS = 3;
  private static final int MAX_BODY_BYTES = 16 << 20;
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final OtlpHttpServer http;
  private final OtlpGrpcServer grpc;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<SpanEvent> received = new ArrayList<>();

  public IngestHarness() {
    topic = TestInfra.uniqueName("sdk_spans");
    TestInfra.createTopic(topic, PARTITIONS);
    // The ingest application's producer settings (tierscope-ingest.properties).
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfra.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                2_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                20_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    TraceReceiver receiver =
        new TraceReceiver(
            new OtlpSpanNormalizer(TrafficClasses.defaults()),
            new KafkaSpanPublisher(producer, topic, 24 << 20),
            IngestMetrics.NOOP,
            ACK_TIMEOUT);
    try {
      http =
          OtlpHttpServer.start(
              new OtlpHttpHandler(receiver, IngestMetrics.NOOP, MAX_BODY_BYTES, RETRY_AFTER),
              new InetSocketAddress("127.0.0.1", 0),
              8);
    } catch (IOException e) {
      producer.close();
      throw new UncheckedIOException(e);
    }
    grpc = new OtlpGrpcServer(receiver, IngestMetrics.NOOP, 0, MAX_BODY_BYTES, RETRY_AFTER);
    grpc.start();
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfra.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new TopicPartition(topic, p));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  public String httpBaseUrl() {
    return "http://127.0.0.1:" + http.port();
  }

  public String grpcBaseUrl() {
    return "http://127.0.0.1:" + grpc.port();
  }

  /** A Tierscope instance exporting to this ingest with short delays, for tests. */
  public Tierscope tierscope(OtlpProtocol protocol, String service, String tenant) {
    return Tierscope.builder()
        .protocol(protocol)
        .endpoint(protocol == OtlpProtocol.GRPC ? grpcBaseUrl() : httpBaseUrl())
        .serviceName(service)
        .tenant(tenant)
        .scheduleDelay(Duration.ofMillis(20))
        .build();
  }

  /**
   * The spans of {@code traceIdHex} once {@code expected} of them arrived (by span id, first
   * arrival), failing after 30 s.
   */
  public Map<String, SpanEvent> awaitTrace(String traceIdHex, int expected) {
    ByteString traceId = ByteString.copyFrom(HexFormat.of().parseHex(traceIdHex));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Map<String, SpanEvent> spans =
          received.stream()
              .filter(e -> e.getTraceId().equals(traceId))
              .collect(Collectors.toMap(e -> hex(e.getSpanId()), e -> e, (first, second) -> first));
      if (spans.size() >= expected) {
        return spans;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "trace " + traceIdHex + ": " + spans.size() + " of " + expected + " spans arrived");
      }
      poll();
    }
  }

  /**
   * The received spans that match {@code filter}, once at least {@code expected} of them arrived
   * (failing after 60 s).
   */
  public List<SpanEvent> awaitSpans(Predicate<SpanEvent> filter, int expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      List<SpanEvent> matched = received.stream().filter(filter).toList();
      if (matched.size() >= expected) {
        return matched;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(matched.size() + " of " + expected + " spans arrived");
      }
      poll();
    }
  }

  private void poll() {
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
      try {
        SpanEvent event = SpanEvent.parseFrom(record.value());
        if (!ByteString.copyFrom(record.key()).equals(event.getTraceId())) {
          throw new AssertionError("record key is not the trace id of " + event);
        }
        received.add(event);
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("undecodable record on " + topic, e);
      }
    }
  }

  public static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
    grpc.close();
    http.close();
    producer.close(Duration.ofSeconds(5));
  }
}
