using ECert.Core.Billing;

namespace ECert.Core.Service;

/// <summary>One outlet's counter takings on one day.</summary>
public sealed record OutletDay(string OutletCode, DateOnly Date, int Payments, Money Taken, int Refunds, Money Refunded)
{
    public Money Net => Taken - Refunded;
}

/// <summary>Revenue of one product in one month (Hong Kong time), net of refunds.</summary>
public sealed record MonthlyRevenue(int Year, int Month, string Product, int Payments, Money Revenue);

/// <summary>Refunds, the daily reconciliation per outlet, and revenue per month and certificate type.</summary>
public sealed class ReportService(IApplicationStore applications, TimeProvider time)
{
    private static readonly TimeSpan HongKong = TimeSpan.FromHours(8);

    /// <summary>Refunds all or part of a payment, never more than is left of it.</summary>
    public Payment Refund(string receipt, Money? amount, string reason, string? officerId = null, string? outletCode = null)
    {
        var original = applications.FindPayment(receipt) ?? throw ECertException.NotFound($"no receipt {receipt}");
        if (original.IsRefund) throw ECertException.Invalid($"{receipt} is itself a refund");
        if (string.IsNullOrWhiteSpace(reason)) throw ECertException.Invalid("a refund needs a reason");
        var refunded = applications.ListPayments(original.At, DateTimeOffset.MaxValue)
            .Where(p => p.IsRefund && p.RefundOf == receipt).Aggregate(Money.Zero, (sum, p) => sum + p.Amount);
        var left = original.Amount - refunded;
        var value = amount ?? left;
        if (value <= Money.Zero) throw ECertException.Invalid("a refund must be more than HK$0.00");
        if (value > left) throw ECertException.Invalid($"only {left.Display} of receipt {receipt} is left to refund");
        var now = time.GetUtcNow();
        var refund = new Payment
        {
            Receipt = "",
            IsRefund = true,
            Srn = original.Srn,
            ApplicationId = original.ApplicationId,
            Serial = original.Serial,
            Product = original.Product,
            Channel = original.Channel,
            Amount = value,
            OutletCode = outletCode ?? original.OutletCode,
            OfficerId = officerId,
            Reference = reason.Trim(),
            RefundOf = receipt,
            At = now,
        };
        return applications.RecordPayment(refund, null)
            ?? throw new ECertException(ErrorKind.Internal, "the refund could not be recorded");
    }

    /// <summary>Counter cash per outlet on a Hong Kong calendar day: what the till should hold.</summary>
    public IReadOnlyList<OutletDay> DailyReconciliation(DateOnly date)
    {
        CheckYear(date.Year);
        var from = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), HongKong);
        return applications.ListPayments(from, from.AddDays(1))
            .Where(p => p.OutletCode is not null && p.Channel == PaymentChannel.CounterCash)
            .GroupBy(p => p.OutletCode!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new OutletDay(g.Key, date,
                g.Count(p => !p.IsRefund), Sum(g.Where(p => !p.IsRefund)),
                g.Count(p => p.IsRefund), Sum(g.Where(p => p.IsRefund))))
            .ToList();
    }

    /// <summary>Revenue per month and product over a Hong Kong calendar year, net of refunds.</summary>
    public IReadOnlyList<MonthlyRevenue> Revenue(int year)
    {
        CheckYear(year);
        var from = new DateTimeOffset(year, 1, 1, 0, 0, 0, HongKong);
        return applications.ListPayments(from, from.AddYears(1))
            .GroupBy(p => (p.At.ToOffset(HongKong).Month, p.Product))
            .OrderBy(g => g.Key.Month).ThenBy(g => g.Key.Product, StringComparer.Ordinal)
            .Select(g => new MonthlyRevenue(year, g.Key.Month, g.Key.Product, g.Count(p => !p.IsRefund),
                Sum(g.Where(p => !p.IsRefund)) - Sum(g.Where(p => p.IsRefund))))
            .ToList();
    }

    /// <summary>Reports cover the years the service can have records for.</summary>
    public static void CheckYear(int year)
    {
        if (year is < 2000 or > 9000)
            throw ECertException.Invalid($"year {year} is outside the years a report can cover (2000 to 9000)");
    }

    private static Money Sum(IEnumerable<Payment> payments) => payments.Aggregate(Money.Zero, (sum, p) => sum + p.Amount);
}
