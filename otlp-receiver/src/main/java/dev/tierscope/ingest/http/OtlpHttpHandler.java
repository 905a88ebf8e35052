package dev.tierscope.ingest.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import dev.tierscope.auth.Access;
import dev.tierscope.auth.AccessControl;
import dev.tierscope.auth.Credentials;
import dev.tierscope.auth.Scope;
import dev.tierscope.ingest.otlp.OtlpJson;
import dev.tierscope.ingest.otlp.OtlpJsonException;
import dev.tierscope.ingest.receiver.ExportOutcome;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.Protocol;
import dev.tierscope.ingest.receiver.TraceReceiver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

/**
 * OTLP/HTTP, {@code POST /v1/traces}, independent of the HTTP server that carries it: {@code
 * application/x-protobuf} and {@code application/json}, {@code Content-Encoding} gzip or identity,
 * chunked or with a length. Answers in the request's content type, 200 only after Kafka
 * acknowledged every accepted span.
 *
 * <p>Errors follow the OTLP specification so that standard exporters behave, each with a {@code
 * google.rpc.Status} body (protobuf or JSON, as the request): a request without valid credentials
 * is 401 (with {@code WWW-Authenticate: Bearer}), one whose token lacks the {@code ingest} scope or
 * names a tenant that is not the caller's 403, one that names no tenant or several where one is
 * needed 400, all before the body is read ({@link AccessControl}); an undecodable body is 400 (not
 * retried), an unsupported content type or encoding 415, a body over the limit 413 (also when it
 * only grows that large by decompression), invalid spans a 200 with {@code partial_success} while
 * the valid spans of the request are kept, Kafka unavailable 503 and the receiver at its in-flight
 * limit 429, both with {@code Retry-After} (retried by the clients).
 *
 * <p>Why a server-independent handler: the ingest application serves it through Spring MVC, tests
 * and embedders through the JDK's HTTP server ({@link OtlpHttpServer}); the rules stay in one
 * place. It blocks the calling thread until the answer is known, which the receiver bounds by its
 * acknowledgement timeout.
 *
 * <pre>{@code
 * OtlpHttpHandler.Answer answer =
 *     handler.handle(credentials, contentType, accept, contentEncoding, contentLength, body);
 * response.status(answer.status()).contentType(answer.contentType()).body(answer.body());
 * }</pre>
 */
public final class OtlpHttpHandler {

  /** The OTLP/HTTP path of traces. */
  public static final String PATH = "/v1/traces";

  static final String PROTOBUF = "application/x-protobuf";
  // Not in the OTLP specification, but what some clients send for protobuf.
  private static final String PROTOBUF_ALT = "application/protobuf";
  static final String JSON = "application/json";

  /**
   * The answer to send.
   *
   * @param status HTTP status
   * @param contentType the body's media type
   * @param retryAfterSeconds the {@code Retry-After} header in whole seconds, -1 for none
   * @param authenticate the {@code WWW-Authenticate} header of a 401, null for none
   * @param body the response body
   */
  public record Answer(
      int status, String contentType, long retryAfterSeconds, String authenticate, byte[] body) {}

  /** The {@code WWW-Authenticate} challenge of a 401: a bearer token (RFC 6750). */
  public static final String BEARER_CHALLENGE = "Bearer realm=\"tierscope\"";

  private final TraceReceiver receiver;
  private final AccessControl access;
  private final IngestMetrics metrics;
  private final long maxBodyBytes;
  private final long retryAfterSeconds;

  /**
   * @param maxBodyBytes largest accepted body, before and after decompression
   * @param retryAfter sent as {@code Retry-After} (whole seconds, rounded up) with 503 and 429
   */
  public OtlpHttpHandler(
      TraceReceiver receiver, IngestMetrics metrics, long maxBodyBytes, Duration retryAfter) {
    this(receiver, metrics, maxBodyBytes, retryAfter, AccessControl.none());
  }

  /**
   * @param maxBodyBytes largest accepted body, before and after decompression
   * @param retryAfter sent as {@code Retry-After} (whole seconds, rounded up) with 503 and 429
   * @param access who may export, and for which tenant
   */
  public OtlpHttpHandler(
      TraceReceiver receiver,
      IngestMetrics metrics,
      long maxBodyBytes,
      Duration retryAfter,
      AccessControl access) {
    if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "maxBodyBytes must be between 1 and "
              + (Integer.MAX_VALUE - 8)
              + ", got "
              + maxBodyBytes);
    }
    this.receiver = receiver;
    this.access = access;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
    this.retryAfterSeconds = retryAfterSeconds(retryAfter);
  }

  /** A delay in whole seconds, rounded up: the value of the Retry-After header. */
  static long retryAfterSeconds(Duration retryAfter) {
    long seconds = retryAfter.toSeconds();
    return retryAfter.toNanosPart() > 0 ? seconds + 1 : seconds;
  }

  /**
   * Handles one export request that presents no credentials: accepted only in the {@code none}
   * mode.
   *
   * @see #handle(Credentials, String, String, String, long, InputStream)
   */
  public Answer handle(
      String contentType,
      String accept,
      String contentEncoding,
      long declaredLength,
      InputStream body)
      throws IOException {
    return handle(
        new Credentials(null, null, java.util.List.of(), null),
        contentType,
        accept,
        contentEncoding,
        declaredLength,
        body);
  }

  /**
   * Handles one export request.
   *
   * @param credentials the request's {@code Authorization} and {@code X-Scope-OrgID} headers,
   *     {@code tenant} query parameters and peer address
   * @param contentType the {@code Content-Type} header, null when missing
   * @param accept the {@code Accept} header, null when missing
   * @param contentEncoding the {@code Content-Encoding} header, null when missing
   * @param declaredLength the {@code Content-Length}, -1 when unknown (chunked)
   * @param body the request body; read at most to the limit
   * @throws IOException when reading the body fails (the client went away; nobody reads the answer)
   */
  public Answer handle(
      Credentials credentials,
      String contentType,
      String accept,
      String contentEncoding,
      long declaredLength,
      InputStream body)
      throws IOException {
    Protocol protocol = protocolOf(contentType);
    Access decision = access.checkOneTenant(credentials, Scope.INGEST);
    if (decision instanceof Access.Refused refused) {
      // Before the body is read: a stranger's bytes are not decompressed or parsed.
      Protocol answerIn =
          protocol != null
              ? protocol
              : MediaTypes.acceptsOnlyProtobuf(accept)
                  ? Protocol.HTTP_PROTOBUF
                  : Protocol.HTTP_JSON;
      metrics.rejectedRequest(answerIn, refused.reason().key());
      return new Answer(
          refused.reason().httpStatus(),
          mediaType(answerIn),
          -1,
          refused.reason() == Access.Reason.UNAUTHENTICATED ? BEARER_CHALLENGE : null,
          statusBody(answerIn, codeOf(refused.reason()), refused.message()));
    }
    Access.Granted granted = (Access.Granted) decision;
    String tenant = granted.tenant();
    // the tenant is the caller's identity unless nobody was identified (the none mode)
    boolean authenticated = !granted.caller().anonymous();
    if (protocol == null) {
      // No usable request encoding to mirror: JSON is readable by whoever sent this, unless they
      // asked for protobuf.
      Protocol answerIn =
          MediaTypes.acceptsOnlyProtobuf(accept) ? Protocol.HTTP_PROTOBUF : Protocol.HTTP_JSON;
      metrics.rejectedRequest(answerIn, "unsupported_media_type");
      return error(
          answerIn,
          415,
          Code.INVALID_ARGUMENT,
          "unsupported content type '"
              + contentType
              + "'; send application/x-protobuf or application/json");
    }

    byte[] bytes;
    try {
      bytes = readBody(contentEncoding, declaredLength, body);
    } catch (RefusedBodyException e) {
      metrics.rejectedRequest(protocol, e.reason);
      return error(protocol, e.status, e.code, e.getMessage());
    }
    metrics.requestSize(protocol, bytes.length);

    ExportTraceServiceRequest export;
    try {
      export =
          protocol == Protocol.HTTP_JSON
              ? OtlpJson.parseExportRequest(bytes)
              : ExportTraceServiceRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      metrics.rejectedRequest(protocol, "undecodable");
      return error(
          protocol,
          400,
          Code.INVALID_ARGUMENT,
          "body is not a protobuf ExportTraceServiceRequest: " + e.getMessage());
    } catch (OtlpJsonException e) {
      metrics.rejectedRequest(protocol, "undecodable");
      return error(
          protocol,
          400,
          Code.INVALID_ARGUMENT,
          "body is not an OTLP/JSON ExportTraceServiceRequest: " + e.getMessage());
    }

    // Bounded: the receiver's future completes within the acknowledgement timeout.
    ExportOutcome outcome = receiver.export(export, protocol, tenant, authenticated).join();
    return switch (outcome.kind()) {
      case ACCEPTED ->
          new Answer(
              200,
              mediaType(protocol),
              -1,
              null,
              protocol == Protocol.HTTP_JSON
                  ? OtlpJson.exportResponse(outcome.response())
                  : outcome.response().toByteArray());
      case UNAVAILABLE ->
          new Answer(
              503,
              mediaType(protocol),
              retryAfterSeconds,
              null,
              statusBody(protocol, Code.UNAVAILABLE, outcome.message()));
      case AT_CAPACITY ->
          new Answer(
              429,
              mediaType(protocol),
              retryAfterSeconds,
              null,
              statusBody(protocol, Code.RESOURCE_EXHAUSTED, outcome.message()));
    };
  }

  /** The OTLP encoding of a Content-Type, or null when it is neither protobuf nor JSON. */
  static Protocol protocolOf(String contentType) {
    String essence = MediaTypes.essence(contentType);
    if (essence == null) {
      return null;
    }
    return switch (essence) {
      case PROTOBUF, PROTOBUF_ALT -> Protocol.HTTP_PROTOBUF;
      case JSON -> Protocol.HTTP_JSON;
      default -> null;
    };
  }

  /**
   * Reads the body, bounded by the limit before and after decompression, whatever the declared
   * length (chunked bodies have none).
   */
  private byte[] readBody(String encoding, long declared, InputStream body)
      throws IOException, RefusedBodyException {
    long limit = maxBodyBytes;
    boolean gzip = false;
    if (encoding != null && !encoding.isBlank()) {
      String e = encoding.trim();
      if (e.equalsIgnoreCase("gzip") || e.equalsIgnoreCase("x-gzip")) {
        gzip = true;
      } else if (!e.equalsIgnoreCase("identity")) {
        throw new RefusedBodyException(
            "unsupported_encoding",
            415,
            Code.INVALID_ARGUMENT,
            "unsupported Content-Encoding '" + encoding + "'; send gzip or identity");
      }
    }
    if (declared > limit) {
      throw tooLarge(limit, "declared Content-Length " + declared);
    }
    byte[] raw = body.readNBytes((int) (limit + 1));
    if (raw.length > limit) {
      throw tooLarge(limit, gzip ? "compressed body" : "body");
    }
    if (!gzip || raw.length == 0) {
      return raw;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 8192)) {
      // At most limit + 1 bytes are inflated: this is what bounds a gzip bomb.
      byte[] inflated = in.readNBytes((int) (limit + 1));
      if (inflated.length > limit) {
        throw tooLarge(limit, "body after gzip decompression");
      }
      return inflated;
    } catch (IOException e) {
      throw new RefusedBodyException(
          "bad_gzip", 400, Code.INVALID_ARGUMENT, "body is not valid gzip: " + e.getMessage());
    }
  }

  private static RefusedBodyException tooLarge(long limit, String what) {
    return new RefusedBodyException(
        "too_large",
        413,
        Code.RESOURCE_EXHAUSTED,
        what + " exceeds the limit of " + limit + " bytes (tierscope.ingest.max-body-size)");
  }

  private static Answer error(Protocol protocol, int status, Code code, String message) {
    return new Answer(status, mediaType(protocol), -1, null, statusBody(protocol, code, message));
  }

  /** The {@code google.rpc.Code} of a refusal, as OTLP/gRPC answers it. */
  static Code codeOf(Access.Reason reason) {
    return switch (reason) {
      case UNAUTHENTICATED -> Code.UNAUTHENTICATED;
      case FORBIDDEN -> Code.PERMISSION_DENIED;
      case BAD_TENANT -> Code.INVALID_ARGUMENT;
    };
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

  private static String mediaType(Protocol protocol) {
    return protocol == Protocol.HTTP_JSON ? JSON : PROTOBUF;
  }

  /** A body refused before decoding, with the answer to give. */
  private static final class RefusedBodyException extends Exception {
    final String reason;
    final int status;
    final Code code;

    RefusedBodyException(String reason, int status, Code code, String message) {
      super(message, null, false, false);
      this.reason = reason;
      this.status = status;
      this.code = code;
    }
  }
}
