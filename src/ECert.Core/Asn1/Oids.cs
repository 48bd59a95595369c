namespace ECert.Core.Asn1;

/// <summary>Object identifiers used across the CA, by the names the RFCs give them.</summary>
public static class Oids
{
    /// <summary>
    /// ECert's own arc: an X.667 UUID OID (2.25.&lt;uuid&gt;), which needs no registration.
    /// Sub-arcs: .1 certificate policies, .2 certificate extensions.
    /// </summary>
    public const string ECertArc = "2.25.224539380515631283243301711707665458113";
    public const string ECertPolicyArc = ECertArc + ".1";
    /// <summary>Private extension carrying the keyed hash of the subscriber's identity number.</summary>
    public const string ProtectedIdentityNumber = ECertArc + ".2.1";

    // Keys and hashes
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string Secp256r1 = "1.2.840.10045.3.1.7";
    public const string Secp384r1 = "1.3.132.0.34";
    public const string Sha1 = "1.3.14.3.2.26";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";
    public const string HmacWithSha256 = "1.2.840.113549.2.9";

    // Certificate and CRL extensions (RFC 5280)
    public const string SubjectKeyIdentifier = "2.5.29.14";
    public const string KeyUsage = "2.5.29.15";
    public const string SubjectAltName = "2.5.29.17";
    public const string BasicConstraints = "2.5.29.19";
    public const string CrlNumber = "2.5.29.20";
    public const string CrlReasonCode = "2.5.29.21";
    public const string InvalidityDate = "2.5.29.24";
    public const string IssuingDistributionPoint = "2.5.29.28";
    public const string CrlDistributionPoints = "2.5.29.31";
    public const string CertificatePolicies = "2.5.29.32";
    public const string AuthorityKeyIdentifier = "2.5.29.35";
    public const string ExtendedKeyUsage = "2.5.29.37";
    public const string AuthorityInfoAccess = "1.3.6.1.5.5.7.1.1";

    // Extended key usages
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string EmailProtection = "1.3.6.1.5.5.7.3.4";
    public const string OcspSigning = "1.3.6.1.5.5.7.3.9";

    // OCSP (RFC 6960)
    public const string OcspBasic = "1.3.6.1.5.5.7.48.1.1";
    public const string OcspNonce = "1.3.6.1.5.5.7.48.1.2";
    public const string OcspNoCheck = "1.3.6.1.5.5.7.48.1.5";

    // CA/Browser Forum reserved policy: organisation validated TLS
    public const string CabfOrganizationValidated = "2.23.140.1.2.2";

    // Name attributes
    public const string SerialNumberAttribute = "2.5.4.5";
    public const string OrganizationIdentifier = "2.5.4.97";
}
