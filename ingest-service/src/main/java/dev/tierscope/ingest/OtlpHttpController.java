package dev.tierscope.ingest;

import dev.tierscope.boot.security.ServletCredentials;
import dev.tierscope.ingest.http.OtlpHttpHandler;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/traces} on the application's web server: the otlp-receiver's {@link
 * OtlpHttpHandler} behind Spring MVC, so that OTLP/HTTP shares the port with the actuator.
 */
@RestController
class OtlpHttpController {

  private final OtlpHttpHandler handler;

  OtlpHttpController(OtlpHttpHandler handler) {
    this.handler = handler;
  }

  @PostMapping(path = OtlpHttpHandler.PATH)
  ResponseEntity<byte[]> export(HttpServletRequest request) throws IOException {
    // An I/O error reading the body is the client going away: let it propagate.
    OtlpHttpHandler.Answer answer =
        handler.handle(
            ServletCredentials.of(request),
            request.getContentType(),
            request.getHeader(HttpHeaders.ACCEPT),
            request.getHeader(HttpHeaders.CONTENT_ENCODING),
            request.getContentLengthLong(),
            request.getInputStream());
    ResponseEntity.BodyBuilder response =
        ResponseEntity.status(answer.status())
            .header(HttpHeaders.CONTENT_TYPE, answer.contentType());
    if (answer.retryAfterSeconds() >= 0) {
      response.header(HttpHeaders.RETRY_AFTER, Long.toString(answer.retryAfterSeconds()));
    }
    if (answer.authenticate() != null) {
      response.header(HttpHeaders.WWW_AUTHENTICATE, answer.authenticate());
    }
    return response.body(answer.body());
  }
}
