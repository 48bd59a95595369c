using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;
using ECert.Core.Profiles;

namespace ECert.Core.Issuance;

/// <summary>
/// Checks a prepared to-be-signed certificate against its profile and the rules of RFC 5280 and the
/// Baseline Requirements, before any key signs it. Any finding blocks issuance.
/// </summary>
public static class CertificateLinter
{
    public static IReadOnlyList<string> Lint(TbsCertificate tbs, CertificateProfile profile, X509Certificate2 issuer)
    {
        var issuerNotAfter = new DateTimeOffset(issuer.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var findings = new List<string>();
        void Require(bool ok, string finding) { if (!ok) findings.Add(finding); }

        // Serial: positive, at least 64 bits of entropy, at most 20 octets (RFC 5280 4.1.2.2, BR 7.1).
        Require(tbs.Serial.Length is >= 9 and <= 20 && tbs.Serial[0] is > 0 and < 0x80,
            "serial number must be positive, at most 20 octets and carry at least 64 random bits");

        // Validity: inclusive of both ends, as the Baseline Requirements count it.
        var validity = tbs.NotAfter - tbs.NotBefore + TimeSpan.FromSeconds(1);
        Require(tbs.NotAfter > tbs.NotBefore, "notAfter must be after notBefore");
        // (Findings with details are written only when they are found: a bulk run lints a million certificates.)
        if (validity > TimeSpan.FromDays(profile.MaxValidityDays))
            findings.Add($"validity of {validity.TotalDays:0.##} days exceeds the profile's {profile.MaxValidityDays} days");
        if (tbs.NotAfter > issuerNotAfter)
            findings.Add($"the certificate would outlive its issuing CA (CA expires {issuerNotAfter:yyyy-MM-dd}); the CA needs rolling over");

        var basic = Decoded(tbs.Find(Oids.BasicConstraints), extension => new BasicConstraints(
            new X509BasicConstraintsExtension(new AsnEncodedData(extension.RawData), extension.Critical).CertificateAuthority, extension.Critical));
        Require(basic is { CertificateAuthority: false, Critical: true }, "basicConstraints must be present, critical, with cA false");

        var keyUsage = Decoded(tbs.Find(Oids.KeyUsage), extension => new KeyUsage(
            new X509KeyUsageExtension(new AsnEncodedData(extension.RawData), extension.Critical).KeyUsages, extension.Critical));
        Require(keyUsage is { Critical: true }, "keyUsage must be present and critical");
        if (keyUsage is not null)
        {
            Require((keyUsage.KeyUsages & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) == 0, "keyCertSign/cRLSign in a subscriber certificate");
            var isEc = tbs.PublicKey.Oid.Value == Oids.EcPublicKey;
            Require(!isEc || (keyUsage.KeyUsages & (X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment)) == 0,
                "keyEncipherment/dataEncipherment cannot be used with an EC key");
        }

        var ekuOids = Decoded(tbs.Find(Oids.ExtendedKeyUsage), extension => new ExtendedKeyUsages(
            new X509EnhancedKeyUsageExtension(new AsnEncodedData(extension.RawData), extension.Critical)
                .EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToList()))?.Oids ?? [];
        Require(ekuOids.SequenceEqual(profile.ExtendedKeyUsageOids), "extendedKeyUsage differs from the profile");

        foreach (var oid in RequiredExtensions)
            if (tbs.Find(oid) is null) findings.Add($"extension {oid} is missing");
        Require(NoneTwice(tbs.Extensions), "an extension appears twice (RFC 5280 4.2)");

        if (profile.IsServer)
        {
            var san = Typed(tbs.Find(Oids.SubjectAltName), (raw, critical) => new X509SubjectAlternativeNameExtension(raw, critical));
            var dnsNames = san?.EnumerateDnsNames().ToList() ?? [];
            Require(dnsNames.Count > 0, "a TLS certificate needs DNS names in subjectAltName (BR 7.1.2.7.12)");
            Require(dnsNames.Count <= profile.MaxDnsNames, $"more than {profile.MaxDnsNames} DNS names");
            var commonName = tbs.Subject.GetSingleAttribute(DistinguishedName.CommonName);
            Require(commonName is null || dnsNames.Contains(commonName), "the common name must be one of the subjectAltName DNS names (BR 7.1.4.3)");
            Require(validity <= TimeSpan.FromDays(ProfileFactory.ServerMaxValidityDays), "a TLS certificate may be valid at most 199 days");
        }
        Require(tbs.Subject.RawData.Length > 2, "the subject name is empty");

        // Policy OIDs are not hierarchical: each one the certificate asserts must be in the issuing
        // CA's policies (or the CA must assert anyPolicy), or path validation drops it (RFC 5280 6.1.3).
        var issuerPolicies = IssuerPolicies.GetValue(issuer, ca => PolicyOids(ca.Extensions[Oids.CertificatePolicies]));
        if (!issuerPolicies.Contains("2.5.29.32.0"))
            foreach (var policy in profile.PolicyOids.Where(p => !issuerPolicies.Contains(p)))
                findings.Add($"policy {policy} is not among the issuing CA's policies; relying parties would reject it");
        return findings;
    }

    /// <summary>An issuing CA's policies, read once per CA certificate object rather than once per certificate linted.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<X509Certificate2, List<string>> IssuerPolicies = new();

    private static List<string> PolicyOids(X509Extension? extension)
    {
        if (extension is null) return [];
        var reader = new System.Formats.Asn1.AsnReader(extension.RawData, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var oids = new List<string>();
        while (reader.HasData) oids.Add(reader.ReadSequence().ReadObjectIdentifier());
        return oids;
    }

    private static readonly string[] RequiredExtensions =
        [Oids.SubjectKeyIdentifier, Oids.AuthorityKeyIdentifier, Oids.CrlDistributionPoints, Oids.AuthorityInfoAccess, Oids.CertificatePolicies];

    private static bool NoneTwice(IReadOnlyList<X509Extension> extensions)
    {
        for (var i = 1; i < extensions.Count; i++)
            for (var j = 0; j < i; j++)
                if (extensions[i].Oid?.Value == extensions[j].Oid?.Value) return false;
        return true;
    }

    // What the linter reads from an extension, as plain values.
    private sealed record BasicConstraints(bool CertificateAuthority, bool Critical);
    private sealed record KeyUsage(X509KeyUsageFlags KeyUsages, bool Critical);
    private sealed record ExtendedKeyUsages(IReadOnlyList<string?> Oids);

    /// <summary>
    /// What the linter reads from an extension, decoded once per extension object and its bytes:
    /// the extensions a profile shares are the same objects in every certificate of a bulk run, so
    /// each certificate is still checked against them without decoding the same bytes a million
    /// times. What is cached are plain values, built whole before they are shared, never a typed
    /// .NET extension (those decode lazily, without a lock).
    /// </summary>
    private static T? Decoded<T>(X509Extension? extension, Func<X509Extension, T> decode) where T : class
    {
        if (extension is null) return null;
        // An X509Extension's bytes and criticality can be set after it is made: the cache answers only for the same ones.
        if (DecodedExtensions.TryGetValue(extension, out var cached) && cached.Value is T known
            && cached.Critical == extension.Critical && cached.Raw.AsSpan().SequenceEqual(extension.RawData))
            return known;
        var value = decode(extension);
        DecodedExtensions.AddOrUpdate(extension, new DecodedExtension(extension.RawData.ToArray(), extension.Critical, value));
        return value;
    }

    private sealed record DecodedExtension(byte[] Raw, bool Critical, object Value);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<X509Extension, DecodedExtension> DecodedExtensions = new();

    /// <summary>The typed view of an extension, whichever way it was built.</summary>
    private static T? Typed<T>(X509Extension? extension, Func<byte[], bool, T> create) where T : X509Extension =>
        extension switch { null => null, T typed => typed, _ => create(extension.RawData, extension.Critical) };

    private static string? GetSingleAttribute(this X500DistinguishedName name, string oid) =>
        name.EnumerateRelativeDistinguishedNames().FirstOrDefault(r => r.GetSingleElementType().Value == oid)?.GetSingleElementValue();
}
