package dev.tierscope.api.web;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns parameter errors into RFC 9457 {@code application/problem+json} naming the parameter. */
@RestControllerAdvice
public class ProblemHandler {

  @ExceptionHandler(BadParameterException.class)
  ResponseEntity<ProblemDetail> badParameter(BadParameterException e) {
    return problem(e.parameter(), e.getMessage());
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  ResponseEntity<ProblemDetail> missing(MissingServletRequestParameterException e) {
    return problem(e.getParameterName(), "'" + e.getParameterName() + "' is required");
  }

  private static ResponseEntity<ProblemDetail> problem(String parameter, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    p.setTitle("Invalid request parameter");
    p.setType(URI.create("https://tierscope.dev/problems/invalid-parameter"));
    p.setProperty("parameter", parameter);
    return ResponseEntity.badRequest().body(p);
  }
}
