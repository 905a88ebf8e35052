package dev.tierscope.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable set of tokens, looked up by the hash of a presented secret: one version of the token
 * file.
 *
 * <p>The file format, one token per line ({@code #} starts a comment, blank lines are ignored):
 *
 * <pre>
 * # name     hash                        tenants                scopes
 * grafana    sha256:5e88489...(64 hex)   tenants=acme,globex    scopes=read
 * checkout   sha256:a3c2f1e...(64 hex)   tenants=acme           scopes=ingest
 * operator   sha256:0b14d50...(64 hex)   tenants=*              scopes=read,admin
 * </pre>
 *
 * <p>Fields are separated by spaces or tabs; {@code tenants=*} means every tenant. Names and hashes
 * are unique. {@code token create} prints a new secret and its line.
 *
 * <p>Why a lookup by hash: comparing the presented secret's hash with one map key leaks, by timing,
 * at most something about a hash, from which no secret can be recovered; there is nothing to
 * compare in constant time.
 */
public final class Tokens {

  /** No tokens: every token is unknown. */
  public static final Tokens NONE = new Tokens(List.of());

  private final Map<String, TokenEntry> byHash;
  private final List<TokenEntry> entries;

  /**
   * @throws IllegalArgumentException when two entries share a name or a hash
   */
  public Tokens(Collection<TokenEntry> entries) {
    Map<String, TokenEntry> map = new HashMap<>();
    Map<String, TokenEntry> names = new HashMap<>();
    for (TokenEntry e : entries) {
      if (names.put(e.name(), e) != null) {
        throw new IllegalArgumentException("token name '" + e.name() + "' is used twice");
      }
      if (map.put(e.hash(), e) != null) {
        throw new IllegalArgumentException(
            "token '" + e.name() + "' has the hash of another token");
      }
    }
    this.byHash = Map.copyOf(map);
    this.entries = List.copyOf(entries);
  }

  /** The token whose secret this is, if any. */
  public Optional<TokenEntry> find(String secret) {
    return Optional.ofNullable(byHash.get(TokenSecrets.hash(secret)));
  }

  /** Every token, in file order. */
  public List<TokenEntry> entries() {
    return entries;
  }

  /**
   * Parses the token file's text.
   *
   * @param source names the file in messages
   * @throws TokenFileException listing every invalid line as {@code source:line: problem}
   */
  public static Tokens parse(String text, String source) {
    List<TokenEntry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<String, Integer> nameLines = new HashMap<>();
    Map<String, Integer> hashLines = new HashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        TokenEntry e = parseLine(line);
        Integer sameName = nameLines.putIfAbsent(e.name(), lineNumber);
        Integer sameHash = hashLines.putIfAbsent(e.hash(), lineNumber);
        if (sameName != null) {
          problems.add(
              source
                  + ":"
                  + lineNumber
                  + ": token name '"
                  + e.name()
                  + "' is already used on line "
                  + sameName);
        } else if (sameHash != null) {
          problems.add(
              source
                  + ":"
                  + lineNumber
                  + ": the same hash is already on line "
                  + sameHash
                  + " (one secret, two tokens)");
        } else {
          entries.add(e);
        }
      } catch (IllegalArgumentException e) {
        problems.add(source + ":" + lineNumber + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new TokenFileException(problems);
    }
    return new Tokens(entries);
  }

  private static TokenEntry parseLine(String line) {
    String[] fields = line.split("[ \t]+");
    if (fields.length != 4) {
      throw new IllegalArgumentException(
          "expected 4 fields 'name sha256:<hex> tenants=<a,b or *> scopes=<ingest,read,admin>',"
              + " found "
              + fields.length);
    }
    Tenants tenants = null;
    Set<Scope> scopes = null;
    for (int f = 2; f < 4; f++) {
      String field = fields[f];
      if (field.startsWith("tenants=") && tenants == null) {
        tenants = Tenants.parse(field.substring("tenants=".length()));
      } else if (field.startsWith("scopes=") && scopes == null) {
        scopes = EnumSet.noneOf(Scope.class);
        for (String word : field.substring("scopes=".length()).split(",", -1)) {
          scopes.add(Scope.of(word));
        }
      } else {
        throw new IllegalArgumentException(
            "expected tenants=... and scopes=..., found '" + field + "'");
      }
    }
    return new TokenEntry(fields[0], fields[1], tenants, scopes);
  }
}
