package dev.tierscope.core.classes;

import java.util.List;

/**
 * What a spec file says, read and checked object by object (see the {@code slo-spec} module for the
 * file format); {@link TrafficClassesBuilder} checks it against the rest of the configuration.
 *
 * @param file the file as configured
 * @param objectives the SLO objects, in file order
 * @param rules the class rules of the extension block, in order
 * @param fallback the fallback class the extension block names, or null
 * @param fallbackSource where the fallback is set, null when it is not
 */
public record SloSpec(
    String file,
    List<SpecObjective> objectives,
    List<ClassRule> rules,
    String fallback,
    ObjectiveSource fallbackSource) {

  public SloSpec {
    if (file == null) {
      throw new IllegalArgumentException("file is required");
    }
    objectives = List.copyOf(objectives);
    rules = List.copyOf(rules);
    if ((fallback == null) != (fallbackSource == null)) {
      throw new IllegalArgumentException("a fallback needs its source");
    }
  }
}
