package dev.tierscope.core.classes;

import java.util.regex.Pattern;

/**
 * A traffic class of the closed, configured set, with its objectives.
 *
 * @param name lowercase identifier, such as {@code interactive_premium}
 * @param objectives what the class promises
 */
public record TrafficClass(String name, ClassObjectives objectives) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  public TrafficClass {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "traffic class name must match " + NAME.pattern() + ", was '" + name + "'");
    }
    if (objectives == null) {
      throw new IllegalArgumentException("traffic class " + name + " needs objectives");
    }
  }
}
