using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core.Billing;
using ECert.Core.Keys;
using ECert.Core.Service;
using ECert.Core.Settings;
using Microsoft.Extensions.Time.Testing;

namespace ECert.Server.Tests;

/// <summary>
/// A real instance (SQLite, keystore, P-256 hierarchy) in a temporary folder, on a clock the test
/// moves, with an outlet open Mon-Fri 09:00-17:00 and Sat 09:00-13:00 and three officers.
/// </summary>
public sealed class ServiceWorld : IDisposable
{
    private static readonly TimeSpan Hk = TimeSpan.FromHours(8);
    private readonly string _folder = Directory.CreateTempSubdirectory("ecert-service-").FullName;

    public ServiceWorld()
    {
        Instance = EcertInstance.Create(Path.Combine(_folder, "data"), new CaSettings(), () => "service-test", Clock);
        Instance.Hierarchy().Create(KeyAlgorithm.P256);
        Instance.Outlets.SaveOutlet(new ServiceOutlet
        {
            Code = "GPO", Name = "General Post Office", Address = "2 Connaught Place, Central", District = "Central and Western",
            Services = ["personal", "organisational", "server", "payment", "renewal", "revocation"],
            Hours = [.. "Mon Tue Wed Thu Fri".Split(' ').Select(d => OpeningPeriod.Parse($"{d} 09:00-17:00")), OpeningPeriod.Parse("Sat 09:00-13:00")],
        });
        Instance.Outlets.SaveOfficer(new RaOfficer("ra-001", "CHEUNG Ka Yan", false, ["GPO"]));
        Instance.Outlets.SaveOfficer(new RaOfficer("ra-002", "LAM Chi Keung", false, ["GPO"]));
        Instance.Outlets.SaveOfficer(new RaOfficer("ra-100", "HO Wing Sze", true, ["GPO"]));
    }

    /// <summary>Friday 27 November 2026, 10:00 in Hong Kong.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, Hk));
    public EcertInstance Instance { get; }
    public ApplicationService Applications => Instance.ApplicationService();

    public void SetHongKongTime(int year, int month, int day, int hour, int minute = 0) =>
        Clock.SetUtcNow(new DateTimeOffset(year, month, day, hour, minute, 0, Hk));

    /// <summary>Moves to the next weekday at 10:00 Hong Kong time, at least <paramref name="days"/> later.</summary>
    public void AdvanceToWorkingMorning(double days)
    {
        var target = Clock.GetUtcNow().ToOffset(Hk).AddDays(days);
        while (target.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) target = target.AddDays(1);
        SetHongKongTime(target.Year, target.Month, target.Day, 10);
    }

    /// <summary>The latest CRL of a scope, read whole from the store's stream.</summary>
    public byte[] LatestCrl(string caSlug, int? partition)
    {
        var crl = Instance.Certificates.FindLatestCrl(caSlug, partition)!;
        using var der = Instance.Certificates.OpenCrl(crl)!;
        using var copy = new MemoryStream();
        der.CopyTo(copy);
        return copy.ToArray();
    }

    public static PublicKey NewKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
    }

    public string RegisterPerson(string name = "CHAN Tai Man", string id = "A123456(3)") =>
        Instance.Registry().RegisterPerson(new PersonRegistration(name, id, CertificateEmail: "tm.chan@example.com")).Subscriber.Srn;

    public PaymentRequest Cash(Money amount, string officer = "ra-001") => new(PaymentChannel.CounterCash, amount, officer, "GPO");

    /// <summary>The counter path for a person: submit, verify, pay, issue. Returns the application id and serial.</summary>
    public (string Application, string Serial) IssuePersonal(string srn, bool accept = true)
    {
        var service = Applications;
        var application = service.Submit(new SubmitRequest(srn, "personal", ApplicationChannel.Counter));
        service.VerifyIdentity(application.Id, new IdentityCheck("ra-001", "GPO", "hkid-card", "PIN0012345"));
        service.Pay(application.Id, Cash(service.QuoteFor(application).Total));
        var (_, issued) = service.Issue(application.Id, NewKey());
        if (accept) service.Accept(application.Id);
        return (application.Id, issued.SerialHex);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
