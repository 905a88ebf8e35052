package dev.tierscope.ingest.grpc;

import dev.tierscope.auth.Access;
import dev.tierscope.auth.AccessControl;
import dev.tierscope.auth.Credentials;
import dev.tierscope.auth.Scope;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.Protocol;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Authenticates every OTLP/gRPC call before its message is read: the {@code authorization} and
 * {@code x-scope-orgid} metadata (what {@code OTEL_EXPORTER_OTLP_HEADERS} sends) and the peer
 * address go to {@link AccessControl}; a refused call is closed UNAUTHENTICATED, PERMISSION_DENIED
 * or INVALID_ARGUMENT with the reason, a granted one runs with its tenant in {@link #TENANT}.
 */
final class AccessInterceptor implements ServerInterceptor {

  /** The tenant the call was authenticated for; null when it is not bound to one. */
  static final Context.Key<String> TENANT = Context.key("tierscope.tenant");

  /**
   * Whether {@link #TENANT} is an identified caller's (a token's, a trusted proxy's) rather than
   * one an anonymous caller named; null (false) when nobody was identified.
   */
  static final Context.Key<Boolean> TENANT_AUTHENTICATED =
      Context.key("tierscope.tenant-authenticated");

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> SCOPE_ORG_ID =
      Metadata.Key.of("x-scope-orgid", Metadata.ASCII_STRING_MARSHALLER);

  private final AccessControl access;
  private final IngestMetrics metrics;

  AccessInterceptor(AccessControl access, IngestMetrics metrics) {
    this.access = access;
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    Credentials credentials =
        new Credentials(
            headers.get(AUTHORIZATION),
            headers.get(SCOPE_ORG_ID),
            List.of(),
            peer instanceof InetSocketAddress a ? a.getAddress() : null);
    Access decision = access.checkOneTenant(credentials, Scope.INGEST);
    if (decision instanceof Access.Refused refused) {
      metrics.rejectedRequest(Protocol.GRPC, refused.reason().key());
      call.close(statusOf(refused.reason()).withDescription(refused.message()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Access.Granted granted = (Access.Granted) decision;
    Context context =
        Context.current()
            .withValues(
                TENANT, granted.tenant(), TENANT_AUTHENTICATED, !granted.caller().anonymous());
    return Contexts.interceptCall(context, call, headers, next);
  }

  static Status statusOf(Access.Reason reason) {
    return switch (reason) {
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      case FORBIDDEN -> Status.PERMISSION_DENIED;
      case BAD_TENANT -> Status.INVALID_ARGUMENT;
    };
  }
}
