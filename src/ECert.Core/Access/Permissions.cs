namespace ECert.Core.Access;

/// <summary>The roles of the people and systems that use the service.</summary>
public static class Roles
{
    public const string Subscriber = "subscriber";
    public const string RaOfficer = "ra-officer";
    public const string RaSupervisor = "ra-supervisor";
    public const string CaOfficer = "ca-officer";
    public const string BillingClerk = "billing-clerk";
    public const string PrivacyOfficer = "privacy-officer";
    public const string Auditor = "auditor";
    public const string GovernmentMonitor = "government-monitor";
    public const string OperatorAdministrator = "operator-admin";

    public static readonly IReadOnlyList<string> All =
        [Subscriber, RaOfficer, RaSupervisor, CaOfficer, BillingClerk, PrivacyOfficer, Auditor, GovernmentMonitor, OperatorAdministrator];
}

/// <summary>
/// The permission matrix: which roles may do what. Every REST endpoint names one permission; the
/// table below is the whole policy (docs/permissions.md shows it as a table). The auditor reads
/// everything and changes nothing; the government monitor sees figures and reports, never personal data.
/// </summary>
public static class Permissions
{
    public const string OutletsRead = "outlets.read";
    public const string OutletsManage = "outlets.manage";
    public const string SubscribersRegister = "subscribers.register";
    public const string SubscribersRead = "subscribers.read";
    public const string ApplicationsRead = "applications.read";
    public const string ApplicationsCounter = "applications.counter";
    public const string PaymentsTake = "payments.take";
    public const string PaymentsRefund = "payments.refund";
    public const string PaymentsRead = "payments.read";
    public const string TariffsRead = "tariffs.read";
    public const string TariffsManage = "tariffs.manage";
    public const string ReportsRead = "reports.read";
    public const string StatusRequests = "status.requests";
    public const string ConsentNotices = "consent.notices";
    public const string ConsentRecord = "consent.record";
    public const string ConsentRead = "consent.read";
    public const string CampaignExport = "consent.campaign-export";
    public const string PrivacyRequests = "privacy.requests";
    public const string PrivacyRetention = "privacy.retention";
    public const string CertificatesManage = "certificates.manage";
    public const string CertificatesRead = "certificates.read";
    public const string CrlPublish = "crl.publish";
    public const string KeyCeremony = "ca.key-ceremony";
    public const string AuditRead = "audit.read";
    public const string AuditCheckpoint = "audit.checkpoint";
    public const string StaffManage = "staff.manage";
    public const string ServiceOperate = "service.operate";
    public const string GovernmentExport = "government.export";

    private static readonly Dictionary<string, string[]> Matrix = new()
    {
        [OutletsRead] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.CaOfficer, Roles.BillingClerk, Roles.PrivacyOfficer, Roles.Auditor, Roles.GovernmentMonitor, Roles.OperatorAdministrator],
        [OutletsManage] = [Roles.RaSupervisor, Roles.OperatorAdministrator],
        [SubscribersRegister] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.OperatorAdministrator],
        [SubscribersRead] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.PrivacyOfficer, Roles.Auditor, Roles.OperatorAdministrator],
        [ApplicationsRead] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.BillingClerk, Roles.Auditor, Roles.OperatorAdministrator],
        [ApplicationsCounter] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.OperatorAdministrator],
        [PaymentsTake] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.BillingClerk, Roles.OperatorAdministrator],
        [PaymentsRefund] = [Roles.RaSupervisor, Roles.BillingClerk, Roles.OperatorAdministrator],
        [PaymentsRead] = [Roles.BillingClerk, Roles.Auditor, Roles.OperatorAdministrator],
        [TariffsRead] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.CaOfficer, Roles.BillingClerk, Roles.PrivacyOfficer, Roles.Auditor, Roles.GovernmentMonitor, Roles.OperatorAdministrator],
        [TariffsManage] = [Roles.OperatorAdministrator],
        [ReportsRead] = [Roles.BillingClerk, Roles.Auditor, Roles.GovernmentMonitor, Roles.OperatorAdministrator],
        [StatusRequests] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.OperatorAdministrator],
        [ConsentNotices] = [Roles.PrivacyOfficer, Roles.OperatorAdministrator],
        [ConsentRecord] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.PrivacyOfficer, Roles.OperatorAdministrator],
        [ConsentRead] = [Roles.PrivacyOfficer, Roles.Auditor, Roles.OperatorAdministrator],
        [CampaignExport] = [Roles.PrivacyOfficer],
        [PrivacyRequests] = [Roles.PrivacyOfficer, Roles.OperatorAdministrator],
        [PrivacyRetention] = [Roles.PrivacyOfficer],
        [CertificatesManage] = [Roles.RaSupervisor, Roles.CaOfficer, Roles.OperatorAdministrator],
        [CertificatesRead] = [Roles.RaOfficer, Roles.RaSupervisor, Roles.CaOfficer, Roles.Auditor, Roles.OperatorAdministrator],
        [CrlPublish] = [Roles.CaOfficer, Roles.OperatorAdministrator],
        [KeyCeremony] = [Roles.CaOfficer],
        [AuditRead] = [Roles.Auditor, Roles.PrivacyOfficer, Roles.OperatorAdministrator],
        [AuditCheckpoint] = [Roles.Auditor, Roles.OperatorAdministrator],
        [StaffManage] = [Roles.OperatorAdministrator],
        [ServiceOperate] = [Roles.OperatorAdministrator],
        [GovernmentExport] = [Roles.OperatorAdministrator],
    };

    public static IReadOnlyCollection<string> All => Matrix.Keys;

    public static bool Allows(string role, string permission) =>
        Matrix.TryGetValue(permission, out var roles) ? roles.Contains(role)
            : throw new InvalidOperationException($"permission '{permission}' is not in the matrix");

    public static IReadOnlyList<string> RolesFor(string permission) => Matrix[permission];
}
