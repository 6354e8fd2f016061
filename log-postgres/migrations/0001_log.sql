-- The log: one row per event, at its gapless global position, and the head (the last
-- position and its chain hash) in a table of one row. Appending transactions lock the head row
-- first, which orders them: see ARCHITECTURE.md "Positions on PostgreSQL".
CREATE TABLE caseledger_events (
    position bigint PRIMARY KEY CHECK (position > 0),
    stream text NOT NULL CHECK (octet_length(stream) BETWEEN 1 AND 255),
    version bigint NOT NULL CHECK (version > 0),
    id bytea NOT NULL UNIQUE CHECK (octet_length(id) = 16),
    payload bytea NOT NULL,
    hash bytea NOT NULL CHECK (octet_length(hash) = 32),
    UNIQUE (stream, version)
);

CREATE TABLE caseledger_log_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    position bigint NOT NULL CHECK (position >= 0),
    hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);

INSERT INTO caseledger_log_head (position, hash) VALUES (0, decode(repeat('00', 32), 'hex'));
