package dev.tierscope.slospec;

import dev.tierscope.core.classes.ObjectiveSource;
import dev.tierscope.core.classes.SpecProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reading YAML nodes with positions; every mistake is a problem at the node, never a throw. */
final class Yaml {

  private final String file;
  private final List<SpecProblem> problems = new ArrayList<>();

  Yaml(String file) {
    this.file = file;
  }

  List<SpecProblem> problems() {
    return problems;
  }

  String file() {
    return file;
  }

  void problem(Node at, String message) {
    problems.add(
        new SpecProblem(
            file, at.getStartMark().getLine() + 1, at.getStartMark().getColumn() + 1, message));
  }

  ObjectiveSource source(Node at) {
    return ObjectiveSource.file(
        file, at.getStartMark().getLine() + 1, at.getStartMark().getColumn() + 1);
  }

  /**
   * The fields of a mapping, checked for duplicate and unknown keys; null (and a problem) when the
   * node is not a mapping.
   *
   * @param what how the mapping is called in messages, e.g. {@code SLO spec}
   * @param known the keys allowed here
   */
  Fields fields(Node node, String what, Set<String> known) {
    if (!(node instanceof MappingNode map)) {
      problem(node, what + " must be a mapping (key: value lines)");
      return null;
    }
    Map<String, NodeTuple> byKey = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode key)) {
        problem(t.getKeyNode(), what + " has a key that is not a plain name");
        continue;
      }
      if (byKey.containsKey(key.getValue())) {
        problem(key, "duplicate key '" + key.getValue() + "' in " + what);
        continue;
      }
      if (!known.contains(key.getValue())) {
        problem(
            key,
            "unknown field '"
                + key.getValue()
                + "' in "
                + what
                + "; allowed: "
                + String.join(", ", known));
        continue;
      }
      byKey.put(key.getValue(), t);
    }
    return new Fields(map, what, byKey);
  }

  /** A scalar's text, or null (and a problem) when the node is a mapping or a list. */
  String text(Node node, String what) {
    if (node instanceof ScalarNode s) {
      return s.getValue();
    }
    problem(node, what + " must be a single value, not a " + kind(node));
    return null;
  }

  /** A finite number, or NaN (and a problem). */
  double number(Node node, String what) {
    String t = text(node, what);
    if (t == null) {
      return Double.NaN;
    }
    try {
      double d = Double.parseDouble(t.trim());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(node, what + " must be a number, was '" + t + "'");
    return Double.NaN;
  }

  /** true or false, or null (and a problem). */
  Boolean bool(Node node, String what) {
    String t = text(node, what);
    if ("true".equals(t)) {
      return Boolean.TRUE;
    }
    if ("false".equals(t)) {
      return Boolean.FALSE;
    }
    if (t != null) {
      problem(node, what + " must be true or false, was '" + t + "'");
    }
    return null;
  }

  /** The items of a list, or null (and a problem). */
  List<Node> list(Node node, String what) {
    if (node instanceof SequenceNode s) {
      return s.getValue();
    }
    problem(node, what + " must be a list (lines starting with '- '), not a " + kind(node));
    return null;
  }

  private static String kind(Node node) {
    if (node instanceof MappingNode) {
      return "mapping";
    }
    return node instanceof SequenceNode ? "list" : "single value";
  }

  /** The checked fields of one mapping. */
  final class Fields {
    final MappingNode node;
    final String what;
    private final Map<String, NodeTuple> byKey;

    Fields(MappingNode node, String what, Map<String, NodeTuple> byKey) {
      this.node = node;
      this.what = what;
      this.byKey = byKey;
    }

    boolean has(String key) {
      return byKey.containsKey(key);
    }

    /** The value node, or null when absent. */
    Node get(String key) {
      NodeTuple t = byKey.get(key);
      return t == null ? null : t.getValueNode();
    }

    /** The key node (for positions of refusals), or null when absent. */
    Node key(String key) {
      NodeTuple t = byKey.get(key);
      return t == null ? null : t.getKeyNode();
    }

    /** The value node, or null and a problem at the mapping when absent. */
    Node require(String key) {
      Node n = get(key);
      if (n == null) {
        problem(node, what + " needs '" + key + "'");
      }
      return n;
    }

    /** A required single value's text, or null (with a problem). */
    String requireText(String key) {
      Node n = require(key);
      return n == null ? null : text(n, what + "." + key);
    }

    /** An optional single value's text, or null. */
    String optionalText(String key) {
      Node n = get(key);
      return n == null ? null : text(n, what + "." + key);
    }
  }
}
