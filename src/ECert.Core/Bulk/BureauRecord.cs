using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ECert.Core.Identity;
using ECert.Core.Issuance;

namespace ECert.Core.Bulk;

/// <summary>
/// One record of the card personalisation bureau's file (JSON Lines, one object a line):
/// <code>{"cardNumber": "...", "name": "...", "idNumber": "A123456(3)", "email": "..." (optional),
///  "publicKey": "&lt;base64 DER SubjectPublicKeyInfo&gt;"}   -- or "csr": "&lt;PEM&gt;" instead of publicKey</code>
/// Parsing checks everything that does not need the store: the shape, the identity number's
/// check digit, the name and e-mail, the key (policy, and the CSR's proof of possession).
/// </summary>
public sealed record BureauRecord(string CardNumber, string Name, HkIdentityNumber IdNumber, string? Email, PublicKey PublicKey)
{
    public const int MaxCardNumberLength = 32;

    private static readonly HashSet<string> Fields = ["cardNumber", "name", "idNumber", "email", "publicKey", "csr"];

    /// <summary>Parses one line; throws <see cref="ECertException"/> with a message fit for the reject file.</summary>
    public static BureauRecord Parse(ReadOnlySpan<byte> line)
    {
        using var document = ParseJson(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw ECertException.Invalid($"the line is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
        foreach (var property in root.EnumerateObject())
            if (!Fields.Contains(property.Name))
                throw ECertException.Invalid($"unknown field '{property.Name}'; a record has cardNumber, name, idNumber, email (optional) and publicKey or csr");

        var card = RequiredString(root, "cardNumber");
        if (card.Length > MaxCardNumberLength || !card.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw ECertException.Invalid($"cardNumber must be 1 to {MaxCardNumberLength} letters, digits or hyphens");
        var name = SubjectBuilder.CheckName(RequiredString(root, "name"), "name");
        var idNumber = HkIdentityNumber.Parse(RequiredString(root, "idNumber"));
        var email = OptionalString(root, "email") is { } text ? SubjectBuilder.CheckEmail(text, "email") : null;

        var publicKeyText = OptionalString(root, "publicKey");
        var csrText = OptionalString(root, "csr");
        var publicKey = (publicKeyText, csrText) switch
        {
            (not null, null) => ReadSubjectPublicKeyInfo(publicKeyText),
            (null, not null) => CsrReader.ReadPublicKey(System.Text.Encoding.ASCII.GetBytes(csrText)),
            (null, null) => throw ECertException.Invalid("the record has neither publicKey nor csr"),
            _ => throw ECertException.Invalid("the record has both publicKey and csr; give one"),
        };
        PublicKeyPolicy.Check(publicKey);
        return new BureauRecord(card, name, idNumber, email, publicKey);
    }

    /// <summary>The card number of a line, if it can be read at all, for the reject file.</summary>
    public static string? TryReadCardNumber(ReadOnlySpan<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("cardNumber", out var card) && card.ValueKind == JsonValueKind.String
                ? card.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonDocument ParseJson(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw ECertException.Invalid($"not valid JSON: {e.Message}");
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        OptionalString(root, name) ?? throw ECertException.Invalid($"the record has no {name}");

    private static string? OptionalString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw ECertException.Invalid($"{name} must be a string, not a JSON {value.ValueKind.ToString().ToLowerInvariant()}");
        var text = value.GetString()!.Trim();
        return text.Length == 0 ? throw ECertException.Invalid($"{name} is empty") : text;
    }

    private static PublicKey ReadSubjectPublicKeyInfo(string base64)
    {
        byte[] der;
        try { der = Convert.FromBase64String(base64); }
        catch (FormatException) { throw ECertException.Invalid("publicKey is not base64"); }
        try
        {
            var key = PublicKey.CreateFromSubjectPublicKeyInfo(der, out var read);
            return read == der.Length ? key : throw ECertException.Invalid($"publicKey has {der.Length - read} bytes after the SubjectPublicKeyInfo");
        }
        catch (CryptographicException e)
        {
            throw ECertException.Invalid($"publicKey is not a DER SubjectPublicKeyInfo: {e.Message}");
        }
    }
}
