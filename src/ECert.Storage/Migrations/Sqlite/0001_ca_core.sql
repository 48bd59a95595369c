-- The CA core: hierarchy, OCSP responders, certificates with their status, CRLs.
-- Times are Unix seconds (UTC). Serials are upper-case hex of the DER INTEGER content.

CREATE TABLE certificate_authorities (
    slug          TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('root', 'issuing')),
    parent_slug   TEXT REFERENCES certificate_authorities(slug),
    key_id        TEXT NOT NULL,
    certificate   BLOB NOT NULL,
    issued_count  INTEGER NOT NULL DEFAULT 0,   -- drives the partition of each new certificate
    crl_number    INTEGER NOT NULL DEFAULT 0,   -- last CRL number used, across all of the CA's CRLs
    created_at    INTEGER NOT NULL
);

CREATE TABLE ocsp_responders (
    id           INTEGER PRIMARY KEY,
    ca_slug      TEXT NOT NULL REFERENCES certificate_authorities(slug),
    key_id       TEXT NOT NULL,
    certificate  BLOB NOT NULL,
    not_before   INTEGER NOT NULL,
    not_after    INTEGER NOT NULL
);
CREATE INDEX ocsp_responders_by_ca ON ocsp_responders (ca_slug, not_after);

CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);

-- A row is written (state 'reserved') before the key signs, and completed with the DER after.
CREATE TABLE certificates (
    serial             TEXT PRIMARY KEY,
    ca_slug            TEXT NOT NULL REFERENCES certificate_authorities(slug),
    profile            TEXT NOT NULL,
    partition          INTEGER NOT NULL,
    subject            TEXT NOT NULL,
    srn                TEXT NOT NULL,
    not_before         INTEGER NOT NULL,
    not_after          INTEGER NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('reserved', 'valid', 'suspended', 'revoked', 'abandoned')),
    revoked_at         INTEGER,
    reason             INTEGER,
    invalidity_date    INTEGER,
    status_changed_at  INTEGER,
    reserved_at        INTEGER NOT NULL,
    abandon_reason     TEXT,
    der                BLOB
);
CREATE INDEX certificates_listed_on_crls ON certificates (ca_slug, partition) WHERE state IN ('revoked', 'suspended');
CREATE INDEX certificates_by_srn ON certificates (srn);

-- Every status change, for the service-level figures and the auditor.
CREATE TABLE status_history (
    id               INTEGER PRIMARY KEY,
    serial           TEXT NOT NULL REFERENCES certificates(serial),
    at               INTEGER NOT NULL,
    from_state       TEXT NOT NULL,
    to_state         TEXT NOT NULL,
    reason           INTEGER,
    invalidity_date  INTEGER
);
CREATE INDEX status_history_by_serial ON status_history (serial);

-- partition -1 is the CA's full CRL.
CREATE TABLE crls (
    ca_slug      TEXT NOT NULL REFERENCES certificate_authorities(slug),
    partition    INTEGER NOT NULL,
    number       INTEGER NOT NULL,
    this_update  INTEGER NOT NULL,
    next_update  INTEGER NOT NULL,
    entries      INTEGER NOT NULL,
    der          BLOB NOT NULL,
    PRIMARY KEY (ca_slug, partition, number)
);
