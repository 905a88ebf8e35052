package dev.tierscope.sdk.admission;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads the fields of a control signal (a JSON object of {@code GET /api/v1/control}, an event of
 * its stream, or a record of {@code tierscope.control.v1}) that a gateway needs; other fields are
 * skipped, so newer signals with more fields still read.
 */
final class SignalJson {

  private static final JsonFactory JSON = new JsonFactory();

  /** A signal's tenant and advice. */
  record Signal(String tenant, Advice advice) {}

  private SignalJson() {}

  /** The signals of a JSON object with a {@code signals} array, or of one signal object. */
  static List<Signal> parse(String json) {
    List<Signal> out = new ArrayList<>();
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      Fields f = new Fields();
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("signals") && t == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            Fields s = new Fields();
            readObject(p, s);
            out.add(s.signal());
          }
        } else {
          f.read(name, p);
        }
      }
      if (f.trafficClass != null) {
        out.add(f.signal());
      }
    }
    return out;
  }

  private static void readObject(JsonParser p, Fields f) {
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      p.nextToken();
      f.read(name, p);
    }
  }

  private static final class Fields {
    String tenant;
    String trafficClass;
    String action;
    int level;
    Instant since;
    Instant expiresAt;
    final List<String> reasons = new ArrayList<>();

    void read(String name, JsonParser p) {
      switch (name) {
        case "tenant" -> tenant = p.getString();
        case "class" -> trafficClass = p.getString();
        case "action" -> action = p.getString();
        case "degradationLevel" -> level = p.getIntValue();
        case "since" -> since = instant(p.getString());
        case "expiresAt" -> expiresAt = instant(p.getString());
        case "reasons" -> {
          if (p.currentToken() == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.VALUE_STRING) {
              reasons.add(p.getString());
            }
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }

    Signal signal() {
      if (trafficClass == null || action == null) {
        throw new IllegalArgumentException("a signal needs 'class' and 'action'");
      }
      return new Signal(
          tenant,
          new Advice(trafficClass, Advice.Action.parse(action), level, since, expiresAt, reasons));
    }
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }
}
