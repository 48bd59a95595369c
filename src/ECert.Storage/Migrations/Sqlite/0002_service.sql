-- The service around the CA: outlets and officers, subscribers, applications, payments,
-- subscriptions, notifications and status requests. Times are Unix seconds (UTC); dates are
-- ISO text (YYYY-MM-DD); money is integer cents (HKD).

CREATE TABLE outlets (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    address   TEXT NOT NULL,
    district  TEXT NOT NULL,
    services  TEXT NOT NULL,          -- comma-separated
    hours     TEXT NOT NULL           -- e.g. "Mon 09:00-17:00,Tue 09:00-17:00"
);

CREATE TABLE outlet_closures (
    outlet_code  TEXT NOT NULL REFERENCES outlets(code),
    date         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    PRIMARY KEY (outlet_code, date)
);

CREATE TABLE officers (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    is_supervisor  INTEGER NOT NULL,
    outlets        TEXT NOT NULL,     -- comma-separated outlet codes
    active         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE organisations (
    br_number  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    address    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- The holder of certificates under one Subscriber Reference Number, kept across renewals.
CREATE TABLE subscribers (
    srn               TEXT PRIMARY KEY,
    kind              TEXT NOT NULL CHECK (kind IN ('person', 'authorised-user', 'authorised-unit', 'server')),
    name              TEXT NOT NULL,
    chinese_name      TEXT,
    identity_hash     BLOB,           -- HMAC-SHA256 of the identity number (persons), never the number
    identity_masked   TEXT,           -- e.g. A123***(3)
    certificate_email TEXT,
    contact_email     TEXT,
    postal_address    TEXT,
    br_number         TEXT REFERENCES organisations(br_number),
    org_unit          TEXT,
    role              TEXT,           -- for organisation members: 'AR' for an Authorised Representative
    created_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX subscribers_person_identity ON subscribers (identity_hash) WHERE kind = 'person';
CREATE INDEX subscribers_by_organisation ON subscribers (br_number);

CREATE TABLE applications (
    id                  TEXT PRIMARY KEY,
    srn                 TEXT NOT NULL REFERENCES subscribers(srn),
    profile             TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('first', 'renewal')),
    channel             TEXT NOT NULL CHECK (channel IN ('online', 'counter')),
    state               TEXT NOT NULL,
    term_years          INTEGER NOT NULL,
    dns_names           TEXT,
    usb_medium          INTEGER NOT NULL DEFAULT 0,
    extra_servers       INTEGER NOT NULL DEFAULT 0,
    renews_serial       TEXT,
    created_at          INTEGER NOT NULL,
    verified_by         TEXT REFERENCES officers(id),
    verified_outlet     TEXT REFERENCES outlets(code),
    verified_at         INTEGER,
    document_type       TEXT,
    pin_envelope        TEXT,
    hours_override_by   TEXT,
    approved_by         TEXT REFERENCES officers(id),
    approved_at         INTEGER,
    fee_cents           INTEGER,
    tariff_code         TEXT,
    receipt             TEXT,
    serial              TEXT REFERENCES certificates(serial),
    issued_at           INTEGER,
    accepted_at         INTEGER,
    closed_reason       TEXT
);
CREATE INDEX applications_by_srn ON applications (srn);
CREATE INDEX applications_by_state ON applications (state);

CREATE TABLE tariff_versions (
    code              TEXT PRIMARY KEY,
    effective_from    TEXT NOT NULL,
    effective_until   TEXT,
    extra_server_cents INTEGER NOT NULL,
    usb_medium_cents  INTEGER NOT NULL,
    description       TEXT,
    entries           TEXT NOT NULL   -- JSON array of entries
);

CREATE TABLE payments (
    receipt          TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    srn              TEXT NOT NULL REFERENCES subscribers(srn),
    application_id   TEXT REFERENCES applications(id),
    serial           TEXT,
    product          TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('counter-cash', 'online', 'e-cheque')),
    amount_cents     INTEGER NOT NULL CHECK (amount_cents >= 0),
    outlet_code      TEXT REFERENCES outlets(code),
    officer_id       TEXT REFERENCES officers(id),
    reference        TEXT,
    refund_of        TEXT REFERENCES payments(receipt),
    at               INTEGER NOT NULL
);
CREATE INDEX payments_by_srn ON payments (srn);
CREATE INDEX payments_by_day ON payments (at);

-- Paid periods of a certificate's subscription, separate from its validity.
CREATE TABLE subscription_periods (
    serial       TEXT NOT NULL REFERENCES certificates(serial),
    starts       INTEGER NOT NULL,
    ends         INTEGER NOT NULL,
    receipt      TEXT REFERENCES payments(receipt),
    PRIMARY KEY (serial, starts)
);

-- Why a certificate is suspended, so a late payment resumes only a suspension for non-payment.
ALTER TABLE certificates ADD COLUMN suspended_for TEXT;
ALTER TABLE certificates ADD COLUMN published INTEGER NOT NULL DEFAULT 1;

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    srn         TEXT REFERENCES subscribers(srn),
    serial      TEXT,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    due_at      INTEGER NOT NULL,
    sent_at     INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    UNIQUE (kind, serial)
);

CREATE TABLE status_requests (
    id            TEXT PRIMARY KEY,
    serial        TEXT NOT NULL REFERENCES certificates(serial),
    action        TEXT NOT NULL CHECK (action IN ('revoke', 'suspend', 'resume')),
    channel       TEXT NOT NULL CHECK (channel IN ('counter', 'signed-email', 'letter', 'fax', 'phone', 'online')),
    requested_by  TEXT NOT NULL,
    requester_role TEXT NOT NULL,
    reason        INTEGER,
    received_at   INTEGER NOT NULL,
    done_at       INTEGER,
    state         TEXT NOT NULL CHECK (state IN ('pending-original', 'done', 'refused')),
    note          TEXT
);

CREATE TABLE counters_by_year (
    name   TEXT NOT NULL,
    year   INTEGER NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (name, year)
);
