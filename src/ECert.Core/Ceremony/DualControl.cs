using ECert.Core.Access;
using ECert.Core.Audit;
using ECert.Core.Crl;
using ECert.Core.Keys;
using ECert.Core.Stores;

namespace ECert.Core.Ceremony;

/// <summary>The CA key operations that need M of N CA officers.</summary>
public static class CeremonyOperations
{
    /// <summary>Sign and publish the root CA's CRL now (the root key is used only in ceremonies).</summary>
    public const string RootCrl = "root-crl";
    /// <summary>Destroy a key that is no longer used (never a CA's current key).</summary>
    public const string DestroyKey = "destroy-key";
    /// <summary>Create the next generation of an issuing CA, signed by the root (target: e.g. personal-g2).</summary>
    public const string CreateCa = "create-ca";
    /// <summary>Change a profile (target: the profile; parameters: the ProfileOptions JSON to apply).</summary>
    public const string ChangeProfile = "change-profile";

    public static readonly IReadOnlyList<string> All = [RootCrl, DestroyKey, CreateCa, ChangeProfile];
}

public sealed record CeremonyRequest(string Id, string Operation, string Target, string RequestedBy, DateTimeOffset RequestedAt, string State,
    DateTimeOffset? ExecutedAt, IReadOnlyList<string> Approvers, string? Parameters = null);

public interface ICeremonyStore
{
    string NextCeremonyId(int year);
    void AddCeremony(CeremonyRequest request);
    CeremonyRequest? FindCeremony(string id);
    /// <summary>Adds one officer's approval; false if that officer already approved.</summary>
    bool Approve(string id, string officerId, DateTimeOffset at);
    bool MarkExecuted(string id, DateTimeOffset at);
    IReadOnlyList<CeremonyRequest> ListCeremonies();
}

/// <summary>Carries out the ceremonies' operations that touch files and settings; implemented where they live.</summary>
public interface ICeremonyActions
{
    void DestroyKey(string keyId);
    void CreateNextGeneration(string slug);
    /// <summary>Validates and applies a profile override (the settings file), effective for new certificates.</summary>
    void ChangeProfile(string profile, string optionsJson);
    /// <summary>Checks a profile override without applying it.</summary>
    void CheckProfileChange(string profile, string optionsJson);
}

/// <summary>
/// Dual control of CA keys: an operation on a CA key is requested by one CA officer, approved by
/// M distinct CA officers in all (the requester's request counts as one approval), and only then
/// executed. One officer can never complete an operation alone, however often they try.
/// </summary>
public sealed class DualControl(ICeremonyStore store, ICaStore cas, CrlPublisher crls, ICeremonyActions actions, AuditTrail audit,
    int requiredApprovals, TimeProvider time)
{
    public CeremonyRequest Request(StaffMember officer, string operation, string target, string? parameters = null)
    {
        RequireCaOfficer(officer);
        if (!CeremonyOperations.All.Contains(operation))
            throw ECertException.Invalid($"unknown operation '{operation}'; use {string.Join(", ", CeremonyOperations.All)}");
        CheckTarget(operation, target, parameters);
        var now = time.GetUtcNow();
        var request = new CeremonyRequest(store.NextCeremonyId(now.Year), operation, target, officer.Id, now, "pending", null, [officer.Id], parameters);
        store.AddCeremony(request);
        store.Approve(request.Id, officer.Id, now);
        Record(officer, "ceremony.requested", request);
        return store.FindCeremony(request.Id)!;
    }

    public CeremonyRequest Approve(StaffMember officer, string id)
    {
        RequireCaOfficer(officer);
        var request = Find(id);
        if (request.State != "pending") throw ECertException.Conflict($"ceremony {id} is {request.State}");
        if (!store.Approve(id, officer.Id, time.GetUtcNow()))
            throw ECertException.Policy($"officer {officer.Id} has already approved ceremony {id}; another CA officer must approve");
        Record(officer, "ceremony.approved", request);
        return Find(id);
    }

    public CeremonyRequest Execute(StaffMember officer, string id)
    {
        RequireCaOfficer(officer);
        var request = Find(id);
        if (request.State != "pending") throw ECertException.Conflict($"ceremony {id} is {request.State}");
        if (request.Approvers.Count < requiredApprovals)
            throw ECertException.Policy($"ceremony {id} has {request.Approvers.Count} of the {requiredApprovals} CA officers' approvals it needs");
        if (!request.Approvers.Contains(officer.Id))
            throw ECertException.Policy($"officer {officer.Id} did not approve ceremony {id} and cannot execute it");
        CheckTarget(request.Operation, request.Target, request.Parameters);
        switch (request.Operation)
        {
            case CeremonyOperations.RootCrl:
                crls.Publish(cas.FindCa(request.Target)!);
                break;
            case CeremonyOperations.DestroyKey:
                actions.DestroyKey(request.Target);
                break;
            case CeremonyOperations.CreateCa:
                actions.CreateNextGeneration(request.Target);
                break;
            case CeremonyOperations.ChangeProfile:
                actions.ChangeProfile(request.Target, request.Parameters!);
                break;
        }
        if (!store.MarkExecuted(id, time.GetUtcNow())) throw ECertException.Conflict($"ceremony {id} was executed meanwhile");
        Record(officer, "ceremony.executed", request);
        return Find(id);
    }

    private void CheckTarget(string operation, string target, string? parameters)
    {
        // Every target is the name of a CA, a key or a profile. Anything else (a wildcard, "../")
        // could reach files the checks below never looked at.
        if (target.Length is 0 or > 100 || !target.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw ECertException.Invalid($"ceremony target '{target}' must be a CA, key or profile name: 1 to 100 letters, digits and hyphens");
        switch (operation)
        {
            case CeremonyOperations.CreateCa when cas.FindCa(target) is not null:
                throw ECertException.Conflict($"CA '{target}' exists");
            case CeremonyOperations.CreateCa:
                Hierarchy.HierarchyBuilder.NextGeneration(target, cas); // refused now, not after two approvals
                break;
            case CeremonyOperations.ChangeProfile when parameters is null:
                throw ECertException.Invalid("a profile change needs the new settings (--parameters JSON)");
            case CeremonyOperations.ChangeProfile:
                actions.CheckProfileChange(target, parameters);
                break;
            case CeremonyOperations.RootCrl when cas.FindCa(target) is not { Role: CaRole.Root }:
                throw ECertException.Invalid($"'{target}' is not a root CA");
            case CeremonyOperations.DestroyKey when cas.ListCas().Any(c => c.KeyId == target) || target == AuditTrail.AuditKeyId:
                throw ECertException.Policy($"key '{target}' is in use (a CA's key or the audit key) and cannot be destroyed");
            case CeremonyOperations.DestroyKey when cas.ListCas().Select(c => cas.FindResponder(c.Slug)?.KeyId).Contains(target):
                throw ECertException.Policy($"key '{target}' is a current OCSP responder key and cannot be destroyed");
        }
    }

    private CeremonyRequest Find(string id) => store.FindCeremony(id) ?? throw ECertException.NotFound($"no ceremony {id}");

    private static void RequireCaOfficer(StaffMember officer)
    {
        if (officer.Role != Roles.CaOfficer || !officer.Active)
            throw ECertException.Policy($"{officer.Id} ({officer.Role}) is not an active CA officer; CA key operations need CA officers");
    }

    private void Record(StaffMember officer, string action, CeremonyRequest request) =>
        audit.Record(new AuditEvent(officer.Role, officer.Id, action, request.Id, Purpose: "key-ceremony",
            Detail: $"{request.Operation} {request.Target}{(request.Parameters is null ? "" : " " + request.Parameters)}"));
}
