package dev.tierscope.auth;

/**
 * Where the current tokens come from: the reloaded token file ({@link TokenFile}), or a fixed set
 * (tests, embedders: {@code () -> tokens}).
 */
@FunctionalInterface
public interface TokenSource {

  /** The tokens in force now; never null. */
  Tokens current();
}
