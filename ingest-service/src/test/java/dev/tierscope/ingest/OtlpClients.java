package dev.tierscope.ingest;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Hand-made OTLP exports with headers (HTTP) or metadata (gRPC), for the authentication ITs. */
final class OtlpClients {

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private OtlpClients() {}

  /** POSTs to {@code url} + {@code query} with the headers. */
  static HttpResponse<byte[]> post(
      String url, String query, Map<String, String> headers, String contentType, byte[] body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + query))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** {@code TraceService/Export} with the metadata; throws StatusRuntimeException when refused. */
  static ExportTraceServiceResponse grpc(
      Channel channel, ExportTraceServiceRequest request, Map<String, String> metadata) {
    Metadata headers = new Metadata();
    metadata.forEach(
        (k, v) -> headers.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    return ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
        OtlpGrpcIT.EXPORT,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        request.toByteArray());
  }
}
