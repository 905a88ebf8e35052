package dev.tierscope.core.alerting;

/** Whether an alert fires, as Alertmanager and webhooks are told. */
public enum AlertStatus {
  FIRING("firing"),
  RESOLVED("resolved");

  private final String id;

  AlertStatus(String id) {
    this.id = id;
  }

  /** The stored and transmitted name. */
  public String id() {
    return id;
  }

  /** The status with this name. */
  public static AlertStatus fromId(String id) {
    for (AlertStatus s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown alert status '" + id + "'");
  }
}
