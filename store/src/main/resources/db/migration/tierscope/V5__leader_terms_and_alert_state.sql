-- Leader election (PostgresLeaderElection): the lock itself is a session-level advisory lock; this
-- table holds each role's current term, raised by every new leader, so that stores can refuse
-- writes from a leader whose lock is gone (a fencing token).
CREATE TABLE leader_term (
    role        text        PRIMARY KEY,
    term        bigint      NOT NULL,
    holder      text        NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now()
);

-- Firing state of the pushed burn-rate alerts, one row per (tenant, class, SLI, severity), written
-- only by the alerting leader (updated_term is the term of the lease that wrote it).
CREATE TABLE alert_state (
    tenant            text        NOT NULL,
    traffic_class     text        NOT NULL,
    sli               text        NOT NULL,
    severity          text        NOT NULL,
    status            text        NOT NULL,
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz,
    pushed_at         timestamptz,
    webhook_status    text,
    annotation_keys   text[]      NOT NULL,
    annotation_values text[]      NOT NULL,
    updated_term      bigint      NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, traffic_class, sli, severity),
    CHECK (status IN ('firing', 'resolved'))
);
