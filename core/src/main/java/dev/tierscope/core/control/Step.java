package dev.tierscope.core.control;

import java.util.Locale;

/**
 * One step a class takes when it gives way: {@code degrade-1} to {@code degrade-3}, {@code defer}
 * or {@code shed}. A class's steps, in order, are how far it can give way.
 *
 * @param action {@link Action#DEGRADE}, {@link Action#DEFER} or {@link Action#SHED}
 * @param level degradation level 1 to 3 for {@link Action#DEGRADE}, 0 otherwise
 */
public record Step(Action action, int level) {

  /** Highest degradation level (3: concise mode). */
  public static final int MAX_LEVEL = 3;

  public Step {
    if (action == null || action == Action.ADMIT) {
      throw new IllegalArgumentException("a step degrades, defers or sheds, was " + action);
    }
    if (action == Action.DEGRADE && (level < 1 || level > MAX_LEVEL)) {
      throw new IllegalArgumentException("degradation level must be 1 to 3, was " + level);
    }
    if (action != Action.DEGRADE && level != 0) {
      throw new IllegalArgumentException(action.id() + " takes no level, was " + level);
    }
  }

  /** {@code degrade-n}. */
  public static Step degrade(int level) {
    return new Step(Action.DEGRADE, level);
  }

  /** {@code defer}. */
  public static Step defer() {
    return new Step(Action.DEFER, 0);
  }

  /** {@code shed}. */
  public static Step shed() {
    return new Step(Action.SHED, 0);
  }

  /** Parses {@code degrade-2}, {@code defer} or {@code shed} (any case). */
  public static Step parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("degrade-")) {
      try {
        return degrade(Integer.parseInt(t.substring("degrade-".length())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid step '" + text + "' (degrade-1..3)", e);
      }
    }
    return switch (t) {
      case "defer" -> defer();
      case "shed" -> shed();
      default ->
          throw new IllegalArgumentException(
              "invalid step '" + text + "' (degrade-1, degrade-2, degrade-3, defer, shed)");
    };
  }

  @Override
  public String toString() {
    return action == Action.DEGRADE ? "degrade-" + level : action.id();
  }
}
