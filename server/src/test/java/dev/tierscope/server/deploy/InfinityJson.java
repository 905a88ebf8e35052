package dev.tierscope.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the Infinity plugin's backend parser turns an API answer into rows: the root selector and
 * each column selector are GJSON paths. This implements the part of GJSON the dashboards may use,
 * and {@link #SUPPORTED} is what the structure test allows, so that every selector the dashboards
 * hold is one this class evaluates exactly as GJSON does:
 *
 * <ul>
 *   <li>{@code a.b.c}: object members (a number selects an array element);
 *   <li>{@code #(key=="value")}: the first array element whose member equals the value;
 *   <li>{@code a.#.b}: {@code b} of every element of the array {@code a};
 *   <li>{@code @this}: the value itself (a column of an array of strings);
 *   <li>{@code path|@flatten}: an array of arrays made one array.
 * </ul>
 *
 * <p>An array result gives one row per element, an object one row, as the plugin's framer does.
 */
final class InfinityJson {

  private static final String KEY = "[A-Za-z0-9_]+";
  private static final String QUERY = "#\\(" + KEY + "==\"[^\"]*\"\\)";
  private static final String COMPONENT = "(?:@this|@flatten|#|" + QUERY + "|" + KEY + ")";
  private static final String DOTTED = COMPONENT + "(?:\\." + COMPONENT + ")*";

  /** The selectors the dashboards may use (after variable interpolation). */
  static final Pattern SUPPORTED = Pattern.compile("(?:" + DOTTED + "(?:\\|" + DOTTED + ")*)?");

  private static final Pattern QUERY_PARTS = Pattern.compile("#\\((" + KEY + ")==\"([^\"]*)\"\\)");

  private InfinityJson() {}

  /** The rows a root selector yields; fails when it selects nothing. */
  static List<JsonNode> rows(JsonNode answer, String rootSelector) {
    JsonNode root = select(answer, rootSelector);
    if (root.isMissingNode() || root.isNull()) {
      throw new AssertionError("root selector '" + rootSelector + "' selects nothing");
    }
    List<JsonNode> rows = new ArrayList<>();
    if (root.isArray()) {
      root.forEach(rows::add);
    } else {
      rows.add(root);
    }
    return rows;
  }

  /** The value at a GJSON path ({@link MissingNode} when there is none). */
  static JsonNode select(JsonNode node, String path) {
    if (!SUPPORTED.matcher(path).matches()) {
      throw new IllegalArgumentException("unsupported selector '" + path + "'");
    }
    if (path.isEmpty()) {
      return node;
    }
    JsonNode current = node;
    for (String part : path.split("\\|")) {
      current = dotted(current, components(part));
    }
    return current;
  }

  private static JsonNode dotted(JsonNode node, List<String> components) {
    JsonNode current = node;
    for (int i = 0; i < components.size(); i++) {
      if (current == null || current.isMissingNode()) {
        return MissingNode.getInstance();
      }
      String c = components.get(i);
      if (c.equals("@this")) {
        continue;
      }
      if (c.equals("@flatten")) {
        current = flatten(current);
        continue;
      }
      if (c.equals("#")) {
        if (!current.isArray()) {
          return MissingNode.getInstance();
        }
        if (i == components.size() - 1) {
          return IntNode.valueOf(current.size());
        }
        List<String> rest = components.subList(i + 1, components.size());
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode element : current) {
          JsonNode v = dotted(element, rest);
          if (!v.isMissingNode()) {
            out.add(v);
          }
        }
        return out;
      }
      Matcher q = QUERY_PARTS.matcher(c);
      if (q.matches()) {
        JsonNode found = MissingNode.getInstance();
        if (current.isArray()) {
          for (JsonNode element : current) {
            JsonNode member = element.path(q.group(1));
            if (member.isValueNode() && member.asText().equals(q.group(2))) {
              found = element;
              break;
            }
          }
        }
        current = found;
        continue;
      }
      if (current.isArray() && c.chars().allMatch(Character::isDigit)) {
        current = current.path(Integer.parseInt(c));
      } else if (current.isObject()) {
        current = current.path(c);
      } else {
        return MissingNode.getInstance();
      }
    }
    return current == null ? MissingNode.getInstance() : current;
  }

  private static JsonNode flatten(JsonNode node) {
    if (!node.isArray()) {
      return node;
    }
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (JsonNode element : node) {
      if (element.isArray()) {
        element.forEach(out::add);
      } else {
        out.add(element);
      }
    }
    return out;
  }

  /** Splits a dotted path, keeping {@code #(...)} whole. */
  private static List<String> components(String part) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    StringBuilder c = new StringBuilder();
    for (char ch : part.toCharArray()) {
      if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      }
      if (ch == '.' && depth == 0) {
        out.add(c.toString());
        c.setLength(0);
      } else {
        c.append(ch);
      }
    }
    out.add(c.toString());
    return out;
  }
}
