package dev.tierscope.api.web;

/** A request parameter is missing or malformed; answered as 400 problem+json naming it. */
public final class BadParameterException extends RuntimeException {

  private final String parameter;

  public BadParameterException(String parameter, String message) {
    super(message);
    this.parameter = parameter;
  }

  /** The offending query parameter. */
  public String parameter() {
    return parameter;
  }
}
