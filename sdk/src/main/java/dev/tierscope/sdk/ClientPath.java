package dev.tierscope.sdk;

/** The network path between a client and the service, as sent in {@code tierscope.client.path}. */
public enum ClientPath {
  DIRECT("direct"),
  VPN("vpn"),
  SASE("sase"),
  MOBILE("mobile");

  private final String value;

  ClientPath(String value) {
    this.value = value;
  }

  /** The attribute value, e.g. {@code vpn}. */
  public String value() {
    return value;
  }
}
