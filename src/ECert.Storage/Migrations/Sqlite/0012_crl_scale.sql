-- CRLs at scale (a million revoked entries). A CRL run reads its entries from this covering
-- partial index, in the order they are written (partition, serial), without touching the
-- certificate rows themselves (each carries a ~1 KB DER blob) and without sorting.
-- It supersedes certificates_listed_on_crls (ca_slug, partition).
CREATE INDEX certificates_on_crls
    ON certificates (ca_slug, partition, serial, revoked_at, reason, invalidity_date, not_after, state)
    WHERE state IN ('revoked', 'suspended');
DROP INDEX certificates_listed_on_crls;

-- A CA's partition count is MAX(partition) over all its certificates: one seek on this index
-- instead of a scan of the table on every CRL run and every scheduler check.
CREATE INDEX certificates_by_partition ON certificates (ca_slug, partition);
