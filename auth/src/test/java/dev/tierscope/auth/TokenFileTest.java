package dev.tierscope.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {

  @TempDir Path dir;

  static String line(String name, String secret, String tenants) {
    return name + " " + TokenSecrets.hash(secret) + " tenants=" + tenants + " scopes=ingest\n";
  }

  @Test
  void appliesANewContentOnceTwoPollsReadTheSame() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, line("old", "s-old", "acme"));
    try (TokenFile tokens = TokenFile.load(file)) {
      Files.writeString(file, line("old", "s-old", "acme") + line("new", "s-new", "acme"));

      assertThat(tokens.poll()).as("first read of the new content waits").isFalse();
      assertThat(tokens.current().find("s-new")).isEmpty();
      assertThat(tokens.poll()).isTrue();
      assertThat(tokens.current().find("s-new")).isPresent();
      assertThat(tokens.current().find("s-old")).isPresent();
      assertThat(tokens.poll()).as("unchanged").isFalse();
    }
  }

  @Test
  void aFileCaughtHalfWrittenNeverReplacesTheTokens() throws Exception {
    Path file = dir.resolve("tokens");
    String full = line("a", "s-a", "acme") + line("b", "s-b", "acme");
    Files.writeString(file, full);
    try (TokenFile tokens = TokenFile.load(file)) {
      // A writer truncates and writes the first line, then the second after our poll: the half
      // file parses, but is read only once before it changes again.
      Files.writeString(file, line("a", "s-a", "acme"));
      assertThat(tokens.poll()).isFalse();
      Files.writeString(file, full + line("c", "s-c", "acme"));
      assertThat(tokens.poll()).isFalse();
      assertThat(tokens.current().find("s-b")).as("b never lost").isPresent();
      assertThat(tokens.poll()).isTrue();
      assertThat(tokens.current().entries())
          .extracting(TokenEntry::name)
          .containsExactly("a", "b", "c");
    }
  }

  @Test
  void anInvalidOrMissingFileKeepsTheTokensInForce() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, line("a", "s-a", "acme"));
    try (TokenFile tokens = TokenFile.load(file)) {
      Files.writeString(file, "a broken line\n");
      tokens.poll();
      assertThat(tokens.poll()).isFalse();
      assertThat(tokens.current().find("s-a")).isPresent();

      Files.delete(file);
      assertThat(tokens.poll()).isFalse();
      assertThat(tokens.current().find("s-a")).isPresent();

      // Fixed: the next stable content applies.
      Files.writeString(file, line("b", "s-b", "acme"));
      tokens.poll();
      assertThat(tokens.poll()).isTrue();
      assertThat(tokens.current().find("s-a")).as("revoked").isEmpty();
      assertThat(tokens.current().find("s-b")).isPresent();
    }
  }

  @Test
  void picksUpAFileReplacedByARenameOnItsOwnThread() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, line("a", "s-a", "acme"));
    try (TokenFile tokens = TokenFile.load(file)) {
      tokens.watch(Duration.ofMillis(20));
      Path next = dir.resolve("tokens.next");
      Files.writeString(next, line("b", "s-b", "globex"));
      Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (tokens.current().find("s-b").isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(tokens.current().find("s-b")).isPresent();
      assertThat(tokens.current().find("s-a")).isEmpty();
    }
  }

  @Test
  void refusesToStartWithAnInvalidOrMissingFile() throws Exception {
    Path file = dir.resolve("tokens");
    assertThatThrownBy(() -> TokenFile.load(file))
        .isInstanceOf(TokenFileException.class)
        .hasMessage(file + ": the token file cannot be read: no such file");
    Files.writeString(file, "x y z\n");
    assertThatThrownBy(() -> TokenFile.load(file))
        .isInstanceOf(TokenFileException.class)
        .hasMessageStartingWith(file + ":1: expected 4 fields");
  }
}
