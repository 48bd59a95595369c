using System.Text;
using ECert.Core;
using Microsoft.Data.Sqlite;

namespace ECert.Server.Tests;

/// <summary>Personal fields are encrypted at rest: the database file holds none of them in clear.</summary>
public sealed class EncryptionAtRestTests : IDisposable
{
    private readonly ServiceWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void NamesEmailsAndAddressesAreNotInTheDatabaseInClear()
    {
        var srn = _world.Instance.Registry().RegisterPerson(new ECert.Core.Service.PersonRegistration(
            "CHEUNG Wing Sze", "A123456(3)", "張詠詩", "wingsze.cheung@example.com", "ws.contact@example.net", "Flat 12B, 88 Hoi Yuen Road")).Subscriber.Srn;
        _world.Instance.DataAccess().Correct(srn, "postal-address", "Room 3, 9 Lockhart Road", new ECert.Core.Audit.AuditActor("privacy-officer", "po"));

        var subscriber = _world.Instance.Subscribers.FindSubscriber(srn)!;
        Assert.Equal(("CHEUNG Wing Sze", "張詠詩", "ws.contact@example.net", "Room 3, 9 Lockhart Road"),
            (subscriber.Name, subscriber.ChineseName, subscriber.ContactEmail, subscriber.PostalAddress));

        SqliteConnection.ClearAllPools(); // checkpoint the WAL into the file
        var folder = Path.GetDirectoryName(_world.Instance.Database.Path)!;
        var bytes = Directory.GetFiles(folder, "ecert.db*").SelectMany(File.ReadAllBytes).ToArray();
        foreach (var secret in new[] { "CHEUNG Wing Sze", "張詠詩", "wingsze.cheung@example.com", "ws.contact@example.net", "Hoi Yuen", "Lockhart", "A123456", "A1234563" })
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
    }

    [Fact]
    public void AFieldCopiedToAnotherSubscriberDoesNotDecrypt()
    {
        var first = _world.RegisterPerson();
        var second = _world.RegisterPerson("LEE Siu Fong", "B654321(" + ECert.Core.Identity.HkIdentityNumber.ComputeCheckDigit("B", "654321") + ")");
        using (var connection = _world.Instance.Database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE subscribers SET name = (SELECT name FROM subscribers WHERE srn = $a) WHERE srn = $b";
            command.Parameters.AddWithValue("$a", first);
            command.Parameters.AddWithValue("$b", second);
            command.ExecuteNonQuery();
        }
        Assert.Contains("does not decrypt", Assert.Throws<ECertException>(() => _world.Instance.Subscribers.FindSubscriber(second)).Message);
    }
}
