package dev.tierscope.sdk;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP endpoint on a free loopback port that keeps each export request as it arrived (path,
 * headers, body), for checking what the exporter sends; it answers 200 with an empty response.
 */
final class OtlpHttpReceiver implements AutoCloseable {

  /** One request as received. */
  record Received(String path, Map<String, String> headers, byte[] body) {

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    ExportTraceServiceRequest traces() {
      try (InputStream in =
          "gzip".equals(header("content-encoding"))
              ? new GZIPInputStream(new ByteArrayInputStream(body))
              : new ByteArrayInputStream(body)) {
        return ExportTraceServiceRequest.parseFrom(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final HttpServer server;
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

  OtlpHttpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          Map<String, String> headers = new TreeMap<>();
          exchange
              .getRequestHeaders()
              .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
          byte[] body = exchange.getRequestBody().readAllBytes();
          received.add(new Received(exchange.getRequestURI().getPath(), headers, body));
          byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, response.length == 0 ? -1 : response.length);
          exchange.getResponseBody().write(response);
          exchange.close();
        });
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  Received awaitRequest(Duration timeout) throws InterruptedException {
    Received r = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (r == null) {
      throw new AssertionError("no export request within " + timeout);
    }
    return r;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
