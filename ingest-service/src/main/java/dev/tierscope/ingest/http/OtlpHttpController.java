package dev.tierscope.ingest.http;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tierscope.ingest.kafka.PublishRejectedException;
import dev.tierscope.ingest.kafka.SpanPublisher;
import dev.tierscope.ingest.otlp.NormalizedBatch;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * OTLP/HTTP receiver, {@code POST /v1/traces} with {@code application/x-protobuf} (gzip or
 * identity): answers 200 only after Kafka acknowledged every accepted span.
 *
 * <p>Errors follow the OTLP specification so that standard exporters behave: an undecodable body is
 * 400 with a {@code google.rpc.Status} (not retried), a body over the limit 413, Kafka unavailable
 * 503 with {@code Retry-After} (retried), invalid spans a 200 with {@code partial_success} while
 * the valid spans of the request are kept.
 */
@RestController
public class OtlpHttpController {

  private static final Logger log = LoggerFactory.getLogger(OtlpHttpController.class);
  private static final MediaType PROTOBUF = MediaType.parseMediaType("application/x-protobuf");

  private final OtlpSpanNormalizer normalizer;
  private final SpanPublisher publisher;
  private final IngestProperties properties;
  private final IngestMetrics metrics;

  OtlpHttpController(
      OtlpSpanNormalizer normalizer,
      SpanPublisher publisher,
      IngestProperties properties,
      IngestMetrics metrics) {
    this.normalizer = normalizer;
    this.publisher = publisher;
    this.properties = properties;
    this.metrics = metrics;
  }

  @PostMapping(path = "/v1/traces")
  ResponseEntity<byte[]> export(HttpServletRequest request) throws IOException {
    String contentType = request.getContentType();
    if (contentType == null || !PROTOBUF.isCompatibleWith(MediaType.parseMediaType(contentType))) {
      metrics.rejectedRequest("unsupported_media_type");
      return status(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          RpcStatus.INVALID_ARGUMENT,
          "unsupported content type '" + contentType + "'; send application/x-protobuf");
    }
    byte[] body;
    try {
      body = readBody(request);
    } catch (BodyTooLargeException e) {
      metrics.rejectedRequest("too_large");
      return status(HttpStatus.PAYLOAD_TOO_LARGE, RpcStatus.RESOURCE_EXHAUSTED, e.getMessage());
    } catch (UnsupportedEncodingException e) {
      metrics.rejectedRequest("unsupported_encoding");
      return status(HttpStatus.UNSUPPORTED_MEDIA_TYPE, RpcStatus.INVALID_ARGUMENT, e.getMessage());
    } catch (java.util.zip.ZipException e) {
      metrics.rejectedRequest("bad_gzip");
      return status(
          HttpStatus.BAD_REQUEST,
          RpcStatus.INVALID_ARGUMENT,
          "body is not valid gzip: " + e.getMessage());
    }
    metrics.requestSize(body.length);
    ExportTraceServiceRequest export;
    try {
      export = ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      metrics.rejectedRequest("undecodable");
      return status(
          HttpStatus.BAD_REQUEST,
          RpcStatus.INVALID_ARGUMENT,
          "body is not an OTLP ExportTraceServiceRequest: " + e.getMessage());
    }
    NormalizedBatch batch = normalizer.normalize(export);
    metrics.rejected(batch.rejectedByReason());
    metrics.unknownClass(batch.unknownClassSpans());
    long started = System.nanoTime();
    try {
      publisher
          .publish(batch.accepted())
          .get(properties.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (PublishRejectedException | TimeoutException | ExecutionException e) {
      metrics.throttled(batch.accepted().size());
      log.debug("answering 503: {}", e.toString());
      return unavailable(
          "Kafka did not acknowledge the spans in time; retry later ("
              + (e.getCause() != null
                  ? e.getCause().getClass().getSimpleName()
                  : e.getClass().getSimpleName())
              + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unavailable("ingest is shutting down; retry later");
    }
    metrics.produced(System.nanoTime() - started);
    metrics.accepted(batch.accepted().size());
    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
    if (batch.rejectedSpans() > 0) {
      response.setPartialSuccess(
          ExportTracePartialSuccess.newBuilder()
              .setRejectedSpans(batch.rejectedSpans())
              .setErrorMessage(batch.rejectionMessage()));
    }
    return ResponseEntity.ok().contentType(PROTOBUF).body(response.build().toByteArray());
  }

  private byte[] readBody(HttpServletRequest request) throws IOException {
    long limit = properties.maxBodySize().toBytes();
    String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
    InputStream in = request.getInputStream();
    if (encoding != null && !encoding.isBlank() && !encoding.equalsIgnoreCase("identity")) {
      if (!encoding.equalsIgnoreCase("gzip")) {
        throw new UnsupportedEncodingException(
            "unsupported Content-Encoding '" + encoding + "'; send gzip or identity");
      }
      in = new GZIPInputStream(in);
    }
    // Reads at most limit + 1 bytes whatever the declared length: this bounds gzip bombs too.
    byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
    if (body.length > limit) {
      throw new BodyTooLargeException(
          "request body exceeds the limit of " + limit + " bytes (after decompression)");
    }
    return body;
  }

  private ResponseEntity<byte[]> unavailable(String message) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(properties.retryAfter().toSeconds()))
        .contentType(PROTOBUF)
        .body(RpcStatus.encode(RpcStatus.UNAVAILABLE, message));
  }

  private static ResponseEntity<byte[]> status(HttpStatus http, int code, String message) {
    return ResponseEntity.status(http).contentType(PROTOBUF).body(RpcStatus.encode(code, message));
  }

  private static final class BodyTooLargeException extends IOException {
    BodyTooLargeException(String message) {
      super(message);
    }
  }

  private static final class UnsupportedEncodingException extends IOException {
    UnsupportedEncodingException(String message) {
      super(message);
    }
  }
}
