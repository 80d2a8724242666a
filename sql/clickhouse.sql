-- clickhouse.sql: every vnd table on ClickHouse (18.16 and later).
-- Made by sql/mkddl.py from man/vnd-tables.5: do not edit, run
-- 'python3 sql/mkddl.py >sql/clickhouse.sql'. Per host:
--   clickhouse-client --database vnd --multiquery <sql/clickhouse.sql
-- NAME_local holds the host's rows (MergeTree), NAME is the cluster's
-- (Distributed over cluster 'vnd'; inserted into, it shards packets
-- by pkt_id, the other tables at random).

-- packets
CREATE TABLE IF NOT EXISTS packets_local (
    frame Int64,
    point String,
    ts_ns Nullable(Int64),
    wire_bytes Nullable(Int64),
    cap_bytes Nullable(Int64),
    vlan Nullable(Int64),
    tunnel Nullable(String),
    vni Nullable(Int64),
    src_ip Nullable(String),
    dst_ip Nullable(String),
    ip_proto Nullable(Int64),
    ip_id Nullable(Int64),
    ttl Nullable(Int64),
    ip_bytes Nullable(Int64),
    src_port Nullable(Int64),
    dst_port Nullable(Int64),
    tcp_flags Nullable(Int64),
    seq Nullable(Int64),
    ack Nullable(Int64),
    win Nullable(Int64),
    payload_bytes Nullable(Int64),
    mss Nullable(Int64),
    wscale Nullable(Int64),
    tsval Nullable(Int64),
    tsecr Nullable(Int64),
    sack Nullable(String),
    pkt_id Nullable(Int64),
    payload_hash Nullable(Int64),
    malformed Nullable(String),
    sack_ok Nullable(Int64),
    frag_off Nullable(Int64),
    frag_more Nullable(Int64),
    icmp_type Nullable(Int64),
    icmp_code Nullable(Int64),
    fp UInt64 ALIAS cityHash64(ifNull(pkt_id, -1), ifNull(ack, -1), ifNull(tcp_flags, -1), ifNull(win, -1), ifNull(payload_bytes, -1), ifNull(payload_hash, -1), ifNull(icmp_type, -1), ifNull(icmp_code, -1), ifNull(frag_off, -1), ifNull(tsval, -1), ifNull(tsecr, -1)),
    flow String ALIAS concat(ifNull(src_ip, '-'), ' ', ifNull(toString(src_port), '-'), ' ', ifNull(dst_ip, '-'), ' ', ifNull(toString(dst_port), '-'), ' ', ifNull(toString(ip_proto), '-')),
    rflow String ALIAS concat(ifNull(dst_ip, '-'), ' ', ifNull(toString(dst_port), '-'), ' ', ifNull(src_ip, '-'), ' ', ifNull(toString(src_port), '-'), ' ', ifNull(toString(ip_proto), '-'))
) ENGINE = MergeTree()
ORDER BY (point, frame);

CREATE TABLE IF NOT EXISTS packets AS packets_local
ENGINE = Distributed(vnd, currentDatabase(), packets_local, cityHash64(ifNull(pkt_id, 0)));

-- meta
CREATE TABLE IF NOT EXISTS meta_local (
    point Nullable(String),
    file Nullable(String),
    format Nullable(String),
    link_types Nullable(String),
    packets Nullable(Int64),
    malformed_pkts Nullable(Int64),
    first_ts_ns Nullable(Int64),
    last_ts_ns Nullable(Int64),
    filter Nullable(String),
    config Nullable(String),
    tool Nullable(String),
    version Nullable(String),
    command Nullable(String)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS meta AS meta_local
ENGINE = Distributed(vnd, currentDatabase(), meta_local, rand());

-- tool_meta
CREATE TABLE IF NOT EXISTS tool_meta_local (
    point Nullable(String),
    file Nullable(String),
    format Nullable(String),
    packets Nullable(Int64),
    offset_ns Nullable(Int64),
    offset_how Nullable(String),
    tool Nullable(String),
    version Nullable(String),
    command Nullable(String)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS tool_meta AS tool_meta_local
ENGINE = Distributed(vnd, currentDatabase(), tool_meta_local, rand());

-- hops
CREATE TABLE IF NOT EXISTS hops_local (
    in_point Nullable(String),
    out_point Nullable(String),
    src_side Nullable(String),
    slot_ts_ns Nullable(Int64),
    src_ip Nullable(String),
    src_port Nullable(Int64),
    dst_ip Nullable(String),
    dst_port Nullable(Int64),
    ip_proto Nullable(Int64),
    in_pkts Nullable(Int64),
    out_pkts Nullable(Int64),
    lost_pkts Nullable(Int64),
    loss_ratio Nullable(Float64),
    delay_min_ns Nullable(Int64),
    delay_p50_ns Nullable(Int64),
    delay_p99_ns Nullable(Int64),
    delay_max_ns Nullable(Int64),
    created_pkts Nullable(Int64),
    dup_pkts Nullable(Int64),
    offset_ns Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS hops AS hops_local
ENGINE = Distributed(vnd, currentDatabase(), hops_local, rand());

-- lost
CREATE TABLE IF NOT EXISTS lost_local (
    in_point Nullable(String),
    out_point Nullable(String),
    src_side Nullable(String),
    what Nullable(String),
    point Nullable(String),
    frame Nullable(Int64),
    ts_ns Nullable(Int64),
    src_ip Nullable(String),
    dst_ip Nullable(String),
    ip_proto Nullable(Int64),
    src_port Nullable(Int64),
    dst_port Nullable(Int64),
    seq Nullable(Int64),
    payload_bytes Nullable(Int64),
    pkt_id Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS lost AS lost_local
ENGINE = Distributed(vnd, currentDatabase(), lost_local, rand());

-- flows
CREATE TABLE IF NOT EXISTS flows_local (
    in_src_ip Nullable(String),
    in_src_port Nullable(Int64),
    in_dst_ip Nullable(String),
    in_dst_port Nullable(Int64),
    ip_proto Nullable(Int64),
    out_src_ip Nullable(String),
    out_src_port Nullable(Int64),
    out_dst_ip Nullable(String),
    out_dst_port Nullable(Int64),
    method Nullable(String),
    matched_pkts Nullable(Int64),
    confidence Nullable(Float64),
    in_first_ts_ns Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS flows AS flows_local
ENGINE = Distributed(vnd, currentDatabase(), flows_local, rand());

-- pairs
CREATE TABLE IF NOT EXISTS pairs_local (
    in_frame Nullable(Int64),
    out_frame Nullable(Int64),
    in_ts_ns Nullable(Int64),
    out_ts_ns Nullable(Int64),
    delay_ns Nullable(Int64),
    from Nullable(String),
    method Nullable(String)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS pairs AS pairs_local
ENGINE = Distributed(vnd, currentDatabase(), pairs_local, rand());

-- samples
CREATE TABLE IF NOT EXISTS samples_local (
    point Nullable(String),
    ts_ns Nullable(Int64),
    src_ip Nullable(String),
    src_port Nullable(Int64),
    dst_ip Nullable(String),
    dst_port Nullable(Int64),
    ip_proto Nullable(Int64),
    far_end Nullable(String),
    kind Nullable(String),
    rtt_ns Nullable(Int64),
    rule Nullable(String),
    data_frame Nullable(Int64),
    ack_frame Nullable(Int64),
    seq Nullable(Int64),
    ack Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS samples AS samples_local
ENGINE = Distributed(vnd, currentDatabase(), samples_local, rand());

-- rtt_flows
CREATE TABLE IF NOT EXISTS rtt_flows_local (
    point Nullable(String),
    slot_ts_ns Nullable(Int64),
    src_ip Nullable(String),
    src_port Nullable(Int64),
    dst_ip Nullable(String),
    dst_port Nullable(Int64),
    ip_proto Nullable(Int64),
    far_end Nullable(String),
    samples Nullable(Int64),
    rejected Nullable(Int64),
    rtt_min_ns Nullable(Int64),
    rtt_p50_ns Nullable(Int64),
    rtt_mean_ns Nullable(Int64),
    rtt_p99_ns Nullable(Int64),
    rtt_max_ns Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS rtt_flows AS rtt_flows_local
ENGINE = Distributed(vnd, currentDatabase(), rtt_flows_local, rand());

-- connections
CREATE TABLE IF NOT EXISTS connections_local (
    point Nullable(String),
    src_ip Nullable(String),
    src_port Nullable(Int64),
    dst_ip Nullable(String),
    dst_port Nullable(Int64),
    ip_proto Nullable(Int64),
    sender Nullable(String),
    start_ts_ns Nullable(Int64),
    end_ts_ns Nullable(Int64),
    conn_state Nullable(String),
    mss Nullable(Int64),
    wscale_snd Nullable(Int64),
    wscale_rcv Nullable(Int64),
    sack_ok Nullable(Int64),
    ts_ok Nullable(Int64),
    data_pkts Nullable(Int64),
    data_bytes Nullable(Int64),
    unique_bytes Nullable(Int64),
    retx_pkts Nullable(Int64),
    retx_fast Nullable(Int64),
    retx_timeout Nullable(Int64),
    capture_dups Nullable(Int64),
    dupacks Nullable(Int64),
    triple_dupacks Nullable(Int64),
    zero_windows Nullable(Int64),
    zero_window_probes Nullable(Int64),
    window_full Nullable(Int64),
    max_flight_bytes Nullable(Int64),
    sender_limited_ratio Nullable(Float64),
    receiver_limited_ratio Nullable(Float64),
    network_limited_ratio Nullable(Float64),
    verdict Nullable(String),
    reordered_pkts Nullable(Int64),
    retx_lost_upstream Nullable(Int64),
    retx_spurious Nullable(Int64),
    mss_inferred Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS connections AS connections_local
ENGINE = Distributed(vnd, currentDatabase(), connections_local, rand());

-- events
CREATE TABLE IF NOT EXISTS events_local (
    point Nullable(String),
    ts_ns Nullable(Int64),
    frame Nullable(Int64),
    src_ip Nullable(String),
    src_port Nullable(Int64),
    dst_ip Nullable(String),
    dst_port Nullable(Int64),
    event Nullable(String),
    value Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS events AS events_local
ENGINE = Distributed(vnd, currentDatabase(), events_local, rand());

-- tcpstate_slots
CREATE TABLE IF NOT EXISTS tcpstate_slots_local (
    point Nullable(String),
    src_ip Nullable(String),
    src_port Nullable(Int64),
    dst_ip Nullable(String),
    dst_port Nullable(Int64),
    ip_proto Nullable(Int64),
    sender Nullable(String),
    slot_ts_ns Nullable(Int64),
    sender_limited_ratio Nullable(Float64),
    receiver_limited_ratio Nullable(Float64),
    network_limited_ratio Nullable(Float64),
    verdict Nullable(String)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS tcpstate_slots AS tcpstate_slots_local
ENGINE = Distributed(vnd, currentDatabase(), tcpstate_slots_local, rand());

-- manifest
CREATE TABLE IF NOT EXISTS manifest_local (
    point Nullable(String),
    interface Nullable(String),
    file Nullable(String),
    first_ts_ns Nullable(Int64),
    last_ts_ns Nullable(Int64),
    packets Nullable(Int64),
    kernel_drops Nullable(Int64),
    if_drops Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS manifest AS manifest_local
ENGINE = Distributed(vnd, currentDatabase(), manifest_local, rand());

-- counters
CREATE TABLE IF NOT EXISTS counters_local (
    ts_ns Nullable(Int64),
    element Nullable(String),
    attr Nullable(String),
    value Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS counters AS counters_local
ENGINE = Distributed(vnd, currentDatabase(), counters_local, rand());

-- chain
CREATE TABLE IF NOT EXISTS chain_local (
    element Nullable(String),
    in_point Nullable(String),
    out_point Nullable(String)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS chain AS chain_local
ENGINE = Distributed(vnd, currentDatabase(), chain_local, rand());

-- causes
CREATE TABLE IF NOT EXISTS causes_local (
    rank Nullable(Int64),
    element Nullable(String),
    analysis Nullable(String),
    resource Nullable(String),
    kind Nullable(String),
    lost_pkts Nullable(Int64),
    evidence Nullable(String),
    sentence Nullable(String)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS causes AS causes_local
ENGINE = Distributed(vnd, currentDatabase(), causes_local, rand());

-- messages
CREATE TABLE IF NOT EXISTS messages_local (
    msg Nullable(Int64),
    txn Nullable(Int64),
    point Nullable(String),
    ts_ns Nullable(Int64),
    end_ts_ns Nullable(Int64),
    conn Nullable(Int64),
    src_ip Nullable(String),
    src_port Nullable(Int64),
    dst_ip Nullable(String),
    dst_port Nullable(Int64),
    proto Nullable(String),
    kind Nullable(String),
    server Nullable(String),
    method Nullable(String),
    target Nullable(String),
    status Nullable(Int64),
    failure Nullable(String),
    answers Nullable(Int64),
    latency_ns Nullable(Int64),
    amqp_method Nullable(String),
    exchange Nullable(String),
    request_id Nullable(String),
    global_request_id Nullable(String),
    msg_id Nullable(String),
    reply_q Nullable(String),
    unique_id Nullable(String),
    uuids Nullable(String),
    auth Nullable(String),
    body_bytes Nullable(Int64),
    gap_bytes Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS messages AS messages_local
ENGINE = Distributed(vnd, currentDatabase(), messages_local, rand());

-- transactions
CREATE TABLE IF NOT EXISTS transactions_local (
    txn Nullable(Int64),
    ts_ns Nullable(Int64),
    end_ts_ns Nullable(Int64),
    duration_ns Nullable(Int64),
    root_msg Nullable(Int64),
    root_method Nullable(String),
    root_target Nullable(String),
    messages Nullable(Int64),
    http Nullable(Int64),
    rpc Nullable(Int64),
    services Nullable(String),
    request_id Nullable(String),
    outcome Nullable(String),
    fault_msg Nullable(Int64)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS transactions AS transactions_local
ENGINE = Distributed(vnd, currentDatabase(), transactions_local, rand());

-- faults
CREATE TABLE IF NOT EXISTS faults_local (
    txn Nullable(Int64),
    ts_ns Nullable(Int64),
    root_msg Nullable(Int64),
    root_method Nullable(String),
    root_target Nullable(String),
    fault_msg Nullable(Int64),
    fault Nullable(String),
    server Nullable(String),
    method Nullable(String),
    target Nullable(String),
    status Nullable(Int64),
    failure Nullable(String),
    request_id Nullable(String),
    chain Nullable(String)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS faults AS faults_local
ENGINE = Distributed(vnd, currentDatabase(), faults_local, rand());

-- streams
CREATE TABLE IF NOT EXISTS streams_local (
    point Nullable(String),
    conn Nullable(Int64),
    src_ip Nullable(String),
    src_port Nullable(Int64),
    dst_ip Nullable(String),
    dst_port Nullable(Int64),
    proto Nullable(String),
    first_ts_ns Nullable(Int64),
    last_ts_ns Nullable(Int64),
    segs Nullable(Int64),
    bytes Nullable(Int64),
    gaps Nullable(Int64),
    gap_bytes Nullable(Int64),
    retx_bytes Nullable(Int64),
    overlap_bytes Nullable(Int64),
    conflict_bytes Nullable(Int64),
    ooo_segs Nullable(Int64),
    held_max_bytes Nullable(Int64),
    fnv1a Nullable(String)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS streams AS streams_local
ENGINE = Distributed(vnd, currentDatabase(), streams_local, rand());

-- loads
CREATE TABLE IF NOT EXISTS loads_local (
    file Nullable(String),
    size_bytes Nullable(Int64),
    sha256 Nullable(String),
    rows Nullable(Int64),
    loaded_ts_ns Nullable(Int64),
    target_table Nullable(String)
) ENGINE = MergeTree()
ORDER BY tuple();

CREATE TABLE IF NOT EXISTS loads AS loads_local
ENGINE = Distributed(vnd, currentDatabase(), loads_local, rand());
