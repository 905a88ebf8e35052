package dev.tierscope.api.web;

import dev.tierscope.store.StoreException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Turns parameter errors into RFC 9457 {@code application/problem+json} naming the parameter.
 * Ordered first so that it, not Boot's generic problem handler, answers missing parameters.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class ProblemHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(BadParameterException.class)
  ResponseEntity<ProblemDetail> badParameter(BadParameterException e) {
    return problem(e.parameter(), e.getMessage());
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  ResponseEntity<ProblemDetail> missing(MissingServletRequestParameterException e) {
    return problem(e.getParameterName(), "'" + e.getParameterName() + "' is required");
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> mismatch(MethodArgumentTypeMismatchException e) {
    return problem(e.getName(), "'" + e.getName() + "' has an invalid value: " + e.getValue());
  }

  /**
   * Seconds a client is asked to wait after a 503: about the time PostgreSQL takes to come back
   * from a restart or a failover, and the API's pool needs to reconnect.
   */
  static final int STORE_RETRY_AFTER_SECONDS = 5;

  /**
   * PostgreSQL unreachable, hung or refusing: 503 with {@code Retry-After}. The pool's connection
   * timeout and the driver's socket and statement timeouts bound how long this takes
   * (api/README.md), and the next request after PostgreSQL is back succeeds without a restart.
   */
  @ExceptionHandler(StoreException.class)
  ResponseEntity<ProblemDetail> store(StoreException e) {
    // One line, no stack trace: while PostgreSQL is down every request ends here.
    log.warn("store read failed, answering 503: {}", rootMessage(e));
    ProblemDetail p =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.SERVICE_UNAVAILABLE,
            "the window store could not be read: " + e.getMessage());
    p.setTitle("Store unavailable");
    p.setType(URI.create("https://tierscope.dev/problems/store-unavailable"));
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, Integer.toString(STORE_RETRY_AFTER_SECONDS))
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(p);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? e.getMessage() : e.getMessage() + " (" + root + ")";
  }

  private static ResponseEntity<ProblemDetail> problem(String parameter, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    p.setTitle("Invalid request parameter");
    p.setType(URI.create("https://tierscope.dev/problems/invalid-parameter"));
    p.setProperty("parameter", parameter);
    return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(p);
  }
}
