using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ECert.Core;
using ECert.Core.Billing;
using ECert.Core.Service;
using ECert.Core.Stores;
using Microsoft.Data.Sqlite;

namespace ECert.Storage;

/// <summary>Applications, tariffs, payments and subscription periods in SQLite.</summary>
public sealed class SqliteApplicationStore(SqliteDatabase database) : IApplicationStore
{
    private const string DateFormat = "yyyy-MM-dd";

    private const string ApplicationColumns = """
        id, srn, profile, kind, channel, state, term_years, dns_names, usb_medium, extra_servers, renews_serial, created_at,
        verified_by, verified_outlet, verified_at, document_type, pin_envelope, hours_override_by, approved_by, approved_at,
        fee_cents, tariff_code, receipt, serial, issued_at, accepted_at, closed_reason
        """;

    private const string ApplicationValues = """
        $id, $srn, $profile, $kind, $channel, $state, $termYears, $dnsNames, $usbMedium, $extraServers, $renewsSerial, $createdAt,
        $verifiedBy, $verifiedOutlet, $verifiedAt, $documentType, $pinEnvelope, $hoursOverrideBy, $approvedBy, $approvedAt,
        $feeCents, $tariffCode, $receipt, $serial, $issuedAt, $acceptedAt, $closedReason
        """;

    // Every column but the key; the compare-and-set of UpdateApplication and RecordPayment.
    private const string UpdateApplicationSql = """
        UPDATE applications SET
            srn = $srn, profile = $profile, kind = $kind, channel = $channel, state = $state, term_years = $termYears,
            dns_names = $dnsNames, usb_medium = $usbMedium, extra_servers = $extraServers, renews_serial = $renewsSerial,
            created_at = $createdAt, verified_by = $verifiedBy, verified_outlet = $verifiedOutlet, verified_at = $verifiedAt,
            document_type = $documentType, pin_envelope = $pinEnvelope, hours_override_by = $hoursOverrideBy,
            approved_by = $approvedBy, approved_at = $approvedAt, fee_cents = $feeCents, tariff_code = $tariffCode,
            receipt = $receipt, serial = $serial, issued_at = $issuedAt, accepted_at = $acceptedAt, closed_reason = $closedReason
        WHERE id = $id AND state = $expected
        """;

    private const string PaymentColumns =
        "receipt, kind, srn, application_id, serial, product, channel, amount_cents, outlet_code, officer_id, reference, refund_of, at";

    private const string StandingColumns = "c.serial, c.srn, c.profile, c.state, c.suspended_for";

    /// <summary>
    /// Each subscribed certificate's paid-until date. The sweeps start from here, not from the
    /// certificates: a population of smart ID card certificates has no subscriptions, and a scan
    /// of millions of certificate rows every sweep would find none of them.
    /// </summary>
    private const string PaidUntil = "(SELECT serial, MAX(ends) AS paid_until FROM subscription_periods GROUP BY serial) p";

    private const int ForeignKeyFailed = 787; // SQLITE_CONSTRAINT_FOREIGNKEY
    private const int CheckFailed = 275;      // SQLITE_CONSTRAINT_CHECK

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // ----- applications -----

    public string NextApplicationId(int year) =>
        string.Create(CultureInfo.InvariantCulture, $"APP-{year:D4}-{database.NextInYear("application", year):D6}");

    public void AddApplication(Application application)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO applications ({ApplicationColumns}) VALUES ({ApplicationValues})";
        BindApplication(command, application);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ApplicationRefused(application, e, $"application {application.Id} already exists");
        }
    }

    public Application? FindApplication(string id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ApplicationColumns} FROM applications WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadApplication(reader) : null;
    }

    public IReadOnlyList<Application> ListApplications(ApplicationState? state = null, string? srn = null)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {ApplicationColumns} FROM applications
            WHERE ($state IS NULL OR state = $state) AND ($srn IS NULL OR srn = $srn)
            ORDER BY created_at, id
            """;
        command.Parameters.AddWithValue("$state", state is { } s ? Application.StateName(s) : DBNull.Value);
        command.Parameters.AddWithValue("$srn", Value(srn));
        using var reader = command.ExecuteReader();
        var applications = new List<Application>();
        while (reader.Read()) applications.Add(ReadApplication(reader));
        return applications;
    }

    public bool UpdateApplication(Application updated, ApplicationState expected)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        return CompareAndSet(command, updated, expected);
    }

    // ----- tariffs -----

    public IReadOnlyList<TariffVersion> ListTariffs()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT code, effective_from, effective_until, extra_server_cents, usb_medium_cents, description, entries
            FROM tariff_versions ORDER BY effective_from, code
            """;
        using var reader = command.ExecuteReader();
        var versions = new List<TariffVersion>();
        while (reader.Read())
        {
            var code = reader.GetString(0);
            versions.Add(new TariffVersion(
                code,
                ParseDate(reader.GetString(1)),
                reader.IsDBNull(2) ? null : ParseDate(reader.GetString(2)),
                ReadEntries(code, reader.GetString(6)),
                new Money(reader.GetInt64(3)),
                new Money(reader.GetInt64(4)),
                Text(reader, 5)));
        }
        return versions;
    }

    public void AddTariff(TariffVersion version)
    {
        var entries = version.Entries.Select(e => new EntryDocument(e.Product, KindName(e.Kind), e.TermYears, e.Fee.Cents, e.Label)).ToList();
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO tariff_versions (code, effective_from, effective_until, extra_server_cents, usb_medium_cents, description, entries)
            VALUES ($code, $from, $until, $extraServer, $usbMedium, $description, $entries)
            """;
        command.Parameters.AddWithValue("$code", version.Code);
        command.Parameters.AddWithValue("$from", FormatDate(version.EffectiveFrom));
        command.Parameters.AddWithValue("$until", version.EffectiveUntil is { } until ? FormatDate(until) : DBNull.Value);
        command.Parameters.AddWithValue("$extraServer", version.ExtraServerFee.Cents);
        command.Parameters.AddWithValue("$usbMedium", version.UsbMediumFee.Cents);
        command.Parameters.AddWithValue("$description", Value(version.Description));
        command.Parameters.AddWithValue("$entries", JsonSerializer.Serialize(entries, Json));
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict($"tariff version '{version.Code}' already exists; versions are never edited, add a new one");
        }
    }

    public bool EndTariff(string code, DateOnly until)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE tariff_versions SET effective_until = $until
            WHERE code = $code AND effective_until IS NULL AND effective_from < $until
            """;
        command.Parameters.AddWithValue("$code", code);
        command.Parameters.AddWithValue("$until", until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return command.ExecuteNonQuery() == 1;
    }

    // ----- payments -----

    public Payment? RecordPayment(Payment payment, Application? paidApplication, ApplicationState expected = ApplicationState.Submitted)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        payment = InsertPayment(connection, transaction, payment);
        if (paidApplication is not null)
        {
            using var update = connection.CreateCommand();
            update.Transaction = transaction;
            if (!CompareAndSet(update, paidApplication with { Receipt = payment.Receipt }, expected))
            {
                transaction.Rollback();
                return null;
            }
        }
        transaction.Commit();
        return payment;
    }

    public bool RecordIssuance(Application issued, SubscriptionPeriod firstPeriod, ApplicationState expected)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            if (!CompareAndSet(update, issued, expected))
            {
                transaction.Rollback();
                return false;
            }
        }
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO subscription_periods (serial, starts, ends, receipt) VALUES ($serial, $starts, $ends, $receipt)";
            insert.Parameters.AddWithValue("$serial", firstPeriod.Serial);
            insert.Parameters.AddWithValue("$starts", firstPeriod.Starts.ToUnixTimeSeconds());
            insert.Parameters.AddWithValue("$ends", firstPeriod.Ends.ToUnixTimeSeconds());
            insert.Parameters.AddWithValue("$receipt", Value(firstPeriod.Receipt));
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return true;
    }

    public IReadOnlyList<string> ListCertificatesOfApplication(string applicationId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT serial FROM certificates WHERE application_id = $id ORDER BY reserved_at, serial";
        command.Parameters.AddWithValue("$id", applicationId);
        using var reader = command.ExecuteReader();
        var serials = new List<string>();
        while (reader.Read()) serials.Add(reader.GetString(0));
        return serials;
    }

    public Payment? RecordSubscriptionPayment(Payment payment, SubscriptionPeriod period)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using (var paid = connection.CreateCommand())
        {
            paid.Transaction = transaction;
            paid.CommandText = "SELECT MAX(ends) FROM subscription_periods WHERE serial = $serial";
            paid.Parameters.AddWithValue("$serial", period.Serial);
            if (paid.ExecuteScalar() is not long until || until != period.Starts.ToUnixTimeSeconds())
            {
                transaction.Rollback();
                return null;
            }
        }
        payment = InsertPayment(connection, transaction, payment);
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO subscription_periods (serial, starts, ends, receipt) VALUES ($serial, $starts, $ends, $receipt)";
            insert.Parameters.AddWithValue("$serial", period.Serial);
            insert.Parameters.AddWithValue("$starts", period.Starts.ToUnixTimeSeconds());
            insert.Parameters.AddWithValue("$ends", period.Ends.ToUnixTimeSeconds());
            insert.Parameters.AddWithValue("$receipt", payment.Receipt);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return payment;
    }

    /// <summary>
    /// Inserts a payment under the next receipt number of its year, taken inside the caller's
    /// transaction so a refused payment leaves no gap. A refund is checked against what is left of
    /// the payment it refunds in the same transaction, so concurrent refunds never exceed it.
    /// </summary>
    private static Payment InsertPayment(SqliteConnection connection, SqliteTransaction transaction, Payment payment)
    {
        if (payment.IsRefund)
        {
            using var left = connection.CreateCommand();
            left.Transaction = transaction;
            left.CommandText = """
                SELECT p.amount_cents - COALESCE((SELECT SUM(r.amount_cents) FROM payments r WHERE r.refund_of = p.receipt AND r.kind = 'refund'), 0)
                FROM payments p WHERE p.receipt = $receipt AND p.kind = 'payment'
                """;
            left.Parameters.AddWithValue("$receipt", Value(payment.RefundOf));
            var remaining = left.ExecuteScalar() as long? ?? throw ECertException.NotFound($"no payment {payment.RefundOf} to refund");
            if (payment.Amount.Cents > remaining)
                throw ECertException.Invalid($"only {new Money(remaining).Display} of receipt {payment.RefundOf} is left to refund");
        }
        var year = payment.At.ToOffset(TimeSpan.FromHours(8)).Year;
        payment = payment with { Receipt = string.Create(CultureInfo.InvariantCulture, $"R-{year:D4}-{SqliteDatabase.NextInYear(connection, transaction, "receipt", year):D6}") };
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"""
            INSERT INTO payments ({PaymentColumns})
            VALUES ($receipt, $kind, $srn, $applicationId, $serial, $product, $channel, $amount, $outlet, $officer, $reference, $refundOf, $at)
            """;
        insert.Parameters.AddWithValue("$receipt", payment.Receipt);
        insert.Parameters.AddWithValue("$kind", payment.IsRefund ? "refund" : "payment");
        insert.Parameters.AddWithValue("$srn", payment.Srn);
        insert.Parameters.AddWithValue("$applicationId", Value(payment.ApplicationId));
        insert.Parameters.AddWithValue("$serial", Value(payment.Serial));
        insert.Parameters.AddWithValue("$product", payment.Product);
        insert.Parameters.AddWithValue("$channel", Payment.ChannelName(payment.Channel));
        insert.Parameters.AddWithValue("$amount", payment.Amount.Cents);
        insert.Parameters.AddWithValue("$outlet", Value(payment.OutletCode));
        insert.Parameters.AddWithValue("$officer", Value(payment.OfficerId));
        insert.Parameters.AddWithValue("$reference", Value(payment.Reference));
        insert.Parameters.AddWithValue("$refundOf", Value(payment.RefundOf));
        insert.Parameters.AddWithValue("$at", payment.At.ToUnixTimeSeconds());
        try
        {
            insert.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == ForeignKeyFailed)
        {
            throw ECertException.NotFound(
                $"payment {payment.Receipt} refers to a subscriber, application, outlet, officer or refunded receipt that does not exist");
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == CheckFailed)
        {
            throw ECertException.Invalid($"payment {payment.Receipt} has a negative amount ({payment.Amount}); a refund is recorded as a positive amount of kind refund");
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict($"receipt {payment.Receipt} is already used");
        }
        return payment;
    }

    public Payment? FindPayment(string receipt)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {PaymentColumns} FROM payments WHERE receipt = $receipt";
        command.Parameters.AddWithValue("$receipt", receipt);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadPayment(reader) : null;
    }

    public IReadOnlyList<Payment> ListPayments(DateTimeOffset from, DateTimeOffset until)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {PaymentColumns} FROM payments WHERE at >= $from AND at < $until ORDER BY at, receipt";
        command.Parameters.AddWithValue("$from", from.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$until", until.ToUnixTimeSeconds());
        using var reader = command.ExecuteReader();
        var payments = new List<Payment>();
        while (reader.Read()) payments.Add(ReadPayment(reader));
        return payments;
    }

    // ----- subscription periods -----

    public void AddPeriod(SubscriptionPeriod period)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO subscription_periods (serial, starts, ends, receipt) VALUES ($serial, $starts, $ends, $receipt)";
        command.Parameters.AddWithValue("$serial", period.Serial);
        command.Parameters.AddWithValue("$starts", period.Starts.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$ends", period.Ends.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$receipt", Value(period.Receipt));
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == ForeignKeyFailed)
        {
            throw ECertException.NotFound($"the subscription period of {period.Serial} refers to a certificate or receipt that does not exist");
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ECertException.Conflict($"certificate {period.Serial} already has a subscription period starting {period.Starts.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");
        }
    }

    public IReadOnlyList<SubscriptionPeriod> ListPeriods(string serial)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT serial, starts, ends, receipt FROM subscription_periods WHERE serial = $serial ORDER BY starts";
        command.Parameters.AddWithValue("$serial", serial);
        using var reader = command.ExecuteReader();
        var periods = new List<SubscriptionPeriod>();
        while (reader.Read())
            periods.Add(new SubscriptionPeriod(reader.GetString(0), Instant(reader.GetInt64(1)), Instant(reader.GetInt64(2)), Text(reader, 3)));
        return periods;
    }

    public IReadOnlyList<SubscriptionStanding> ListLapsedSubscriptions(DateTimeOffset paidUntilBefore)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {StandingColumns}, p.paid_until, c.not_after
            FROM {PaidUntil} JOIN certificates c ON c.serial = p.serial
            WHERE c.state IN ('valid', 'suspended') AND p.paid_until < $before
            ORDER BY p.paid_until, c.serial
            """;
        command.Parameters.AddWithValue("$before", paidUntilBefore.ToUnixTimeSeconds());
        return ReadStandings(command);
    }

    public IReadOnlyList<SubscriptionStanding> ListSuspendedForNonPayment()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {StandingColumns}, p.paid_until, c.not_after
            FROM {PaidUntil} JOIN certificates c ON c.serial = p.serial
            WHERE c.state = 'suspended' AND c.suspended_for = 'non-payment'
            ORDER BY c.serial
            """;
        return ReadStandings(command);
    }

    public IReadOnlyList<SubscriptionStanding> ListExpiring(DateTimeOffset from, DateTimeOffset until)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {StandingColumns}, COALESCE(MAX(p.ends), c.not_after), c.not_after
            FROM certificates c LEFT JOIN subscription_periods p ON p.serial = c.serial
            WHERE c.state = 'valid' AND c.not_after >= $from AND c.not_after < $until
            GROUP BY c.serial
            ORDER BY c.not_after, c.serial
            """;
        command.Parameters.AddWithValue("$from", from.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$until", until.ToUnixTimeSeconds());
        return ReadStandings(command);
    }

    // ----- helpers -----


    /// <summary>Writes every column of the application if it is still in <paramref name="expected"/>.</summary>
    private static bool CompareAndSet(SqliteCommand command, Application updated, ApplicationState expected)
    {
        command.CommandText = UpdateApplicationSql;
        BindApplication(command, updated);
        command.Parameters.AddWithValue("$expected", Application.StateName(expected));
        try
        {
            return command.ExecuteNonQuery() == 1;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw ApplicationRefused(updated, e, $"application {updated.Id} was refused by the database: {e.Message}");
        }
    }

    private static ECertException ApplicationRefused(Application application, SqliteException e, string otherwise) =>
        e.SqliteExtendedErrorCode == ForeignKeyFailed
            ? ECertException.NotFound(
                $"application {application.Id} refers to a subscriber, officer, outlet or certificate that does not exist (SRN {application.Srn})")
            : ECertException.Conflict(otherwise);

    private static void BindApplication(SqliteCommand command, Application a)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", a.Id);
        p.AddWithValue("$srn", a.Srn);
        p.AddWithValue("$profile", a.Profile);
        p.AddWithValue("$kind", KindName(a.Kind));
        p.AddWithValue("$channel", a.Channel == ApplicationChannel.Online ? "online" : "counter");
        p.AddWithValue("$state", Application.StateName(a.State));
        p.AddWithValue("$termYears", a.TermYears);
        p.AddWithValue("$dnsNames", a.DnsNames.Count == 0 ? DBNull.Value : string.Join(',', a.DnsNames));
        p.AddWithValue("$usbMedium", a.UsbMedium ? 1 : 0);
        p.AddWithValue("$extraServers", a.ExtraServers);
        p.AddWithValue("$renewsSerial", Value(a.RenewsSerial));
        p.AddWithValue("$createdAt", a.CreatedAt.ToUnixTimeSeconds());
        p.AddWithValue("$verifiedBy", Value(a.VerifiedBy));
        p.AddWithValue("$verifiedOutlet", Value(a.VerifiedOutlet));
        p.AddWithValue("$verifiedAt", Value(a.VerifiedAt?.ToUnixTimeSeconds()));
        p.AddWithValue("$documentType", Value(a.DocumentType));
        p.AddWithValue("$pinEnvelope", Value(a.PinEnvelope));
        p.AddWithValue("$hoursOverrideBy", Value(a.HoursOverrideBy));
        p.AddWithValue("$approvedBy", Value(a.ApprovedBy));
        p.AddWithValue("$approvedAt", Value(a.ApprovedAt?.ToUnixTimeSeconds()));
        p.AddWithValue("$feeCents", Value(a.Fee?.Cents));
        p.AddWithValue("$tariffCode", Value(a.TariffCode));
        p.AddWithValue("$receipt", Value(a.Receipt));
        p.AddWithValue("$serial", Value(a.Serial));
        p.AddWithValue("$issuedAt", Value(a.IssuedAt?.ToUnixTimeSeconds()));
        p.AddWithValue("$acceptedAt", Value(a.AcceptedAt?.ToUnixTimeSeconds()));
        p.AddWithValue("$closedReason", Value(a.ClosedReason));
    }

    private static Application ReadApplication(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Srn = reader.GetString(1),
        Profile = reader.GetString(2),
        Kind = ParseKind(reader.GetString(3)),
        Channel = reader.GetString(4) == "online" ? ApplicationChannel.Online : ApplicationChannel.Counter,
        State = Application.ParseState(reader.GetString(5)),
        TermYears = reader.GetInt32(6),
        DnsNames = reader.IsDBNull(7) ? [] : [.. reader.GetString(7).Split(',', StringSplitOptions.RemoveEmptyEntries)],
        UsbMedium = reader.GetInt64(8) != 0,
        ExtraServers = reader.GetInt32(9),
        RenewsSerial = Text(reader, 10),
        CreatedAt = Instant(reader.GetInt64(11)),
        VerifiedBy = Text(reader, 12),
        VerifiedOutlet = Text(reader, 13),
        VerifiedAt = OptionalInstant(reader, 14),
        DocumentType = Text(reader, 15),
        PinEnvelope = Text(reader, 16),
        HoursOverrideBy = Text(reader, 17),
        ApprovedBy = Text(reader, 18),
        ApprovedAt = OptionalInstant(reader, 19),
        Fee = reader.IsDBNull(20) ? null : new Money(reader.GetInt64(20)),
        TariffCode = Text(reader, 21),
        Receipt = Text(reader, 22),
        Serial = Text(reader, 23),
        IssuedAt = OptionalInstant(reader, 24),
        AcceptedAt = OptionalInstant(reader, 25),
        ClosedReason = Text(reader, 26),
    };

    private static Payment ReadPayment(SqliteDataReader reader) => new()
    {
        Receipt = reader.GetString(0),
        IsRefund = reader.GetString(1) == "refund",
        Srn = reader.GetString(2),
        ApplicationId = Text(reader, 3),
        Serial = Text(reader, 4),
        Product = reader.GetString(5),
        Channel = Payment.ParseChannel(reader.GetString(6)),
        Amount = new Money(reader.GetInt64(7)),
        OutletCode = Text(reader, 8),
        OfficerId = Text(reader, 9),
        Reference = Text(reader, 10),
        RefundOf = Text(reader, 11),
        At = Instant(reader.GetInt64(12)),
    };

    private static List<SubscriptionStanding> ReadStandings(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var standings = new List<SubscriptionStanding>();
        while (reader.Read())
            standings.Add(new SubscriptionStanding(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                Enum.Parse<CertificateState>(reader.GetString(3), ignoreCase: true),
                Text(reader, 4),
                Instant(reader.GetInt64(5)),
                Instant(reader.GetInt64(6))));
        return standings;
    }

    private static List<TariffEntry> ReadEntries(string code, string json)
    {
        List<EntryDocument>? documents;
        try
        {
            documents = JsonSerializer.Deserialize<List<EntryDocument>>(json, Json);
        }
        catch (JsonException e)
        {
            throw new ECertException(ErrorKind.Internal, $"the prices of tariff '{code}' in the database are damaged: {e.Message}", e);
        }
        return [.. (documents ?? []).Select(d => new TariffEntry(d.Product, ParseKind(d.Kind), d.TermYears, new Money(d.FeeCents), d.Label))];
    }

    private static string KindName(FeeKind kind) => kind == FeeKind.Renewal ? "renewal" : "first";

    private static FeeKind ParseKind(string text) => text switch
    {
        "first" => FeeKind.First,
        "renewal" => FeeKind.Renewal,
        _ => throw new ECertException(ErrorKind.Internal, $"unknown fee kind '{text}' in the database"),
    };

    private static string FormatDate(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, DateFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    private static DateTimeOffset? OptionalInstant(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Instant(reader.GetInt64(ordinal));

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static object Value(object? value) => value ?? DBNull.Value;

    /// <summary>One price of a tariff version as stored in the <c>entries</c> JSON array.</summary>
    private sealed record EntryDocument(
        [property: JsonPropertyName("product")] string Product,
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("termYears")] int TermYears,
        [property: JsonPropertyName("feeCents")] long FeeCents,
        [property: JsonPropertyName("label")] string? Label);
}
