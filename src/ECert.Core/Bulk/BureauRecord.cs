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

    /// <summary>Parses one line; throws <see cref="ECertException"/> with a message fit for the reject file.</summary>
    public static BureauRecord Parse(ReadOnlySpan<byte> line)
    {
        var fields = ReadFields(line);
        var card = RequiredString(fields, Field.CardNumber);
        if (card.Length > MaxCardNumberLength || !card.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw ECertException.Invalid($"cardNumber must be 1 to {MaxCardNumberLength} letters, digits or hyphens");
        var name = SubjectBuilder.CheckName(RequiredString(fields, Field.Name), "name");
        var idNumber = HkIdentityNumber.Parse(RequiredString(fields, Field.IdNumber));
        var email = OptionalString(fields, Field.Email) is { } text ? SubjectBuilder.CheckEmail(text, "email") : null;

        var publicKeyText = OptionalString(fields, Field.PublicKey);
        var csrText = OptionalString(fields, Field.Csr);
        var publicKey = (publicKeyText, csrText) switch
        {
            (not null, null) => SubjectPublicKeyInfoReader.ReadBase64(publicKeyText, "publicKey"),
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
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private enum Field { CardNumber, Name, IdNumber, Email, PublicKey, Csr }

    private static readonly string[] FieldNames = ["cardNumber", "name", "idNumber", "email", "publicKey", "csr"];

    /// <summary>A field as the line gave it: absent, null, a string, or a value of another kind (an error when the field is read).</summary>
    private readonly record struct FieldValue(bool Present, JsonTokenType Kind, string? Text);

    /// <summary>
    /// Reads the line's one JSON object with a forward-only reader (a bulk run reads a million):
    /// every field by its known name. A field given twice is refused where it is met, a field that
    /// is none of them once the object is read; each value is checked when its field is.
    /// </summary>
    private static FieldValue[] ReadFields(ReadOnlySpan<byte> line)
    {
        var fields = new FieldValue[FieldNames.Length];
        string? unknown = null;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            reader.Read(); // an empty line is a JsonException
            if (reader.TokenType != JsonTokenType.StartObject)
                throw ECertException.Invalid($"the line is a JSON {KindName(reader.TokenType)}, not an object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                if (field < 0) unknown ??= reader.GetString();
                reader.Read();
                if (field >= 0)
                {
                    if (fields[field].Present) throw ECertException.Invalid($"{FieldNames[field]} appears twice in the record; give it once");
                    fields[field] = new FieldValue(true, reader.TokenType, reader.TokenType == JsonTokenType.String ? reader.GetString() : null);
                }
                reader.Skip();
            }
            reader.Read(); // anything but white space after the object is a JsonException ("... is invalid after a single JSON value")
        }
        catch (JsonException e)
        {
            throw ECertException.Invalid($"not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            // The reader checks a string's bytes only when it is read: invalid UTF-8, or an escaped lone surrogate ("\ud800").
            throw ECertException.Invalid("not valid JSON: a string is not valid UTF-8 text");
        }
        if (unknown is not null)
            throw ECertException.Invalid($"unknown field '{unknown}'; a record has cardNumber, name, idNumber, email (optional) and publicKey or csr");
        return fields;
    }

    private static readonly byte[][] FieldNamesUtf8 = [.. FieldNames.Select(System.Text.Encoding.UTF8.GetBytes)];

    private static int FieldOf(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < FieldNamesUtf8.Length; i++)
            if (reader.ValueTextEquals(FieldNamesUtf8[i])) return i;
        return -1;
    }

    private static string KindName(JsonTokenType kind) => kind switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string RequiredString(FieldValue[] fields, Field field) =>
        OptionalString(fields, field) ?? throw ECertException.Invalid($"the record has no {FieldNames[(int)field]}");

    private static string? OptionalString(FieldValue[] fields, Field field)
    {
        var (present, kind, text) = fields[(int)field];
        var name = FieldNames[(int)field];
        if (!present || kind == JsonTokenType.Null) return null;
        if (kind != JsonTokenType.String)
            throw ECertException.Invalid($"{name} must be a string, not a JSON {KindName(kind)}");
        var trimmed = text!.Trim();
        return trimmed.Length == 0 ? throw ECertException.Invalid($"{name} is empty") : trimmed;
    }
}
