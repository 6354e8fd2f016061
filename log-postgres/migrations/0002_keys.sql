-- Sealed keys shared by every node (the service's per-client data keys, wrapped under its
-- master key): one row per (class, id), `sealed` NULL once the key is destroyed, so a destroyed
-- key is never made again. The master key's fingerprint is kept in a table of one row; a node
-- whose master key differs refuses to start. See ARCHITECTURE.md "Keys on PostgreSQL".
CREATE TABLE caseledger_key_store (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    fingerprint text NOT NULL
);

CREATE TABLE caseledger_keys (
    class smallint NOT NULL,
    id bytea NOT NULL CHECK (octet_length(id) = 16),
    sealed bytea,
    PRIMARY KEY (class, id)
);
