package dev.tierscope.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Scanner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

/**
 * Kafka's own {@code kafka-producer-perf-test} ({@code ProducerPerformance} from {@code
 * kafka-tools}, in a child JVM) with records of the same size and compressibility as the real
 * {@code SpanEvent}s the ingest wrote: its {@code --payload-file} holds records read back from the
 * spans topic.
 *
 * <p>The tool reads that file as UTF-8 text split at a delimiter, so raw protobuf (which has bytes
 * over 0x7F and starts every record with 0x0A, a newline) cannot go in as it is. Each byte keeps
 * its low seven bits, and 0x0A becomes 0x0B: the record keeps its length and its repeated structure
 * (field tags, tenant, class and service strings), which is what lz4 finds; the random ids lose one
 * bit per byte, which a match finder does not use. {@link #check} prints both sizes and lz4 ratios,
 * so a reader sees that the baseline's records are as compressible as the real ones rather than
 * random bytes, which lz4 cannot shrink and which would flatter the comparison.
 */
final class ProducerBaseline {

  /** Record values read back from the start of {@code topic}'s partitions. */
  static List<byte[]> sample(String bootstrap, String topic, int partitions, int records) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<byte[]> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int i = 0; i < partitions; i++) {
        all.add(new TopicPartition(topic, i));
      }
      c.assign(all);
      c.seekToBeginning(all);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < records && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          if (values.size() < records) {
            values.add(r.value());
          }
        }
      }
    }
    if (values.isEmpty()) {
      throw new IllegalStateException("no records on " + topic);
    }
    return values;
  }

  /** The payload byte for a record byte: seven bits, never the delimiter. */
  static byte payloadByte(byte b) {
    int v = b & 0x7F;
    return (byte) (v == '\n' ? 0x0B : v);
  }

  /** Writes the records one a line, each byte mapped by {@link #payloadByte}. */
  static void writePayloadFile(List<byte[]> records, Path file) throws IOException {
    try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
      for (byte[] r : records) {
        byte[] line = new byte[r.length];
        for (int i = 0; i < r.length; i++) {
          line[i] = payloadByte(r[i]);
        }
        out.write(line);
        out.write('\n');
      }
    }
  }

  /** The payloads exactly as ProducerPerformance reads the file (UTF-8, a Scanner at "\n"). */
  static List<byte[]> readAsTheToolDoes(Path file) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (Scanner s = new Scanner(file, StandardCharsets.UTF_8)) {
      s.useDelimiter("\n");
      while (s.hasNext()) {
        out.add(s.next().getBytes(StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** Mean bytes per record and Kafka's lz4 compressed/raw over 16 kB batches (its batch.size). */
  record Shape(double meanBytes, double lz4Ratio) {}

  static Shape shape(List<byte[]> records) throws IOException {
    long raw = 0;
    long compressed = 0;
    byte[] batch = new byte[16 * 1024];
    int fill = 0;
    for (byte[] r : records) {
      raw += r.length;
      if (fill + r.length > batch.length) {
        compressed += lz4(batch, fill);
        fill = 0;
      }
      System.arraycopy(r, 0, batch, fill, r.length);
      fill += r.length;
    }
    if (fill > 0) {
      compressed += lz4(batch, fill);
    }
    return new Shape((double) raw / records.size(), (double) compressed / raw);
  }

  /** Bytes after Kafka's own lz4 (the producer's compression.type=lz4). */
  private static int lz4(byte[] data, int length) throws IOException {
    ByteBufferOutputStream buffer = new ByteBufferOutputStream(length + 1024);
    try (var out =
        Compression.lz4().build().wrapForOutput(buffer, RecordBatch.CURRENT_MAGIC_VALUE)) {
      out.write(data, 0, length);
    }
    return buffer.position();
  }

  /**
   * Writes the payload file from {@code records}, reads it back as the tool will, and prints both
   * shapes; fails when the tool would see records of another size.
   */
  static Path check(List<byte[]> records, Path file) throws IOException {
    writePayloadFile(records, file);
    List<byte[]> payloads = readAsTheToolDoes(file);
    Shape real = shape(records);
    Shape payload = shape(payloads);
    System.out.printf(
        "baseline records: %,d real SpanEvents read back from the spans topic: mean %.1f bytes,"
            + " lz4 %.2f of raw; as payloads for the perf test: %,d records, mean %.1f bytes,"
            + " lz4 %.2f of raw (random bytes would be 1.00)%n",
        records.size(),
        real.meanBytes(),
        real.lz4Ratio(),
        payloads.size(),
        payload.meanBytes(),
        payload.lz4Ratio());
    if (payloads.size() != records.size()
        || Math.abs(payload.meanBytes() - real.meanBytes()) > 1e-9) {
      throw new IllegalStateException("the perf test would not see records of the same size");
    }
    return file;
  }

  /** ProducerPerformance with the ingest's producer settings; records/s. */
  static double run(String bootstrap, String topic, long records, Path payloadFile)
      throws Exception {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            "org.apache.kafka.tools.ProducerPerformance",
            "--topic",
            topic,
            "--num-records",
            Long.toString(records),
            "--payload-file",
            payloadFile.toString(),
            "--throughput",
            "-1",
            "--producer-props",
            "bootstrap.servers=" + bootstrap,
            "acks=all",
            "enable.idempotence=true",
            "linger.ms=5",
            "compression.type=lz4");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String last = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.contains("records/sec")) {
          last = line;
        }
      }
    }
    p.waitFor();
    if (last == null) {
      throw new IllegalStateException("ProducerPerformance printed no result");
    }
    System.out.println("  " + last + "  (load " + PipelineBenchmark.loadAverage() + ")");
    Matcher m = Pattern.compile("records sent, ([0-9.]+) records/sec").matcher(last);
    if (!m.find()) {
      throw new IllegalStateException("no records/sec in: " + last);
    }
    return Double.parseDouble(m.group(1));
  }

  private ProducerBaseline() {}
}
