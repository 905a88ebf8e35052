package dev.tierscope.store;

import java.sql.SQLException;

/** A database operation of the store failed; the message says which. */
public final class StoreException extends RuntimeException {

  StoreException(String what, SQLException cause) {
    super(what + " failed: " + cause.getMessage(), cause);
  }
}
