package dev.tierscope.sdk;

/** The client's access link, as sent in {@code network.connection.type}. */
public enum ConnectionType {
  WIFI("wifi"),
  CELL("cell"),
  WIRED("wired");

  private final String value;

  ConnectionType(String value) {
    this.value = value;
  }

  /** The attribute value, e.g. {@code wifi}. */
  public String value() {
    return value;
  }
}
