package dev.tierscope.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Token secrets and their hashes: a secret is {@value #PREFIX} and 32 random bytes from {@link
 * SecureRandom} in unpadded base64url (256 bits); the token file stores {@code sha256:} and the hex
 * SHA-256 of its UTF-8 bytes.
 *
 * <p>Why SHA-256 and not BCrypt or Argon2: those are deliberately slow (tens of milliseconds) to
 * protect low-entropy passwords against guessing once their hashes leak. Tierscope's secrets are
 * never chosen by people: {@code token create} draws 256 random bits, which no amount of guessing
 * finds whatever the hash costs, so a slow hash would buy nothing and cost its milliseconds on
 * every OTLP export and API read (or force a cache of plaintext secrets in memory). A
 * preimage-resistant fast hash is what keeps a leaked token file from revealing usable secrets; it
 * is how high-entropy API keys are commonly stored. The prefix lets secret scanners recognise a
 * leaked token.
 */
public final class TokenSecrets {

  /** Every secret starts with this, so scanners and people recognise one. */
  public static final String PREFIX = "tsk_";

  /** The hash's scheme in the token file. */
  public static final String HASH_SCHEME = "sha256:";

  private static final int SECRET_BYTES = 32;
  private static final HexFormat HEX = HexFormat.of();

  private TokenSecrets() {}

  /** A new secret: {@value #PREFIX} and 43 base64url characters (256 random bits). */
  public static String generate(SecureRandom random) {
    byte[] bytes = new byte[SECRET_BYTES];
    random.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** {@code sha256:} and the lowercase hex SHA-256 of the secret's UTF-8 bytes. */
  public static String hash(String secret) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HASH_SCHEME + HEX.formatHex(sha256.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256 (MessageDigest's Javadoc).
      throw new IllegalStateException(e);
    }
  }

  /** True for {@code sha256:} followed by 64 lowercase hex digits. */
  static boolean isHash(String s) {
    if (!s.startsWith(HASH_SCHEME) || s.length() != HASH_SCHEME.length() + 64) {
      return false;
    }
    for (int i = HASH_SCHEME.length(); i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
