using System.Text.Json;
using System.Text.Json.Serialization;
using ECert.Core;
using ECert.Core.Access;
using ECert.Core.Audit;
using ECert.Core.Billing;
using ECert.Core.Ceremony;
using ECert.Core.Stores;
using ECert.Core.Crl;
using ECert.Core.Hierarchy;
using ECert.Core.Identity;
using ECert.Core.Issuance;
using ECert.Core.Keys;
using ECert.Core.Ocsp;
using ECert.Core.Privacy;
using ECert.Core.Service;
using ECert.Core.Settings;
using ECert.Core.Status;
using ECert.Keys;
using ECert.Storage;

namespace ECert.Server;

/// <summary>
/// One ECert instance: its data folder (<c>ecert.json</c> settings, <c>ecert.db</c>, <c>keys/</c>)
/// and the domain services composed over it. The CLI and the server both start from here.
/// The keystore is opened only when a key is needed, so read-only verbs never ask for the passphrase.
/// </summary>
public sealed class EcertInstance
{
    public const string SettingsFile = "ecert.json";
    public const string DatabaseFile = "ecert.db";
    public const string KeysFolder = "keys";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Func<string> _passphrase;
    private readonly Lazy<IKeyStore> _keys;
    private readonly Lazy<IKeyStore> _auditedKeys;

    private EcertInstance(string folder, CaSettings settings, Func<string> passphrase, TimeProvider time)
    {
        Folder = folder;
        Settings = settings;
        Time = time;
        _passphrase = passphrase;
        Database = new SqliteDatabase(Path.Combine(folder, DatabaseFile));
        try
        {
            Database.Migrate();
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new ECertException(ErrorKind.Internal, $"the database {Database.Path} cannot be used: {e.Message}", e);
        }
        Cas = new SqliteCaStore(Database);
        _keys = new Lazy<IKeyStore>(() => new SoftwareKeystore(Path.Combine(Folder, KeysFolder), _passphrase()));
        Audit = new AuditTrail(new SqliteAuditStore(Database), new LazyKeyStore(_keys), Time);
        Certificates = new AuditedCertificateStore(new SqliteCertificateStore(Database), Audit, () => Actor);
        OcspResponses = new SqliteOcspResponseStore(Database);
        BulkJobs = new SqliteBulkStore(Database);
        _auditedKeys = new Lazy<IKeyStore>(() => new AuditedKeyStore(_keys.Value, Audit, () => Actor));
        Outlets = new SqliteOutletStore(Database);
        var fields = new LazyFieldProtector(() => new AesGcmFieldProtector(GetOrCreateSecret(AesGcmFieldProtector.SecretId, 32)));
        Subscribers = new SqliteSubscriberStore(Database, fields);
        Applications = new SqliteApplicationStore(Database);
        Notifications = new SqliteNotificationStore(Database);
        StatusRequests = new SqliteStatusRequestStore(Database);
        Consents = new SqliteConsentStore(Database);
        DataRequests = new SqliteDataRequestStore(Database, fields);
        Staff = new SqliteStaffStore(Database);
        // A new instance, or one from before tariffs existed, starts with the published fees.
        if (Applications.ListTariffs().Count == 0)
            foreach (var version in DefaultTariffs.All) Applications.AddTariff(version);
    }

    public string Folder { get; }
    public CaSettings Settings { get; }
    public TimeProvider Time { get; }
    public SqliteDatabase Database { get; }
    public SqliteCaStore Cas { get; }
    public ICertificateStore Certificates { get; }
    public SqliteOcspResponseStore OcspResponses { get; }
    public SqliteBulkStore BulkJobs { get; }

    /// <summary>The tamper-evident audit trail; every certificate write and key use lands in it.</summary>
    public AuditTrail Audit { get; }

    private static readonly AsyncLocal<AuditActor?> RequestActor = new();
    private AuditActor _actor = new("operator", Environment.UserName);

    /// <summary>Who is acting through this instance: the caller of the current request, else the CLI's operator.</summary>
    public AuditActor Actor
    {
        get => RequestActor.Value ?? _actor;
        set => _actor = value;
    }

    /// <summary>Acts as <paramref name="actor"/> for the current asynchronous flow (one server request).</summary>
    public IDisposable ActAs(AuditActor actor)
    {
        var previous = RequestActor.Value;
        RequestActor.Value = actor;
        return new Restore(() => RequestActor.Value = previous);
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
    public SqliteOutletStore Outlets { get; }
    public SqliteSubscriberStore Subscribers { get; }
    public SqliteApplicationStore Applications { get; }
    public SqliteNotificationStore Notifications { get; }
    public SqliteStatusRequestStore StatusRequests { get; }
    public SqliteConsentStore Consents { get; }
    public SqliteDataRequestStore DataRequests { get; }
    public SqliteStaffStore Staff { get; }
    public IKeyStore Keys => _auditedKeys.Value;

    public bool HasHierarchy => Cas.ListCas().Count > 0;

    /// <summary>Creates the data folder and its settings file; refuses a folder that already holds an instance.</summary>
    public static EcertInstance Create(string folder, CaSettings settings, Func<string> passphrase, TimeProvider? time = null)
    {
        settings.Validate();
        var settingsPath = Path.Combine(folder, SettingsFile);
        if (File.Exists(settingsPath) || File.Exists(Path.Combine(folder, DatabaseFile)))
            throw ECertException.Conflict($"{folder} already holds an ECert instance; refusing to overwrite it");
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(settingsPath, JsonSerializer.Serialize(settings, JsonOptions));
        // The database holds personal data: owner-only, like the keys (SQLite gives its -wal and -shm files the same mode).
        File.SetUnixFileMode(settingsPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (File.Create(Path.Combine(folder, DatabaseFile))) { }
        File.SetUnixFileMode(Path.Combine(folder, DatabaseFile), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new EcertInstance(folder, settings, passphrase, time ?? TimeProvider.System);
    }

    /// <summary>Opens an existing instance; the error says how to create one when there is none.</summary>
    public static EcertInstance Open(string folder, Func<string> passphrase, TimeProvider? time = null)
    {
        var settingsPath = Path.Combine(folder, SettingsFile);
        if (!File.Exists(settingsPath))
            throw ECertException.NotFound($"no ECert instance in {folder}; run './ecert init --data {folder}' first");
        CaSettings settings;
        try
        {
            settings = JsonSerializer.Deserialize<CaSettings>(File.ReadAllText(settingsPath), JsonOptions)
                ?? throw ECertException.Invalid($"{settingsPath} is empty");
        }
        catch (JsonException e)
        {
            throw ECertException.Invalid($"{settingsPath} is not valid: {e.Message}");
        }
        settings.Validate();
        // SQLite would create a missing database, and migrations would fill it: an instance whose
        // certificates, subscribers and audit trail were lost would start over without a word.
        var database = new FileInfo(Path.Combine(folder, DatabaseFile));
        // A symbolic link counts as what it points to: a dangling one is a missing database.
        var target = database.LinkTarget is null ? database : database.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? database;
        if (!target.Exists || target.Length == 0 || !HasSchema(target.FullName))
            throw ECertException.Invalid(
                $"{database.FullName} is {(!target.Exists ? "missing" : target.Length == 0 ? "empty" : "not an ECert database")} beside the instance's settings and keys; restore it from a backup (ECert does not start over with an empty database)");
        return new EcertInstance(folder, settings, passphrase, time ?? TimeProvider.System);
    }

    /// <summary>Whether a database has ever been migrated (read only: nothing is created or changed here).</summary>
    private static bool HasSchema(string path)
    {
        try
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection(
                new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
            return (long)command.ExecuteScalar()! == 1;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return true; // not a database at all: the constructor says so in its own words ("cannot be used")
        }
    }

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, SettingsFile));

    public ResponderCertificates Responders() => new(Cas, Keys, Settings, Time);

    public HierarchyBuilder Hierarchy() => new(Cas, Keys, Settings, Responders(), Time);

    public CertificateIssuer Issuer() =>
        new(Cas, Certificates, Keys, Settings, IdentityProtector(), CrlPublisher(), Time);

    public CertificateStatusService Status() => new(Certificates, Time);

    public CrlPublisher CrlPublisher() => new(Cas, Certificates, Keys, Settings, Time);

    public OcspResponder OcspResponder() =>
        new(Cas, Certificates, OcspResponses, new OcspResponseCache(Settings.Ocsp.CacheMegabytes * 1024L * 1024, OcspResponses.LatestChange()), Responders(), Settings.Ocsp, Time);

    public OcspPresigner OcspPresigner(OcspResponder responder) => new(responder, OcspResponses, Certificates, Time);

    /// <summary>
    /// The identity-number protector, one per instance (it keeps an HMAC context per thread). Made
    /// on first use, after `init` has created the secret; never cached while the secret is missing.
    /// </summary>
    public IdentityNumberProtector IdentityProtector() => _identityProtector ??= new(Keys.GetSecret(HierarchyBuilder.IdentityHashSecretId));

    private IdentityNumberProtector? _identityProtector;

    public SubscriberRegistry Registry() => new(Subscribers, Certificates, IdentityProtector(), Time);

    public ApplicationService ApplicationService() =>
        new(Applications, Subscribers, Outlets, Certificates, Issuer(), Status(), Settings, CounterPolicy.HongKong(), Time, new AuditedReads(this));

    public SubscriptionService Subscriptions() =>
        new(Applications, Subscribers, Notifications, Certificates, Status(), ApplicationService(), Settings, Time, new AuditedReads(this));

    public ReportService Reports() => new(Applications, Time);

    public TariffBook Tariffs() => new(Applications.ListTariffs());

    public MailSender MailSender() => new(Notifications, Settings.Service, Time);

    public ConsentRegister ConsentRegister() => new(Consents, Subscribers, Audit, Time);

    /// <summary>A keystore secret, created the first time it is needed (instances from before it existed).</summary>
    private byte[] GetOrCreateSecret(string id, int length)
    {
        try { return Keys.GetSecret(id); }
        catch (ECertException e) when (e.Kind == ErrorKind.NotFound) { return Keys.CreateSecret(id, length); }
    }

    public DualControl DualControl() =>
        new(new SqliteCeremonyStore(Database), Cas, CrlPublisher(), new CeremonyActions(this), Audit, Settings.DualControlApprovals, Time);

    /// <summary>Writes the settings back to ecert.json (owner-only, whole or not at all).</summary>
    internal void SaveSettings()
    {
        var path = Path.Combine(Folder, SettingsFile);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(Settings, JsonOptions));
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }

    internal static ECert.Core.Profiles.ProfileOptions ParseProfileOptions(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ECert.Core.Profiles.ProfileOptions>(json, JsonOptions)
                ?? throw ECertException.Invalid("the profile settings are empty");
        }
        catch (JsonException e)
        {
            throw ECertException.Invalid($"the profile settings are not valid JSON for a profile: {e.Message}");
        }
    }

    /// <summary>The staff member a CLI verb acts as, from the key in ECERT_STAFF_KEY.</summary>
    public StaffMember Staffer(string? key) =>
        string.IsNullOrEmpty(key) ? throw ECertException.Invalid("this verb needs a staff identity: set ECERT_STAFF_KEY to your staff API key")
            : StaffDirectory().Authenticate(key) ?? throw ECertException.Policy("ECERT_STAFF_KEY is not the key of an active member of staff");

    public StaffDirectory StaffDirectory() => new(Staff, Time);

    public RetentionService Retention() => new(new SqliteRetentionStore(Database), Audit, Settings.Retention.AnonymiseAfterYears, Time);

    public DataAccessService DataAccess() => new(DataRequests, Subscribers, Applications, Certificates, Consents, Notifications, Audit, Time);

    public StatusRequestService StatusRequestService() => new(StatusRequests, Subscribers, Outlets, Status(), CounterPolicy.HongKong(), Time);
}

/// <summary>Opens the keystore only when a key is first needed (so read-only verbs never ask for the passphrase).</summary>
internal sealed class LazyKeyStore(Lazy<IKeyStore> inner) : IKeyStore
{
    public SigningKey CreateSigningKey(string keyId, KeyAlgorithm algorithm) => inner.Value.CreateSigningKey(keyId, algorithm);
    public SigningKey GetSigningKey(string keyId) => inner.Value.GetSigningKey(keyId);
    public byte[] CreateSecret(string secretId, int length) => inner.Value.CreateSecret(secretId, length);
    public byte[] GetSecret(string secretId) => inner.Value.GetSecret(secretId);
}

/// <summary>Opens the personal-data key only when a personal field is first written or read.</summary>
internal sealed class LazyFieldProtector(Func<IFieldProtector> open) : IFieldProtector
{
    private readonly Lazy<IFieldProtector> _inner = new(open);
    public string? Protect(string? value, string context) => value is null ? null : _inner.Value.Protect(value, context);
    public string? Unprotect(string? stored, string context) =>
        stored is null || !stored.StartsWith("enc1:", StringComparison.Ordinal) ? stored : _inner.Value.Unprotect(stored, context);
}

/// <summary>What the key ceremonies do to files and settings, once approved.</summary>
internal sealed class CeremonyActions(EcertInstance instance) : ICeremonyActions
{
    public void CreateNextGeneration(string slug) => instance.Hierarchy().CreateNextGeneration(slug);

    public void CheckProfileChange(string profile, string optionsJson) => Candidate(profile, optionsJson);

    public void ChangeProfile(string profile, string optionsJson)
    {
        var (name, options) = Candidate(profile, optionsJson);
        instance.Settings.Profiles[name] = options;
        instance.SaveSettings();
    }

    /// <summary>The profile as it would be: validated against the rules and the CAs that exist.</summary>
    private (string Name, ECert.Core.Profiles.ProfileOptions Options) Candidate(string profile, string optionsJson)
    {
        var name = ECert.Core.Profiles.BuiltInProfiles.Names.FirstOrDefault(n => n.Equals(profile, StringComparison.OrdinalIgnoreCase))
            ?? throw ECertException.Invalid($"unknown profile '{profile}'; use {string.Join(", ", ECert.Core.Profiles.BuiltInProfiles.Names)}");
        var options = EcertInstance.ParseProfileOptions(optionsJson);
        var candidate = new Dictionary<string, ECert.Core.Profiles.ProfileOptions>(instance.Settings.Profiles, StringComparer.OrdinalIgnoreCase) { [name] = options };
        var built = ECert.Core.Profiles.ProfileFactory.Create(name, candidate);
        if (instance.Cas.FindCa(built.IssuingCa) is not { Role: ECert.Core.Stores.CaRole.Issuing })
            throw ECertException.Invalid($"profile '{name}' would be issued by '{built.IssuingCa}', which is not an issuing CA of this instance");
        return (name, options);
    }

    public void DestroyKey(string keyId)
    {
        ECert.Keys.SoftwareKeystore.CheckId(keyId);
        var folder = Path.Combine(instance.Folder, EcertInstance.KeysFolder);
        // The key's own files only (<id>.<algorithm>.p8.pem), never a pattern that could match others.
        var files = Directory.GetFiles(folder, "*.p8.pem").Where(f => Path.GetFileName(f).Split('.') is [var id, _, "p8", "pem"] && id == keyId).ToArray();
        if (files.Length == 0) throw ECertException.NotFound($"key '{keyId}' is not in the keystore");
        foreach (var file in files)
        {
            var length = new FileInfo(file).Length;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
            {
                stream.Write(System.Security.Cryptography.RandomNumberGenerator.GetBytes((int)length));
                stream.Flush(flushToDisk: true);
            }
            File.Delete(file);
        }
    }
}

/// <summary>The service's own reads of personal data, recorded in the audit trail with their purpose.</summary>
internal sealed class AuditedReads(EcertInstance instance) : IPersonalDataLog
{
    public void Read(string srn, string purpose) =>
        instance.Audit.Record(new AuditEvent(instance.Actor.Role, instance.Actor.Id, "personal-data.read", srn, instance.Actor.Outlet, purpose));
}
