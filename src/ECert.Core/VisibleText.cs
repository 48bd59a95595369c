using System.Buffers;
using System.Globalization;
using System.Text;

namespace ECert.Core;

/// <summary>
/// Text that people read (a name in a certificate, an outlet's address, a Chinese name on a
/// data-access reply) must show what it holds: no control characters, nothing invisible (U+200B,
/// U+FEFF, a right-to-left override U+202E), no private-use code points (legacy HKSCS and EUDC
/// input: every HKSCS character has a standard code point), nothing this runtime's Unicode tables
/// do not know, and no lone UTF-16 surrogates.
/// </summary>
public static class VisibleText
{
    /// <returns>Whether the text has a letter (any script).</returns>
    public static bool Check(string text, string what)
    {
        var hasLetter = false;
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != OperationStatus.Done)
                throw ECertException.Invalid($"{what} is not valid text (a lone UTF-16 surrogate)");
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                    throw ECertException.Invalid($"{what} contains control characters");
                case UnicodeCategory.Format:
                    throw ECertException.Invalid($"{what} contains U+{rune.Value:X4}, an invisible character");
                case UnicodeCategory.PrivateUse:
                    throw ECertException.Invalid($"{what} contains U+{rune.Value:X4}, a private-use character; use the character's standard Unicode code point");
                case UnicodeCategory.OtherNotAssigned:
                    throw ECertException.Invalid($"{what} contains U+{rune.Value:X4}, which is not an assigned Unicode character");
            }
            hasLetter |= Rune.IsLetter(rune);
            i += used;
        }
        return hasLetter;
    }
}
