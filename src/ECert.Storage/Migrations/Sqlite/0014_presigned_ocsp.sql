-- Pre-signed OCSP responses, one per certificate (SHA-1 CertID, no nonce: RFC 5019), kept so a
-- responder restart does not re-sign everything. A status change deletes the certificate's
-- response and records the change, which responders poll to drop it from their caches.
CREATE TABLE ocsp_responses (
    serial       TEXT PRIMARY KEY,
    ca_slug      TEXT NOT NULL,
    this_update  INTEGER NOT NULL,
    next_update  INTEGER NOT NULL,
    der          BLOB NOT NULL
);
CREATE INDEX ocsp_responses_by_next_update ON ocsp_responses (next_update);

CREATE TABLE ocsp_changes (
    id      INTEGER PRIMARY KEY,
    serial  TEXT NOT NULL,
    at      INTEGER NOT NULL
);
