package dev.tierscope.core.store;

import dev.tierscope.core.window.WindowKey;

/**
 * A window delta a store refused for its content, not because the store was unreachable: writing it
 * again would fail the same way (PostgreSQL: a data exception such as a NUL character in a text key
 * or a sum beyond {@code bigint}, or a program limit such as an index row too large). The
 * checkpoint it came with was written without it.
 *
 * @param key the window whose delta was left out
 * @param reason what the store said, in English
 */
public record RefusedDelta(WindowKey key, String reason) {}
