package dev.tierscope.ingest.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import dev.tierscope.ingest.IngestProperties;
import dev.tierscope.ingest.otlp.OtlpJson;
import dev.tierscope.ingest.otlp.OtlpJsonException;
import dev.tierscope.ingest.receiver.ExportOutcome;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.Protocol;
import dev.tierscope.ingest.receiver.TraceReceiver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * OTLP/HTTP receiver, {@code POST /v1/traces}: {@code application/x-protobuf} and {@code
 * application/json}, {@code Content-Encoding} gzip or identity, chunked or with a length. Answers
 * in the request's content type, 200 only after Kafka acknowledged every accepted span.
 *
 * <p>Errors follow the OTLP specification so that standard exporters behave, each with a {@code
 * google.rpc.Status} body (protobuf or JSON, as the request): an undecodable body is 400 (not
 * retried), an unsupported content type or encoding 415, a body over the limit 413 (also when it
 * only grows that large by decompression), invalid spans a 200 with {@code partial_success} while
 * the valid spans of the request are kept, Kafka unavailable 503 and the ingest at its in-flight
 * limit 429, both with {@code Retry-After} (retried by the clients).
 */
@RestController
public class OtlpHttpController {

  static final MediaType PROTOBUF = MediaType.parseMediaType("application/x-protobuf");
  // Not in the OTLP specification, but what some clients send for protobuf.
  private static final MediaType PROTOBUF_ALT = MediaType.parseMediaType("application/protobuf");

  private final TraceReceiver receiver;
  private final IngestProperties properties;
  private final IngestMetrics metrics;

  OtlpHttpController(TraceReceiver receiver, IngestProperties properties, IngestMetrics metrics) {
    this.receiver = receiver;
    this.properties = properties;
    this.metrics = metrics;
  }

  @PostMapping(path = "/v1/traces")
  ResponseEntity<byte[]> export(HttpServletRequest request) throws IOException {
    Protocol protocol = protocolOf(request.getContentType());
    if (protocol == null) {
      // No usable request encoding to mirror: JSON is readable by whoever sent this, unless they
      // asked for protobuf.
      Protocol answerIn =
          acceptsOnlyProtobuf(request.getHeader(HttpHeaders.ACCEPT))
              ? Protocol.HTTP_PROTOBUF
              : Protocol.HTTP_JSON;
      metrics.rejectedRequest(answerIn, "unsupported_media_type");
      return error(
          answerIn,
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          Code.INVALID_ARGUMENT,
          "unsupported content type '"
              + request.getContentType()
              + "'; send application/x-protobuf or application/json");
    }

    byte[] body;
    try {
      body = readBody(request);
    } catch (RefusedBodyException e) {
      metrics.rejectedRequest(protocol, e.reason);
      return error(protocol, e.status, e.code, e.getMessage());
    }
    metrics.requestSize(protocol, body.length);

    ExportTraceServiceRequest export;
    try {
      export =
          protocol == Protocol.HTTP_JSON
              ? OtlpJson.parseExportRequest(body)
              : ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      metrics.rejectedRequest(protocol, "undecodable");
      return error(
          protocol,
          HttpStatus.BAD_REQUEST,
          Code.INVALID_ARGUMENT,
          "body is not a protobuf ExportTraceServiceRequest: " + e.getMessage());
    } catch (OtlpJsonException e) {
      metrics.rejectedRequest(protocol, "undecodable");
      return error(
          protocol,
          HttpStatus.BAD_REQUEST,
          Code.INVALID_ARGUMENT,
          "body is not an OTLP/JSON ExportTraceServiceRequest: " + e.getMessage());
    }

    // Bounded: the receiver's future completes within the acknowledgement timeout.
    ExportOutcome outcome = receiver.export(export, protocol).join();
    return switch (outcome.kind()) {
      case ACCEPTED -> {
        byte[] response =
            protocol == Protocol.HTTP_JSON
                ? OtlpJson.exportResponse(outcome.response())
                : outcome.response().toByteArray();
        yield ResponseEntity.ok().contentType(mediaType(protocol)).body(response);
      }
      case UNAVAILABLE ->
          retryLater(protocol, HttpStatus.SERVICE_UNAVAILABLE, Code.UNAVAILABLE, outcome);
      case AT_CAPACITY ->
          retryLater(protocol, HttpStatus.TOO_MANY_REQUESTS, Code.RESOURCE_EXHAUSTED, outcome);
    };
  }

  /** The OTLP encoding of a Content-Type, or null when it is neither protobuf nor JSON. */
  static Protocol protocolOf(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return null;
    }
    MediaType type;
    try {
      type = MediaType.parseMediaType(contentType);
    } catch (InvalidMediaTypeException e) {
      return null;
    }
    if (PROTOBUF.equalsTypeAndSubtype(type) || PROTOBUF_ALT.equalsTypeAndSubtype(type)) {
      return Protocol.HTTP_PROTOBUF;
    }
    if (MediaType.APPLICATION_JSON.equalsTypeAndSubtype(type)) {
      return Protocol.HTTP_JSON;
    }
    return null;
  }

  private static boolean acceptsOnlyProtobuf(String accept) {
    if (accept == null) {
      return false;
    }
    try {
      for (MediaType type : MediaType.parseMediaTypes(accept)) {
        if (type.isWildcardType() || MediaType.APPLICATION_JSON.isCompatibleWith(type)) {
          return false;
        }
      }
      return accept.contains("protobuf");
    } catch (InvalidMediaTypeException e) {
      return false;
    }
  }

  /**
   * Reads the body, bounded by {@code max-body-size} before and after decompression, whatever the
   * declared length (chunked bodies have none).
   */
  private byte[] readBody(HttpServletRequest request) throws IOException, RefusedBodyException {
    long limit = properties.maxBodySize().toBytes();
    String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
    boolean gzip = false;
    if (encoding != null && !encoding.isBlank()) {
      String e = encoding.trim();
      if (e.equalsIgnoreCase("gzip") || e.equalsIgnoreCase("x-gzip")) {
        gzip = true;
      } else if (!e.equalsIgnoreCase("identity")) {
        throw new RefusedBodyException(
            "unsupported_encoding",
            HttpStatus.UNSUPPORTED_MEDIA_TYPE,
            Code.INVALID_ARGUMENT,
            "unsupported Content-Encoding '" + encoding + "'; send gzip or identity");
      }
    }
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      throw tooLarge(limit, "declared Content-Length " + declared);
    }
    // An I/O error here is the client going away: let it propagate, no one reads the answer.
    byte[] raw =
        request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
    if (raw.length > limit) {
      throw tooLarge(limit, gzip ? "compressed body" : "body");
    }
    if (!gzip || raw.length == 0) {
      return raw;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 8192)) {
      // At most limit + 1 bytes are inflated: this is what bounds a gzip bomb.
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      if (body.length > limit) {
        throw tooLarge(limit, "body after gzip decompression");
      }
      return body;
    } catch (IOException e) {
      throw new RefusedBodyException(
          "bad_gzip",
          HttpStatus.BAD_REQUEST,
          Code.INVALID_ARGUMENT,
          "body is not valid gzip: " + e.getMessage());
    }
  }

  private static RefusedBodyException tooLarge(long limit, String what) {
    return new RefusedBodyException(
        "too_large",
        HttpStatus.PAYLOAD_TOO_LARGE,
        Code.RESOURCE_EXHAUSTED,
        what + " exceeds the limit of " + limit + " bytes (tierscope.ingest.max-body-size)");
  }

  private ResponseEntity<byte[]> retryLater(
      Protocol protocol, HttpStatus status, Code code, ExportOutcome outcome) {
    return ResponseEntity.status(status)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(properties.retryAfterSeconds()))
        .contentType(mediaType(protocol))
        .body(statusBody(protocol, code, outcome.message()));
  }

  private static ResponseEntity<byte[]> error(
      Protocol protocol, HttpStatus status, Code code, String message) {
    return ResponseEntity.status(status)
        .contentType(mediaType(protocol))
        .body(statusBody(protocol, code, message));
  }

  private static byte[] statusBody(Protocol protocol, Code code, String message) {
    if (protocol == Protocol.HTTP_JSON) {
      return OtlpJson.status(code.getNumber(), message);
    }
    return com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber())
        .setMessage(message)
        .build()
        .toByteArray();
  }

  private static MediaType mediaType(Protocol protocol) {
    return protocol == Protocol.HTTP_JSON ? MediaType.APPLICATION_JSON : PROTOBUF;
  }

  /** A body refused before decoding, with the answer to give. */
  private static final class RefusedBodyException extends Exception {
    final String reason;
    final HttpStatus status;
    final Code code;

    RefusedBodyException(String reason, HttpStatus status, Code code, String message) {
      super(message, null, false, false);
      this.reason = reason;
      this.status = status;
      this.code = code;
    }
  }
}
