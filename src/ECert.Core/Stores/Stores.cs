namespace ECert.Core.Stores;

/// <summary>The CA hierarchy and the OCSP responders' certificates.</summary>
public interface ICaStore
{
    IReadOnlyList<CaRecord> ListCas();
    CaRecord? FindCa(string slug);
    void AddCa(CaRecord ca);
    OcspResponderRecord? FindResponder(string caSlug);
    void SaveResponder(OcspResponderRecord responder);
}

/// <summary>What responders (OCSP, CRL download, repository) read; they never write.</summary>
public interface ICertificateStatusReader
{
    CertificateRecord? FindCertificate(string serialHex);
    CrlRecord? FindLatestCrl(string caSlug, int? partition);

    /// <summary>
    /// The DER of a stored CRL as a read-only stream, without loading it into memory; null when
    /// it is no longer kept. The caller disposes the stream.
    /// </summary>
    Stream? OpenCrl(CrlRecord crl);
}

/// <summary>The issuance store: serial reservation, stored certificates, status changes, CRLs.</summary>
public interface ICertificateStore : ICertificateStatusReader
{
    /// <summary>A new Subscriber Reference Number, unique in this instance.</summary>
    string AllocateSrn();

    /// <summary>
    /// Durably records the intent to issue under this serial and fixes its CRL partition.
    /// Returns the partition; throws Conflict if the serial was ever used.
    /// </summary>
    int Reserve(CertificateReservation reservation, int partitionSize);

    /// <summary>Stores the signed certificate; the serial becomes valid; published ones are in the repository.</summary>
    void CompleteIssuance(string serialHex, byte[] der, bool published);

    /// <summary>Puts an issued certificate in the public repository (after the subscriber accepts it).</summary>
    void Publish(string serialHex);

    /// <summary>Marks a reservation that was never signed; the serial is never used again.</summary>
    void AbandonIssuance(string serialHex, string why);

    /// <summary>Applies the change if the certificate is still in the expected state; false otherwise.</summary>
    bool ChangeStatus(StatusChange change);

    /// <summary>
    /// As one consistent snapshot: the CA's revoked and suspended certificates not expired at
    /// <paramref name="at"/>, its partition count, and fresh CRL numbers for the CRLs to be made
    /// from them (the full CRL and every partition, or only <paramref name="onlyPartition"/>).
    /// Taking the numbers with the entries means a CRL with a higher number never misses a
    /// revocation that a lower-numbered one shows, whichever process publishes first.
    /// </summary>
    ICrlSnapshot OpenCrlSnapshot(string caSlug, DateTimeOffset at, int? onlyPartition = null);

    /// <summary>How many partitions a CA's certificates have been spread over so far (at least 1).</summary>
    int PartitionCount(string caSlug);

    /// <summary>Every CA's CRL coverage, in one read.</summary>
    IReadOnlyList<CrlCoverage> CrlCoverage();

    /// <summary>
    /// Stores a CRL of exactly <see cref="CrlRecord.Bytes"/> bytes, which <paramref name="writeDer"/>
    /// writes into the stream it is given, and keeps only the latest CRLs of its scope.
    /// </summary>
    void SaveCrl(CrlRecord crl, Action<Stream> writeDer);
}
