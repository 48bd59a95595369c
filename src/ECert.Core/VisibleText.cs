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
    /// <summary>One line of text people read (an outlet's address, a Chinese name): bounded, every character visible.</summary>
    public static void CheckLine(string text, string what, int max)
    {
        if (text.Length > max) throw ECertException.Invalid($"{what} is {text.Length} characters; at most {max}");
        Check(text, what);
    }

    /// <returns>Whether the text has a letter (any script).</returns>
    public static bool Check(string text, string what)
    {
        var hasLetter = false;
        var afterIdeograph = false;
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != OperationStatus.Done)
                throw ECertException.Invalid($"{what} is not valid text (a lone UTF-16 surrogate)");
            var category = Rune.GetUnicodeCategory(rune);
            // A variation selector chooses a glyph for the ideograph right before it (the variants
            // of Hong Kong names); anywhere else, or a second one, it only makes another string.
            var selector = IsVariationSelector(rune.Value) && afterIdeograph;
            if (!selector && IsDefaultIgnorable(rune.Value) && category != UnicodeCategory.Control)
                throw ECertException.Invalid($"{what} contains U+{rune.Value:X4}, an invisible character");
            switch (category)
            {
                case UnicodeCategory.Control:
                    throw ECertException.Invalid($"{what} contains control characters");
                case UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    throw ECertException.Invalid($"{what} contains U+{rune.Value:X4}, an invisible character");
                case UnicodeCategory.PrivateUse:
                    throw ECertException.Invalid($"{what} contains U+{rune.Value:X4}, a private-use character; use the character's standard Unicode code point");
                case UnicodeCategory.OtherNotAssigned:
                    throw ECertException.Invalid($"{what} contains U+{rune.Value:X4}, which is not an assigned Unicode character");
            }
            hasLetter |= Rune.IsLetter(rune);
            afterIdeograph = IsIdeograph(rune.Value);
            i += used;
        }
        return hasLetter;
    }

    private static bool IsVariationSelector(int c) => c is >= 0xFE00 and <= 0xFE0F or >= 0xE0100 and <= 0xE01EF;

    /// <summary>CJK unified ideographs (with Extension A, and B onwards in planes 2 and 3) and the compatibility ideographs.</summary>
    private static bool IsIdeograph(int c) => c is >= 0x3400 and <= 0x4DBF or >= 0x4E00 and <= 0x9FFF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x3FFFF;

    /// <summary>
    /// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): drawn as nothing. Some are
    /// letters to the category tables (the Hangul fillers U+3164, U+FFA0), so a name of them alone
    /// would otherwise pass as text with a letter.
    /// </summary>
    private static bool IsDefaultIgnorable(int c) => c is 0x00AD or 0x034F or 0x061C or 0x115F or 0x1160 or 0x17B4 or 0x17B5
        or >= 0x180B and <= 0x180F or >= 0x200B and <= 0x200F or >= 0x202A and <= 0x202E or >= 0x2060 and <= 0x206F
        or 0x3164 or >= 0xFE00 and <= 0xFE0F or 0xFEFF or 0xFFA0 or >= 0xFFF0 and <= 0xFFF8
        or >= 0x1BCA0 and <= 0x1BCA3 or >= 0x1D173 and <= 0x1D17A or >= 0xE0000 and <= 0xE0FFF;
}
