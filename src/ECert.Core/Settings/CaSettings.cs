namespace ECert.Core.Settings;

/// <summary>
/// The instance's settings, kept in the data folder's <c>ecert.json</c> and bound from it.
/// Every figure the domain leaves open is a setting here, not a constant.
/// </summary>
public sealed class CaSettings
{
    /// <summary>The public base URL written into certificates (CRL distribution points, AIA).</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The key algorithm of the CA hierarchy's keys.</summary>
    public string KeyAlgorithm { get; set; } = "rsa2048";

    /// <summary>How many certificates share one partitioned CRL; the partition is fixed at issuance.</summary>
    public int CrlPartitionSize { get; set; } = 10_000;

    public CrlScheduleSettings CrlSchedule { get; set; } = new();

    public OcspSettings Ocsp { get; set; } = new();

    public ServiceSettings Service { get; set; } = new();

    public RetentionSettings Retention { get; set; } = new();

    public AccessSettings Access { get; set; } = new();

    /// <summary>How many distinct CA officers must approve a key ceremony (M of N); at least 2.</summary>
    public int DualControlApprovals { get; set; } = 2;

    /// <summary>Overrides of the built-in profiles, by profile name; absent fields keep the default.</summary>
    public Dictionary<string, Profiles.ProfileOptions> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public void Validate()
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw ECertException.Invalid($"base URL '{BaseUrl}' is not an absolute http(s) URL");
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw ECertException.Invalid($"base URL '{BaseUrl}' must not carry a query or fragment");
        if (CrlPartitionSize < 1)
            throw ECertException.Invalid("CrlPartitionSize must be at least 1");
        // JSON can set a section to null; say which one rather than fail later.
        if (CrlSchedule is null) throw ECertException.Invalid("the CrlSchedule section is missing or null");
        if (Ocsp is null) throw ECertException.Invalid("the Ocsp section is missing or null");
        if (Service is null) throw ECertException.Invalid("the Service section is missing or null");
        if (Access is null) throw ECertException.Invalid("the Access section is null; leave it out or give an object");
        if (DualControlApprovals < 2)
            throw ECertException.Invalid("DualControlApprovals must be at least 2: one officer may never complete a key operation alone");
        if (Retention is null || Retention.AnonymiseAfterYears is < 1 or > 100)
            throw ECertException.Invalid("Retention.AnonymiseAfterYears must be between 1 and 100");
        if (Profiles is null) throw ECertException.Invalid("the Profiles section is null; leave it out or give an object");
        CrlSchedule.Validate();
        Ocsp.Validate();
        Service.Validate();
        foreach (var name in Profiles.Keys)
            if (!Core.Profiles.BuiltInProfiles.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw ECertException.Invalid($"Profiles names '{name}', which is not a profile; use {string.Join(", ", Core.Profiles.BuiltInProfiles.Names)}");
        foreach (var name in Core.Profiles.BuiltInProfiles.Names)
            Core.Profiles.ProfileFactory.Create(name, Profiles);
    }
}

/// <summary>
/// When CRLs are issued: at fixed local times of day (historically 09:15, 14:15 and 19:00 Hong
/// Kong time). A CRL's nextUpdate is the next scheduled time plus <see cref="NextUpdateGraceMinutes"/>,
/// so a relying party always holds a current CRL while the next one is being published.
/// </summary>
public sealed class CrlScheduleSettings
{
    public List<string> TimesOfDay { get; set; } = ["09:15", "14:15", "19:00"];
    public string TimeZone { get; set; } = "Asia/Hong_Kong";
    public int NextUpdateGraceMinutes { get; set; } = 120;
    /// <summary>The root's CRL (for the issuing CAs) is issued rarely; its validity in days.</summary>
    public int RootCrlValidityDays { get; set; } = 365;

    public void Validate()
    {
        if (TimesOfDay is null || TimesOfDay.Count == 0)
            throw ECertException.Invalid("CrlSchedule.TimesOfDay must name at least one time of day");
        foreach (var time in TimesOfDay)
            if (!TimeOnly.TryParseExact(time, "HH:mm", out _))
                throw ECertException.Invalid($"CrlSchedule.TimesOfDay entry '{time}' is not a time of day HH:mm");
        if (NextUpdateGraceMinutes < 0)
            throw ECertException.Invalid("CrlSchedule.NextUpdateGraceMinutes must not be negative");
        if (RootCrlValidityDays is < 1 or > 366)
            throw ECertException.Invalid("CrlSchedule.RootCrlValidityDays must be between 1 and 366 (Baseline Requirements 4.9.7)");
    }
}

/// <summary>OCSP response validity and HTTP caching (RFC 6960, RFC 5019).</summary>
public sealed class OcspSettings
{
    /// <summary>nextUpdate - thisUpdate of each response. The Baseline Requirements ask 8 hours to 10 days.</summary>
    public int ResponseValidityHours { get; set; } = 8;

    /// <summary>Upper bound for Cache-Control max-age on GET responses, so caches refresh status often.</summary>
    public int HttpMaxAgeSeconds { get; set; } = 300;

    /// <summary>Validity of the delegated responder certificates issued to each issuing CA's responder.</summary>
    public int ResponderCertificateValidityDays { get; set; } = 90;

    /// <summary>The most memory the responder's cache of pre-signed responses may hold, whatever the number of certificates.</summary>
    public int CacheMegabytes { get; set; } = 64;

    /// <summary>How often the responder polls the store for status changes; a revocation is served within this plus one signature.</summary>
    public int ChangePollMilliseconds { get; set; } = 200;

    /// <summary>How many threads the server gives to signing missing and expiring responses in the background.</summary>
    public int PresignThreads { get; set; } = 1;

    public void Validate()
    {
        if (CacheMegabytes is < 0 or > 65_536)
            throw ECertException.Invalid("Ocsp.CacheMegabytes must be between 0 and 65536");
        if (ChangePollMilliseconds is < 10 or > 1000)
            throw ECertException.Invalid("Ocsp.ChangePollMilliseconds must be between 10 and 1000, so a revocation reaches the responder within a second");
        if (PresignThreads is < 1 or > 64)
            throw ECertException.Invalid("Ocsp.PresignThreads must be between 1 and 64");
        if (ResponseValidityHours is < 1 or > 240)
            throw ECertException.Invalid("Ocsp.ResponseValidityHours must be between 1 and 240");
        if (HttpMaxAgeSeconds < 0)
            throw ECertException.Invalid("Ocsp.HttpMaxAgeSeconds must not be negative");
        if (ResponderCertificateValidityDays is < 1 or > 398)
            throw ECertException.Invalid("Ocsp.ResponderCertificateValidityDays must be between 1 and 398");
    }
}

/// <summary>The service's periods: acceptance, payment grace, renewal windows.</summary>
public sealed class ServiceSettings
{
    /// <summary>An issued certificate not accepted within this many days is revoked unpublished.</summary>
    public int AcceptanceDays { get; set; } = 90;

    /// <summary>Days after a subscription period ends before an unpaid certificate is suspended.</summary>
    public int PaymentGraceDays { get; set; } = 30;

    /// <summary>Days a certificate stays suspended for non-payment before it is revoked.</summary>
    public int UnpaidRevocationDays { get; set; } = 90;

    /// <summary>How long before expiry renewal opens (and the reminder goes out), per profile.</summary>
    public Dictionary<string, int> RenewalWindowDays { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["personal"] = 21, ["personal-smartid"] = 21, ["organisational"] = 30, ["encipherment"] = 30, ["server"] = 30,
    };

    /// <summary>The sender of reminders, and the SMTP relay that takes them (none: they stay queued).</summary>
    public string MailFrom { get; set; } = "e-cert@ecert.invalid";
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 25;

    /// <summary>none, starttls (required) or tls (implicit, usually port 465).</summary>
    public string SmtpSecurity { get; set; } = "starttls";
    public string? SmtpUser { get; set; }
    /// <summary>Read from the environment variable ECERT_SMTP_PASSWORD, never from this file.</summary>
    public string SmtpPasswordVariable { get; set; } = "ECERT_SMTP_PASSWORD";

    /// <summary>How often the server sweeps subscriptions and sends queued mail.</summary>
    public int SweepIntervalMinutes { get; set; } = 5;

    public int RenewalWindow(string profile) => RenewalWindowDays.TryGetValue(profile, out var days) ? days : 21;

    public void Validate()
    {
        if (AcceptanceDays < 1) throw ECertException.Invalid("Service.AcceptanceDays must be at least 1");
        if (PaymentGraceDays < 0) throw ECertException.Invalid("Service.PaymentGraceDays must not be negative");
        if (UnpaidRevocationDays < 1) throw ECertException.Invalid("Service.UnpaidRevocationDays must be at least 1");
        if (RenewalWindowDays is null) throw ECertException.Invalid("Service.RenewalWindowDays is null");
        foreach (var (profile, days) in RenewalWindowDays)
            if (days is < 1 or > 180) throw ECertException.Invalid($"Service.RenewalWindowDays[{profile}] must be between 1 and 180");
        if (SmtpPort is < 1 or > 65535) throw ECertException.Invalid("Service.SmtpPort must be a TCP port");
        if (SmtpSecurity is not ("none" or "starttls" or "tls")) throw ECertException.Invalid("Service.SmtpSecurity must be none, starttls or tls");
        if (SweepIntervalMinutes is < 1 or > 1440) throw ECertException.Invalid("Service.SweepIntervalMinutes must be between 1 and 1440");
    }
}

/// <summary>The retention schedule: how long personal data outlives the last certificate.</summary>
public sealed class RetentionSettings
{
    public int AnonymiseAfterYears { get; set; } = 7;
}

/// <summary>Who may use the instance, and how they say who they are.</summary>
public sealed class AccessSettings
{
    /// <summary>
    /// Every ./ecert verb needs ECERT_STAFF_KEY and is checked against the permission matrix. Set
    /// it in production, after adding the first operator admin with `./ecert staff add`.
    /// </summary>
    public bool CliRequiresStaffKey { get; set; }
}
