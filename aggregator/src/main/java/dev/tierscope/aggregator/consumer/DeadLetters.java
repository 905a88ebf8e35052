package dev.tierscope.aggregator.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Where records that cannot be processed go, with the reason; never blocks the loop for long. */
public interface DeadLetters {

  /** Header carrying the English reason a record was dead-lettered. */
  String ERROR_HEADER = "tierscope.error";

  void send(ConsumerRecord<byte[], byte[]> record, String error);
}
