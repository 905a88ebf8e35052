package dev.tierscope.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

/** A plain HTTP/1.1 client for hand-made OTLP requests. */
final class Http {

  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private Http() {}

  /** POSTs with a Content-Length; {@code contentEncoding} may be null. */
  static HttpResponse<byte[]> post(
      String url, String contentType, String contentEncoding, byte[] body) {
    return send(
        request(url, contentType, contentEncoding, HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  /**
   * POSTs with {@code Transfer-Encoding: chunked} and no Content-Length, as the JS exporters do.
   */
  static HttpResponse<byte[]> postChunked(
      String url, String contentType, String contentEncoding, byte[] body) {
    return send(
        request(
            url,
            contentType,
            contentEncoding,
            HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
  }

  private static HttpRequest request(
      String url, String contentType, String contentEncoding, HttpRequest.BodyPublisher publisher) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).POST(publisher);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (contentEncoding != null) {
      b.header("Content-Encoding", contentEncoding);
    }
    return b.build();
  }

  private static HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
