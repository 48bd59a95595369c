using System.Security.Cryptography;
using System.Text;

namespace ECert.Core.Access;

/// <summary>A member of staff (or a system) with an API key; only the key's hash is kept.</summary>
public sealed record StaffMember(string Id, string Name, string Role, string KeyHash, DateTimeOffset CreatedAt, bool Active = true,
    string? CertificateSerial = null);

public interface IStaffStore
{
    void AddStaff(StaffMember member);
    StaffMember? FindStaffByKeyHash(string keyHash);
    IReadOnlyList<StaffMember> ListStaff();
    bool DeactivateStaff(string id);
    /// <summary>Binds a client certificate (by serial) to a member of staff; false if there is no such member.</summary>
    bool BindCertificate(string id, string serialHex);
    StaffMember? FindStaffByCertificate(string serialHex);
}

/// <summary>
/// Staff API keys: 32 random bytes, shown once, kept as a SHA-256 hash (a key has too much entropy
/// for a slow hash to add anything). A key is presented as <c>Authorization: Bearer &lt;key&gt;</c>.
/// </summary>
public sealed class StaffDirectory(IStaffStore store, TimeProvider time)
{
    public static void CheckId(string id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 40 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw ECertException.Invalid($"staff id '{id}' must be 1 to 40 letters, digits, '-', '_' or '.'");
    }

    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Adds a member of staff; returns the key, which is not kept and cannot be shown again.</summary>
    public (StaffMember Member, string Key) Add(string id, string name, string role)
    {
        CheckId(id);
        if (string.IsNullOrWhiteSpace(name)) throw ECertException.Invalid("a member of staff needs a name");
        if (!Roles.All.Contains(role)) throw ECertException.Invalid($"unknown role '{role}'; use one of {string.Join(", ", Roles.All)}");
        if (store.ListStaff().Any(s => s.Id == id)) throw ECertException.Conflict($"staff id '{id}' exists");
        var key = "ek_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var member = new StaffMember(id, name.Trim(), role, Hash(key), time.GetUtcNow());
        store.AddStaff(member);
        return (member, key);
    }

    public StaffMember? Authenticate(string key) =>
        store.FindStaffByKeyHash(Hash(key)) is { Active: true } member ? member : null;

    /// <summary>
    /// A person presenting a client certificate: it must be one this CA issued and that is valid
    /// now (not suspended, revoked or expired), and bound to an active member of staff.
    /// </summary>
    public StaffMember? Authenticate(Stores.CertificateRecord? certificate, DateTimeOffset now) =>
        certificate is { State: Stores.CertificateState.Valid } valid && valid.NotBefore <= now && now < valid.NotAfter
        && store.FindStaffByCertificate(valid.SerialHex) is { Active: true } member
            ? member
            : null;
}
