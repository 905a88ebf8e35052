package dev.tierscope.ingest.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import dev.tierscope.auth.AccessControl;
import dev.tierscope.ingest.receiver.ExportOutcome;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.Protocol;
import dev.tierscope.ingest.receiver.TraceReceiver;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC receiver: {@code opentelemetry.proto.collector.trace.v1.TraceService/Export} (4317 by
 * convention) in front of a {@link TraceReceiver}; plain Java, started and stopped by its owner.
 *
 * <p>Why a hand-made service definition: the {@code opentelemetry-proto} jar ships the messages but
 * no gRPC stubs, and one unary method does not justify code generation. The request is taken as raw
 * bytes and parsed here, so that an undecodable message is answered INVALID_ARGUMENT with the
 * reason (a protobuf marshaller would make it INTERNAL). gRPC itself enforces the size limit on the
 * message after decompression ({@code grpc-encoding: gzip} is supported) and answers
 * RESOURCE_EXHAUSTED. When Kafka cannot take the spans the answer is UNAVAILABLE with a {@code
 * google.rpc.RetryInfo} delay, which OTLP clients retry.
 *
 * <p>Every call passes {@link AccessInterceptor} first: its {@code authorization} and {@code
 * x-scope-orgid} metadata decide, before the message is read, whether it is answered
 * UNAUTHENTICATED, PERMISSION_DENIED or INVALID_ARGUMENT, or which tenant its spans are stored
 * under. With {@link io.grpc.TlsServerCredentials} the port speaks TLS only.
 *
 * <p>The bound port is {@link #port()}, so that a test or a launcher can ask for port 0.
 *
 * <pre>{@code
 * OtlpGrpcServer grpc = new OtlpGrpcServer(receiver, metrics,
 *     new InetSocketAddress("127.0.0.1", 0), 16 << 20, Duration.ofSeconds(5),
 *     AccessControl.none(), InsecureServerCredentials.create());
 * grpc.start();
 * int port = grpc.port();
 * ...
 * grpc.close();
 * }</pre>
 */
public final class OtlpGrpcServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OtlpGrpcServer.class);

  /** The OTLP trace service name. */
  static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";

  /**
   * A request message as read off the wire: its bytes, or the status gRPC raised while reading it
   * (the decompressed size check runs lazily, inside the marshaller; thrown from there it would
   * reach the client as UNKNOWN).
   */
  record RawMessage(byte[] bytes, Status failure) {}

  private static final MethodDescriptor.Marshaller<RawMessage> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(RawMessage value) {
          return new ByteArrayInputStream(value.bytes());
        }

        @Override
        public RawMessage parse(InputStream stream) {
          try {
            return new RawMessage(stream.readAllBytes(), null);
          } catch (StatusRuntimeException e) {
            return new RawMessage(null, e.getStatus());
          } catch (IOException e) {
            return new RawMessage(
                null, Status.INVALID_ARGUMENT.withDescription("unreadable message: " + e));
          }
        }
      };

  static final MethodDescriptor<RawMessage, ExportTraceServiceResponse> EXPORT =
      MethodDescriptor.<RawMessage, ExportTraceServiceResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Export"))
          .setRequestMarshaller(RAW)
          .setResponseMarshaller(
              ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
          .build();

  private final TraceReceiver receiver;
  private final IngestMetrics metrics;
  private final InetSocketAddress requestedAddress;
  private final int maxMessageBytes;
  private final Duration retryAfter;
  private final AccessControl access;
  private final ServerCredentials credentials;
  private volatile Server server;

  /**
   * A plaintext receiver on loopback that authenticates nobody (the {@code none} mode): for tests
   * and embedding on one machine.
   *
   * @param requestedPort port to bind on 127.0.0.1; 0 for a free one
   * @param maxMessageBytes largest request message, after decompression
   * @param retryAfter the delay put in {@code RetryInfo} of UNAVAILABLE answers
   */
  public OtlpGrpcServer(
      TraceReceiver receiver,
      IngestMetrics metrics,
      int requestedPort,
      int maxMessageBytes,
      Duration retryAfter) {
    this(
        receiver,
        metrics,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort),
        maxMessageBytes,
        retryAfter,
        AccessControl.none(),
        InsecureServerCredentials.create());
  }

  /**
   * @param address address and port to bind (port 0 for a free one; the wildcard address for every
   *     interface)
   * @param maxMessageBytes largest request message, after decompression
   * @param retryAfter the delay put in {@code RetryInfo} of UNAVAILABLE answers
   * @param access who may export, and for which tenant
   * @param credentials plaintext ({@link InsecureServerCredentials}) or TLS ({@link
   *     io.grpc.TlsServerCredentials})
   */
  public OtlpGrpcServer(
      TraceReceiver receiver,
      IngestMetrics metrics,
      InetSocketAddress address,
      int maxMessageBytes,
      Duration retryAfter,
      AccessControl access,
      ServerCredentials credentials) {
    this.receiver = receiver;
    this.metrics = metrics;
    this.requestedAddress = address;
    this.maxMessageBytes = maxMessageBytes;
    this.retryAfter = retryAfter;
    this.access = access;
    this.credentials = credentials;
  }

  /**
   * Binds the port and starts serving; does nothing when already running.
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(SERVICE)
            .addMethod(EXPORT, ServerCalls.asyncUnaryCall(this::export))
            .build();
    Server s =
        NettyServerBuilder.forAddress(requestedAddress, credentials)
            .maxInboundMessageSize(maxMessageBytes)
            .addService(
                ServerInterceptors.intercept(service, new AccessInterceptor(access, metrics)))
            .build();
    try {
      s.start();
    } catch (IOException e) {
      throw new IllegalStateException("OTLP/gRPC could not bind " + requestedAddress, e);
    }
    server = s;
    log.info(
        "OTLP/gRPC receiver listening on {} ({}, authentication {})",
        addresses(),
        credentials instanceof InsecureServerCredentials ? "plaintext" : "TLS",
        access.mode().word());
  }

  /** Stops taking calls and waits up to 7 s for those in progress. */
  public synchronized void stop() {
    Server s = server;
    if (s == null) {
      return;
    }
    server = null;
    s.shutdown();
    try {
      if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
        s.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s.shutdownNow();
    }
  }

  public boolean isRunning() {
    return server != null;
  }

  @Override
  public void close() {
    stop();
  }

  /** The bound port; -1 when not running. */
  public int port() {
    Server s = server;
    return s == null ? -1 : s.getPort();
  }

  /** The bound socket addresses; empty when not running. */
  public List<InetSocketAddress> addresses() {
    Server s = server;
    if (s == null) {
      return List.of();
    }
    return s.getListenSockets().stream()
        .filter(InetSocketAddress.class::isInstance)
        .map(InetSocketAddress.class::cast)
        .toList();
  }

  private void export(RawMessage message, StreamObserver<ExportTraceServiceResponse> response) {
    if (message.failure() != null) {
      metrics.rejectedRequest(
          Protocol.GRPC,
          message.failure().getCode() == Status.Code.RESOURCE_EXHAUSTED
              ? "too_large"
              : "undecodable");
      failQuietly(response, message.failure().asRuntimeException());
      return;
    }
    byte[] body = message.bytes();
    metrics.requestSize(Protocol.GRPC, body.length);
    ExportTraceServiceRequest request;
    try {
      request = ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      metrics.rejectedRequest(Protocol.GRPC, "undecodable");
      failQuietly(
          response,
          Status.INVALID_ARGUMENT
              .withDescription(
                  "message is not a protobuf ExportTraceServiceRequest: " + e.getMessage())
              .asRuntimeException());
      return;
    }
    receiver
        .export(
            request,
            Protocol.GRPC,
            AccessInterceptor.TENANT.get(),
            Boolean.TRUE.equals(AccessInterceptor.TENANT_AUTHENTICATED.get()))
        .thenAccept(
            outcome -> {
              if (outcome.kind() == ExportOutcome.Kind.ACCEPTED) {
                try {
                  response.onNext(outcome.response());
                  response.onCompleted();
                } catch (StatusRuntimeException e) {
                  // The client cancelled or the deadline passed; the spans are durable anyway.
                  log.debug("OTLP/gRPC answer not delivered: {}", e.getStatus());
                }
              } else {
                failQuietly(response, retryLater(outcome.message()));
              }
            });
  }

  private StatusRuntimeException retryLater(String message) {
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.UNAVAILABLE.getNumber())
            .setMessage(message)
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(
                            com.google.protobuf.Duration.newBuilder()
                                .setSeconds(retryAfter.getSeconds())
                                .setNanos(retryAfter.getNano()))
                        .build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  private static void failQuietly(
      StreamObserver<ExportTraceServiceResponse> response, StatusRuntimeException error) {
    try {
      response.onError(error);
    } catch (StatusRuntimeException e) {
      log.debug("OTLP/gRPC error not delivered: {}", e.getStatus());
    }
  }
}
