namespace ECert.Core;

/// <summary>The one error vocabulary of the domain; each edge (CLI, REST, OCSP) maps it once.</summary>
public enum ErrorKind
{
    /// <summary>The input is malformed or incomplete (a bad CSR, a wrong check digit, a missing option).</summary>
    InvalidInput,
    /// <summary>The input is well formed but our policy refuses it (weak key, profile rule, lint finding).</summary>
    PolicyViolation,
    /// <summary>The thing asked for does not exist (an unknown serial, an unknown CA).</summary>
    NotFound,
    /// <summary>The request conflicts with the current state (revoked is final, hierarchy exists).</summary>
    Conflict,
    /// <summary>Something on our side failed; the operation changed nothing.</summary>
    Internal,
}

public sealed class ECertException(ErrorKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ErrorKind Kind { get; } = kind;

    public static ECertException Invalid(string message) => new(ErrorKind.InvalidInput, message);
    public static ECertException Policy(string message) => new(ErrorKind.PolicyViolation, message);
    public static ECertException NotFound(string message) => new(ErrorKind.NotFound, message);
    public static ECertException Conflict(string message) => new(ErrorKind.Conflict, message);
}
