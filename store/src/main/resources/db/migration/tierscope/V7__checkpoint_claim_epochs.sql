-- Claim epochs: fencing by a number the store issues instead of Kafka's generation, which can
-- restart lower (a deleted or expired consumer group, a wiped broker, per-member epochs with
-- group.protocol=consumer). Every claim sets claim_epoch to one more; a commit writes a partition
-- only while the row still has the epoch its writer was given. owner names the holder (its
-- group.instance.id, else its member id) and is NULL once released by a clean revocation or
-- shutdown, so that the next claim takes the row at once. Rows from before this migration start
-- released at epoch 0.
ALTER TABLE partition_checkpoint
    ADD COLUMN claim_epoch bigint NOT NULL DEFAULT 0,
    ADD COLUMN owner       text;
