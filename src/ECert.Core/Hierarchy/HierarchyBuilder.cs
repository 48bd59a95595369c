using System.Security.Cryptography.X509Certificates;
using ECert.Core.Asn1;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Settings;
using ECert.Core.Stores;

namespace ECert.Core.Hierarchy;

/// <summary>
/// Creates the CA hierarchy: the root (self-signed), the issuing CAs signed by the root, each
/// issuing CA's OCSP responder, and the identity-number hashing secret. Refuses to run twice.
/// </summary>
public sealed class HierarchyBuilder(ICaStore cas, IKeyStore keys, CaSettings settings, ResponderCertificates responders, TimeProvider time)
{
    public const string IdentityHashSecretId = "identity-number-hmac";

    private readonly CaUrls _urls = new(settings.BaseUrl);

    public IReadOnlyList<CaRecord> Create(KeyAlgorithm algorithm, Action<string>? progress = null)
    {
        if (cas.ListCas().Count > 0)
            throw ECertException.Conflict("a CA hierarchy already exists in this data folder; refusing to overwrite it");
        var now = DerWriting.TruncateToSeconds(time.GetUtcNow());

        progress?.Invoke($"generating the root key ({algorithm.Name()})");
        var rootDefinition = CaDefinitions.Root;
        var rootKey = keys.CreateSigningKey(rootDefinition.Slug, algorithm);
        var rootName = Name(rootDefinition.CommonName);
        var rootTbs = new TbsCertificate(SerialNumbers.NewSerial(), rootName, now, now.AddYears(rootDefinition.ValidityYears).AddSeconds(-1),
            rootName, rootKey.PublicKey,
            [
                CertificateExtensions.BasicConstraints(isCa: true),
                CertificateExtensions.KeyUsage(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign),
                CertificateExtensions.SubjectKeyIdentifier(rootKey.PublicKey),
            ]);
        var root = new CaRecord { Slug = rootDefinition.Slug, Role = CaRole.Root, KeyId = rootKey.KeyId, CertificateDer = rootTbs.Sign(rootKey) };
        cas.AddCa(root);
        var created = new List<CaRecord> { root };

        foreach (var definition in CaDefinitions.Issuing)
        {
            progress?.Invoke($"generating {definition.CommonName} ({algorithm.Name()})");
            created.Add(CreateIssuingCa(root, rootKey, definition, algorithm, now));
            progress?.Invoke($"issued the OCSP responder certificate of {definition.CommonName}");
        }

        keys.CreateSecret(IdentityHashSecretId, 32);
        keys.CreateSecret(Privacy.AesGcmFieldProtector.SecretId, 32);
        // The audit key signs the audit trail's checkpoints and the Government export's manifest.
        keys.CreateSigningKey(Audit.AuditTrail.AuditKeyId, KeyAlgorithm.P256);
        return created;
    }

    /// <summary>
    /// A new generation of an issuing CA (e.g. personal-g2 beside personal-g1), signed by the root:
    /// a key ceremony under dual control. It takes over its family's extensions and policies; profiles
    /// move to it by a profile change (also a ceremony).
    /// </summary>
    public CaRecord CreateNextGeneration(string slug)
    {
        if (cas.FindCa(slug) is not null) throw ECertException.Conflict($"CA '{slug}' exists");
        var definition = NextGeneration(slug, cas);
        var root = cas.ListCas().First(c => c.Role == CaRole.Root);
        var rootKey = keys.GetSigningKey(root.KeyId);
        return CreateIssuingCa(root, rootKey, definition, rootKey.Algorithm, DerWriting.TruncateToSeconds(time.GetUtcNow()));
    }

    /// <summary>
    /// The CA a slug such as personal-g2 names, from its family's first: the generation in digits,
    /// no leading zero (personal-g02 would be a second "G2" CA), and a name no CA has yet.
    /// </summary>
    public static CaDefinition NextGeneration(string slug, ICaStore cas)
    {
        var dash = slug.LastIndexOf("-g", StringComparison.Ordinal);
        var family = dash > 0 ? slug[..dash] : "";
        var digits = dash > 0 ? slug[(dash + 2)..] : "";
        if (dash <= 0 || digits.Length is 0 or > 4 || !digits.All(char.IsAsciiDigit) || digits[0] == '0' || digits == "1")
            throw ECertException.Invalid($"'{slug}' is not a later generation of a CA family, e.g. personal-g2");
        var template = CaDefinitions.Issuing.FirstOrDefault(d => d.Slug == family + "-g1")
            ?? throw ECertException.Invalid($"there is no CA family '{family}'; families are {string.Join(", ", CaDefinitions.Issuing.Select(d => d.Slug[..^3]))}");
        var generation = int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        var definition = template with { Slug = slug, CommonName = template.CommonName[..template.CommonName.LastIndexOf(' ')] + $" G{generation}" };
        // Relying parties find a CA by its name: two CAs must never share one.
        if (cas.ListCas().FirstOrDefault(c => c.Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) == definition.CommonName) is { } namesake)
            throw ECertException.Conflict($"CA '{namesake.Slug}' already has the name '{definition.CommonName}'");
        return definition;
    }

    private CaRecord CreateIssuingCa(CaRecord root, SigningKey rootKey, CaDefinition definition, KeyAlgorithm algorithm, DateTimeOffset now)
    {
        var key = keys.CreateSigningKey(definition.Slug, algorithm);
        var extensions = new List<X509Extension>
        {
            CertificateExtensions.BasicConstraints(isCa: true, pathLength: 0),
            CertificateExtensions.KeyUsage(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature),
            CertificateExtensions.SubjectKeyIdentifier(key.PublicKey),
            CertificateExtensions.AuthorityKeyIdentifier(root.SubjectKeyIdentifier),
            CertificateExtensions.CrlDistributionPoint(_urls.FullCrl(root.Slug)),
            CertificateExtensions.AuthorityInformationAccess(null, _urls.CaCertificate(root.Slug)),
            CertificateExtensions.CertificatePolicies(definition.Policies),
        };
        if (definition.ExtendedKeyUsages is { } ekus) extensions.Add(CertificateExtensions.ExtendedKeyUsage(ekus));
        var notAfter = Min(now.AddYears(definition.ValidityYears).AddSeconds(-1), root.NotAfter);
        var tbs = new TbsCertificate(SerialNumbers.NewSerial(), root.Certificate.SubjectName, now, notAfter, Name(definition.CommonName), key.PublicKey, extensions);
        var ca = new CaRecord { Slug = definition.Slug, Role = CaRole.Issuing, ParentSlug = root.Slug, KeyId = key.KeyId, CertificateDer = tbs.Sign(rootKey) };
        SignatureCheck.RequireValid(ca.CertificateDer, root.Certificate);
        cas.AddCa(ca);
        responders.Issue(ca);
        return ca;
    }

    private static X500DistinguishedName Name(string commonName)
    {
        return new DistinguishedName().Country("HK").Organization("ECert").Common(commonName).Build();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
