package dev.tierscope.auth;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code token create --name NAME --tenants T1,T2|* --scopes ingest,read,admin [--append FILE]}:
 * draws a new secret, prints it once, and prints the token file line that holds its hash (appending
 * it to {@code FILE} when asked). The secret is not stored anywhere; the printed line is what the
 * deployables read ({@code tierscope.auth.token-file}), reloaded within seconds of a change.
 *
 * <p>Output, two lines, so that scripts can take either:
 *
 * <pre>
 * secret: tsk_3q2-...
 * line:   checkout sha256:9c1e... tenants=acme scopes=ingest
 * </pre>
 */
public final class TokenCommand {

  /** Created. */
  public static final int OK = 0;

  /** A bad option or value; nothing was created. */
  public static final int USAGE = 2;

  /** The file to append to could not be written. */
  public static final int IO_ERROR = 1;

  static final String USAGE_TEXT =
      "usage: token create --name NAME --tenants TENANT[,TENANT...]|'*'"
          + " --scopes ingest|read|admin[,...] [--append TOKEN_FILE]";

  private TokenCommand() {}

  /**
   * Runs {@code token ...} (the arguments after {@code token}).
   *
   * @return {@link #OK}, {@link #USAGE} or {@link #IO_ERROR}
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    return run(args, out, err, new SecureRandom());
  }

  static int run(List<String> args, PrintStream out, PrintStream err, SecureRandom random) {
    if (args.isEmpty() || !args.get(0).equals("create")) {
      err.println(USAGE_TEXT);
      return USAGE;
    }
    String name = null;
    String tenants = null;
    String scopes = null;
    String append = null;
    for (int i = 1; i < args.size(); i++) {
      String option = args.get(i);
      String value;
      int eq = option.indexOf('=');
      if (option.startsWith("--") && eq > 0) {
        value = option.substring(eq + 1);
        option = option.substring(0, eq);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        err.println(option + " needs a value\n" + USAGE_TEXT);
        return USAGE;
      }
      switch (option) {
        case "--name" -> name = value;
        case "--tenants", "--tenant" -> tenants = value;
        case "--scopes", "--scope" -> scopes = value;
        case "--append" -> append = value;
        default -> {
          err.println("unknown option '" + option + "'\n" + USAGE_TEXT);
          return USAGE;
        }
      }
    }
    if (name == null || tenants == null || scopes == null) {
      err.println("--name, --tenants and --scopes are required\n" + USAGE_TEXT);
      return USAGE;
    }
    String secret = TokenSecrets.generate(random);
    TokenEntry entry;
    try {
      Set<Scope> scopeSet = EnumSet.noneOf(Scope.class);
      for (String word : scopes.split(",", -1)) {
        scopeSet.add(Scope.of(word.strip()));
      }
      entry = new TokenEntry(name, TokenSecrets.hash(secret), Tenants.parse(tenants), scopeSet);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return USAGE;
    }
    if (append != null) {
      try {
        append(Path.of(append), entry);
      } catch (IOException | RuntimeException e) {
        err.println("could not append to " + append + ": " + e.getMessage());
        return IO_ERROR;
      }
    }
    out.println("secret: " + secret);
    out.println("line:   " + entry.line());
    err.println(
        "The secret is shown once and stored nowhere: give it to the client now."
            + (append == null
                ? " Add the line to the token file (tierscope.auth.token-file)."
                : " The line was appended to " + append + "."));
    return OK;
  }

  /**
   * Appends the line to the token file (created readable by its owner only), refusing a name the
   * file already has: the deployables would refuse the whole new version and keep the old one.
   */
  private static void append(Path file, TokenEntry entry) throws IOException {
    String existing = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    List<TokenEntry> entries =
        existing.isEmpty() ? List.of() : Tokens.parse(existing, file.toString()).entries();
    if (entries.stream().anyMatch(e -> e.name().equals(entry.name()))) {
      throw new IllegalArgumentException(
          "the file already has a token named '" + entry.name() + "'");
    }
    if (!Files.exists(file)) {
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
    }
    String prefix = existing.isEmpty() || existing.endsWith("\n") ? "" : "\n";
    Files.writeString(
        file, prefix + entry.line() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }
}
