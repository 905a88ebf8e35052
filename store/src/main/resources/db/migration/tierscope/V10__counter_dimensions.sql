-- Issue 20 point 4: the dimensions of every counter, per tenant and class, in a table of their own.
--
-- A report's counter read needs the dimension values a counter has (window_counter's primary key
-- is tenant, class, counter, dimension, resolution, window start: one index range scan per value
-- and run of windows). Finding them with a loose index scan over the partitions read took about as
-- long as reading the counters themselves, half of it in planning. The checkpoint registers a
-- (tenant, class, counter, dimension) here in the transaction that first writes it to
-- window_counter, so every counter row's dimension is listed; rows stay after their counters
-- expire (the read then finds nothing for them). Rollups only sum rows already listed.
CREATE TABLE counter_dimension (
    tenant        text        NOT NULL,
    traffic_class text        NOT NULL,
    counter       text        NOT NULL,
    dimension     text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, traffic_class, counter, dimension)
);

-- The dimensions already stored (a full read of window_counter, once).
INSERT INTO counter_dimension (tenant, traffic_class, counter, dimension)
SELECT DISTINCT tenant, traffic_class, counter, dimension FROM window_counter;
