namespace ECert.Interop.Tests;

/// <summary>The counter flow as an operator scripts it with <c>./ecert</c> verbs.</summary>
[Collection(EcertServerCollection.Name)]
public class ServiceCliTests(EcertServerFixture ca)
{
    private async Task<string[]> OkAsync(params string[] arguments)
    {
        var result = await ca.EcertAsync(arguments);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', arguments)}: {result}");
        return result.Stdout.Split('\t', '\n');
    }

    [Fact]
    public async Task CounterFlowFromRegistrationToAcceptedCertificate()
    {
        var outlet = "C" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        string[] hours = [.. new[] { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" }.SelectMany(d => new[] { "--hours", $"{d} 00:00-23:59" })];
        await OkAsync(["outlet", "add", "--code", outlet, "--name", "Test Post Office", "--address", "1 Test Road", "--district", "Wan Chai",
            "--services", "personal,payment", .. hours]);
        await OkAsync("officer", "add", "--id", $"{outlet}-1", "--name", "CHEUNG Ka Yan", "--outlets", outlet);
        var prefix = "D";
        var digits = new Random().Next(0, 1_000_000).ToString("D6");
        var id = $"{prefix}{digits}({ECert.Core.Identity.HkIdentityNumber.ComputeCheckDigit(prefix, digits)})";
        // The identity number goes in on stdin, so it never shows in ps or the shell history.
        var registered = await Tooling.RunAsync(Tooling.EcertScript, ["subscriber", "register-person", "--name", "KWOK Lai Ping", "--id-number", "-",
            "--email", "lp.kwok@example.com"], ca.Environment, ca.WorkFolder, stdin: id + "\n");
        Assert.True(registered.ExitCode == 0, registered.ToString());
        var srn = registered.Stdout.Split('\t')[0];
        Assert.Contains("***(", registered.Stdout);

        var submitted = await OkAsync("application", "submit", "--srn", srn, "--profile", "personal");
        var application = submitted[0];
        Assert.Equal("48.00", submitted[2].Trim());
        await OkAsync("application", "verify", "--id", application, "--officer", $"{outlet}-1", "--outlet", outlet, "--document", "hkid-card", "--pin-envelope", "PIN778899");

        var refused = await ca.EcertAsync("application", "pay", "--id", application, "--channel", "counter-cash", "--amount", "-48", "--officer", $"{outlet}-1", "--outlet", outlet);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("negative", refused.Stderr);
        var receipt = (await OkAsync("application", "pay", "--id", application, "--channel", "counter-cash", "--amount", "48", "--officer", $"{outlet}-1", "--outlet", outlet))[0];
        Assert.StartsWith("R-", receipt);

        var p12 = ca.File($"{application}.p12");
        var pem = ca.File($"{application}.pem");
        var issue = await ca.EcertAsync("application", "issue", "--id", application, "--generate-key", "--p12", p12, "--out", pem);
        Assert.True(issue.ExitCode == 0, issue.ToString());
        Assert.Contains("PIN envelope for", issue.Stderr);
        var serial = issue.Stdout.Split('\t')[0];
        await OkAsync("application", "accept", "--id", application);

        var show = string.Join('\n', await OkAsync("application", "show", "--id", application));
        Assert.Contains("accepted", show);
        Assert.Contains("PIN778899", show);
        var status = await OkAsync("status", "--serial", serial);
        Assert.Equal("valid", status[1]);
        var payments = await ca.EcertAsync("payment", "list", "--from", DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd"));
        Assert.Contains(receipt, payments.Stdout);
        var reconciliation = await ca.EcertAsync("report", "reconciliation", "--date", DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd"));
        Assert.Contains(outlet, reconciliation.Stdout);
        // The audit trail says where the counter work happened.
        var audit = await ca.EcertAsync("audit", "list");
        Assert.Contains($"\tcli.application verify\t-\t{outlet}\t", audit.Stdout);
    }
}
