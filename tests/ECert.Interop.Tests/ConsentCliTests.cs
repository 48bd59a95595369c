namespace ECert.Interop.Tests;

/// <summary>The consent register as the value-added services desk uses it through <c>./ecert consent</c>.</summary>
[Collection(EcertServerCollection.Name)]
public class ConsentCliTests(EcertServerFixture ca)
{
    private async Task<ProcessResult> OkAsync(params string[] arguments)
    {
        var result = await ca.EcertAsync(arguments);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', arguments)}: {result}");
        return result;
    }

    [Fact]
    public async Task ACampaignExportHoldsOnlyActiveConsentsAndConsentedFields()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var notice = ca.File($"pics-{tag}.txt");
        await File.WriteAllTextAsync(notice, "Personal Information Collection Statement ...");
        await OkAsync("consent", "publish-notice", "--version", $"PICS-{tag}", "--text-file", notice, "--classes", $"offers-{tag}", "--kinds", "name,contact-email");

        async Task<string> PersonAsync(string name)
        {
            var digits = Random.Shared.Next(0, 1_000_000).ToString("D6");
            var id = $"E{digits}({ECert.Core.Identity.HkIdentityNumber.ComputeCheckDigit("E", digits)})";
            var result = await Tooling.RunAsync(Tooling.EcertScript, ["subscriber", "register-person", "--name", name, "--id-number", "-",
                "--contact-email", "someone@example.com"], ca.Environment, ca.WorkFolder, stdin: id + "\n");
            Assert.True(result.ExitCode == 0, result.ToString());
            return result.Stdout.Split('\t')[0];
        }
        var stays = await PersonAsync("NG Stay");
        var leaves = await PersonAsync("NG Leave");
        var silent = await PersonAsync("NG Silent");

        var refused = await ca.EcertAsync("consent", "give", "--srn", silent, "--class", $"offers-{tag}", "--kinds", "name", "--notice", $"PICS-{tag}", "--channel", "online");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("explicit opt-in", refused.Stderr);
        await OkAsync("consent", "give", "--srn", stays, "--class", $"offers-{tag}", "--kinds", "name", "--notice", $"PICS-{tag}", "--channel", "counter", "--opt-in");
        await OkAsync("consent", "give", "--srn", leaves, "--class", $"offers-{tag}", "--kinds", "name,contact-email", "--notice", $"PICS-{tag}", "--channel", "online", "--opt-in");
        await OkAsync("consent", "withdraw", "--srn", leaves, "--class", $"offers-{tag}", "--channel", "online");

        var output = ca.File($"campaign-{tag}.jsonl");
        await OkAsync("consent", "export", "--class", $"offers-{tag}", "--out", output);
        var lines = await File.ReadAllLinesAsync(output);
        var line = Assert.Single(lines);
        Assert.Contains(stays, line);
        Assert.Contains("NG Stay", line);
        Assert.DoesNotContain("someone@example.com", line); // the consent named the name only
        var audit = await OkAsync("audit", "list");
        Assert.Contains($"consent.campaign-export\toffers-{tag}", audit.Stdout);
    }
}
