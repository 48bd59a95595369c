namespace ECert.Core.Privacy;

/// <summary>
/// The purposes for which personal data may be read (PDPO principle 3: use only for the purpose
/// collected). Every read states one, and is recorded with it in the audit trail.
/// </summary>
public static class Purposes
{
    public static readonly IReadOnlyList<string> All =
        ["issuance", "renewal", "revocation", "billing", "data-access-request", "audit", "correction-request", "direct-marketing"];

    public static string Check(string? purpose) =>
        purpose is not null && All.Contains(purpose.Trim()) ? purpose.Trim()
            : throw ECertException.Invalid($"reading personal data needs a purpose: one of {string.Join(", ", All)}");
}

/// <summary>Where the service records its own reads of personal data, with their purpose.</summary>
public interface IPersonalDataLog
{
    void Read(string srn, string purpose);
}

/// <summary>For domain tests that do not keep an audit trail.</summary>
public sealed class NoPersonalDataLog : IPersonalDataLog
{
    public static readonly NoPersonalDataLog Instance = new();
    public void Read(string srn, string purpose) { }
}
