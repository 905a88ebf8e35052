-- Admission control (the control leader of the api): each tenant's policy state and each class's
-- current signal, with the readings the signal was derived from. Written only by the leader of the
-- role 'control' (updated_term: the term of the lease that wrote the row, fenced by leader_term),
-- read by every api instance.
CREATE TABLE control_state (
    tenant          text             PRIMARY KEY,
    rung            integer          NOT NULL,
    rungs           integer          NOT NULL,
    rung_since      timestamptz      NOT NULL,
    trigger_class   text             NOT NULL,
    cause           text,
    baseline_rps    double precision NOT NULL,
    rps             double precision NOT NULL,
    window_from     timestamptz      NOT NULL,
    window_to       timestamptz      NOT NULL,
    evaluated_at    timestamptz      NOT NULL,
    updated_term    bigint           NOT NULL,
    updated_at      timestamptz      NOT NULL DEFAULT now()
);

CREATE TABLE control_signal (
    tenant            text             NOT NULL,
    traffic_class     text             NOT NULL,
    action            text             NOT NULL,
    degradation_level integer          NOT NULL,
    since             timestamptz      NOT NULL,
    evaluated_at      timestamptz      NOT NULL,
    expires_at        timestamptz      NOT NULL,
    mesh_level        integer          NOT NULL,
    mesh_since        timestamptz      NOT NULL,
    reasons           text[]           NOT NULL,
    -- the class's reading over the fast window (requests = 0: none)
    requests          bigint           NOT NULL,
    ttft_count        bigint           NOT NULL,
    ttft_p95_micros   bigint           NOT NULL,
    threshold_micros  bigint           NOT NULL,
    burn_rate         double precision NOT NULL,
    peak_burn_rate    double precision NOT NULL,
    queue_share       double precision NOT NULL,
    peak_queue_share  double precision NOT NULL,
    verdict           text,
    updated_term      bigint           NOT NULL,
    PRIMARY KEY (tenant, traffic_class),
    CHECK (action IN ('admit', 'degrade', 'defer', 'shed'))
);
