namespace ECert.Core.Issuance;

/// <summary>
/// The public URLs written into certificates, all below the instance's base URL. The server's
/// routes serve exactly these paths (see ECert.Server's endpoint files).
/// </summary>
public sealed class CaUrls(string baseUrl)
{
    private readonly string _base = baseUrl.TrimEnd('/');

    public string Ocsp => $"{_base}/ocsp";
    public string CaCertificate(string caSlug) => $"{_base}/ca/{caSlug}.crt";
    public string FullCrl(string caSlug) => $"{_base}/crl/{caSlug}.crl";
    public string PartitionCrl(string caSlug, int partition) => $"{_base}/crl/{caSlug}/{partition}.crl";
}
