package dev.tierscope.aggregator.consumer;

/**
 * A record set aside by {@link DeadLetters}, as a reader of the dead-letter topic sees it.
 *
 * @param key the original key, null when it had none
 * @param value the original value, null when it had none
 * @param error the {@link DeadLetters#ERROR_HEADER}: {@code <reason>: <message>}
 * @param source the {@link DeadLetters#SOURCE_HEADER}: {@code <topic>-<partition>@<offset>}
 */
public record DeadLetter(byte[] key, byte[] value, String error, String source) {}
