using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ECert.Core;
using ECert.Core.Billing;
using ECert.Core.Identity;
using ECert.Core.Service;
using ECert.Core.Status;
using ECert.Core.Stores;
using ECert.Server;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary>
/// <c>ecert demo-data</c>: fills a new instance with a living demo service, so a newcomer sees
/// something real: ten post-office outlets with their hours and the general holidays, RA officers,
/// a few hundred invented subscribers, and three months of applications at every stage, with
/// payments, refunds, rejections, suspensions, revocations and status requests. Behind those lies
/// about a year and a half of history: Personal certificates issued 13 to 16 months ago whose
/// second subscription year was paid on time, paid late, or not at all (suspended, then revoked
/// for non-payment), and server certificates issued about six months ago that are now in their
/// renewal window, some of them renewed. Everything goes through the domain services on a clock
/// that moves forward from the start of that history and ends at the real time. The people are
/// drawn from a seeded random generator, so the same seed gives the same data set.
/// </summary>
public static class DemoDataCommand
{
    public const int DefaultSubscribers = 300;
    public const int MaximumSubscribers = 100_000;
    public const int DefaultSeed = 2026;
    public const int MinimumSubscribers = 10;

    public static Command Create()
    {
        var subscribers = WithDefault("--subscribers", $"How many subscribers to invent (at least {MinimumSubscribers})", DefaultSubscribers);
        var seed = WithDefault("--seed", "Seed of the invented data: the same seed gives the same people", DefaultSeed);
        var command = new Command("demo-data",
            "Fill a new instance with a demo service: outlets, officers, subscribers, three months of applications, payments and revocations, "
            + "and a year and a half of subscription history (lapses, late payments, renewals)");
        command.Options.Add(subscribers);
        command.Options.Add(seed);
        command.SetAction(parse => CommonOptions.Run(() =>
        {
            var count = parse.GetValue(subscribers);
            if (count < MinimumSubscribers)
                throw ECertException.Invalid($"--subscribers {count} is too few; the demo needs at least {MinimumSubscribers}");
            if (count > MaximumSubscribers)
                throw ECertException.Invalid($"--subscribers {count} is more than a demonstration needs (at most {MaximumSubscribers}); use 'bulk issue' for volume");
            var now = TimeProvider.System.GetUtcNow();
            // Opened on a clock set well in the past; the builder moves it forward from there.
            var clock = new DemoClock(now.AddYears(-2));
            var instance = EcertInstance.Open(CommonOptions.DataFolder(parse), CommonOptions.ReadPassphrase, clock);
            CliAccess.Authorise(instance, parse);
            Fill(instance, clock, count, parse.GetValue(seed), now);
            return 0;
        }));
        return command;
    }

    /// <summary>Fills an instance opened on <paramref name="clock"/> with the demo service, ending at <paramref name="now"/>.</summary>
    public static void Fill(EcertInstance instance, DemoClock clock, int subscribers, int seed, DateTimeOffset now) =>
        new DemoDataBuilder(instance, clock, subscribers, seed, now).Run();

    /// <summary>
    /// The invented identity numbers (canonical form, e.g. <c>A1234563</c>) that <c>demo-data</c>
    /// registers for a seed and subscriber count. They exist only in memory while the command runs;
    /// tests use this to check that none of them reaches the database in clear.
    /// </summary>
    public static IReadOnlyList<string> IdentityNumbers(int seed, int subscribers) =>
        DemoPeople.IdentityNumbers(seed, DemoPeople.Split(subscribers).Persons).Select(n => n.Canonical).ToList();
}

/// <summary>A clock the demo sets: it only moves forward, as issuance and CRL numbering assume.</summary>
public sealed class DemoClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start.ToUniversalTime();

    public DateTimeOffset Now
    {
        get => _now;
        set
        {
            if (value < _now)
                throw new InvalidOperationException($"the demo clock cannot go back from {_now:O} to {value:O}");
            _now = value.ToUniversalTime();
        }
    }

    public override DateTimeOffset GetUtcNow() => _now;
}

/// <summary>An invented identity number, in the two forms the demo needs.</summary>
internal sealed record DemoIdentity(string Prefix, string Digits, char Check)
{
    public string Canonical => Prefix + Digits + Check;
    public string Printed => $"{Prefix}{Digits}({Check})";
}

/// <summary>An invented person: name in the identity-card style, Chinese name, e-mail, address.</summary>
internal sealed record DemoPerson(string Name, string? ChineseName, string GivenInitials, string Surname);

/// <summary>Invented people, organisations and identity numbers, all from seeded generators.</summary>
internal static class DemoPeople
{
    private static readonly (string Roman, string Chinese)[] Surnames =
    [
        ("CHAN", "陳"), ("LEE", "李"), ("WONG", "黃"), ("CHEUNG", "張"), ("LAU", "劉"), ("LAM", "林"), ("HO", "何"), ("NG", "吳"),
        ("LEUNG", "梁"), ("CHOW", "周"), ("TSANG", "曾"), ("YEUNG", "楊"), ("CHU", "朱"), ("TANG", "鄧"), ("KWOK", "郭"), ("MAK", "麥"),
        ("FUNG", "馮"), ("YIP", "葉"), ("LO", "盧"), ("SO", "蘇"), ("TSE", "謝"), ("CHENG", "鄭"), ("KWAN", "關"), ("TAM", "譚"),
        ("SIU", "蕭"), ("LUK", "陸"), ("POON", "潘"), ("YUEN", "袁"), ("CHOI", "蔡"), ("KONG", "江"), ("LAI", "黎"), ("CHIU", "趙"),
    ];

    private static readonly (string Roman, string Chinese)[] Given =
    [
        ("Tai", "大"), ("Man", "文"), ("Siu", "小"), ("Ming", "明"), ("Ka", "嘉"), ("Yan", "欣"), ("Chi", "志"), ("Keung", "強"),
        ("Wing", "詠"), ("Sze", "詩"), ("Wai", "偉"), ("Kin", "健"), ("Hoi", "凱"), ("Ling", "玲"), ("Mei", "美"), ("Fong", "芳"),
        ("Kwok", "國"), ("Hung", "雄"), ("Yee", "儀"), ("Kit", "傑"), ("Lok", "樂"), ("Tsz", "梓"), ("Hei", "希"), ("Yuk", "玉"),
        ("Lai", "麗"), ("Pui", "珮"), ("Shan", "珊"), ("Chun", "俊"), ("Fai", "輝"), ("Kam", "錦"), ("Wah", "華"), ("Yiu", "耀"),
        ("Chung", "聰"), ("Sum", "心"), ("Tung", "彤"), ("Long", "朗"), ("Ting", "婷"), ("Kei", "琪"), ("Pak", "柏"), ("Hin", "軒"),
    ];

    /// <summary>Prefix letters of identity card numbers in common use; a few two-letter ones.</summary>
    private static readonly string[] Prefixes = ["A", "B", "C", "D", "E", "G", "H", "K", "M", "P", "R", "S", "V", "Y", "Z"];
    private static readonly string[] TwoLetterPrefixes = ["XA", "XB", "XC"];

    private static readonly string[] Districts =
    [
        "Central and Western", "Wan Chai", "Eastern", "Southern", "Yau Tsim Mong", "Sham Shui Po", "Kowloon City", "Wong Tai Sin",
        "Kwun Tong", "Kwai Tsing", "Tsuen Wan", "Tuen Mun", "Yuen Long", "North", "Tai Po", "Sha Tin", "Sai Kung", "Islands",
    ];

    private static readonly string[] EstateWords = ["Evergreen", "Harmony", "Prosperity", "Jade", "Orchid", "Crystal", "Lotus", "Pine", "Maple", "Kingsfield"];
    private static readonly string[] EstateKinds = ["Garden", "Court", "Villa", "Terrace", "Mansion"];

    private static readonly string[] CompanyWords =
    [
        "Harbourlight", "Jade Lantern", "Silver Sampan", "Peakview", "Golden Egret", "Bamboo Grove", "Blue Pearl", "Red Kite",
        "Morning Tide", "Lucky Junk", "Copper Bell", "Green Lychee", "East Wind", "Seven Hills", "Cloud Gate", "Moonbay",
        "Sunrise Pier", "White Crane", "Amber Road", "Twin Bridges",
    ];

    private static readonly string[] CompanyTrades =
    [
        "Trading", "Logistics", "Engineering", "Accounting Services", "Design", "Medical Supplies", "Property Management",
        "Garment Manufacturing", "Tea Merchants", "Software", "Travel", "Printing",
    ];

    private static readonly string[] MailDomains = ["example.com", "example.org", "example.net"];

    /// <summary>How many of the subscribers are persons and how many belong to organisations.</summary>
    public static (int Persons, int Members, int Organisations) Split(int subscribers)
    {
        var members = Math.Max(3, subscribers / 5);
        return (subscribers - members, members, Math.Max(1, members / 6));
    }

    /// <summary>Distinct, valid (check digit computed) but invented identity numbers, from their own generator.</summary>
    public static IReadOnlyList<DemoIdentity> IdentityNumbers(int seed, int count)
    {
        var random = new Random(unchecked(seed * 7919 + 104_729));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var numbers = new List<DemoIdentity>(count);
        while (numbers.Count < count)
        {
            var prefix = random.Next(25) == 0 ? TwoLetterPrefixes[random.Next(TwoLetterPrefixes.Length)] : Prefixes[random.Next(Prefixes.Length)];
            var digits = random.Next(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
            var number = new DemoIdentity(prefix, digits, HkIdentityNumber.ComputeCheckDigit(prefix, digits));
            if (seen.Add(number.Canonical)) numbers.Add(number);
        }
        return numbers;
    }

    public static DemoPerson Person(Random random)
    {
        var surname = Surnames[random.Next(Surnames.Length)];
        var parts = random.Next(7) == 0 ? 1 : 2;
        var given = Enumerable.Range(0, parts).Select(_ => Given[random.Next(Given.Length)]).ToList();
        var name = $"{surname.Roman} {string.Join(' ', given.Select(g => g.Roman))}";
        var chinese = surname.Chinese + string.Concat(given.Select(g => g.Chinese));
        var initials = string.Concat(given.Select(g => char.ToLowerInvariant(g.Roman[0])));
        return new DemoPerson(name, chinese, initials, surname.Roman.ToLowerInvariant());
    }

    public static string MailDomain(Random random) => MailDomains[random.Next(MailDomains.Length)];

    public static string PostalAddress(Random random) =>
        $"Flat {(char)('A' + random.Next(8))}, {random.Next(2, 40)}/F, Block {random.Next(1, 8)}, "
        + $"{EstateWords[random.Next(EstateWords.Length)]} {EstateKinds[random.Next(EstateKinds.Length)]}, {Districts[random.Next(Districts.Length)]}";

    /// <summary>Distinct invented company names, each with a DNS-label form for its example.com subdomain.</summary>
    public static List<(string Name, string Label, string Address)> Companies(Random random, int count)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var companies = new List<(string, string, string)>();
        while (companies.Count < count)
        {
            var word = CompanyWords[random.Next(CompanyWords.Length)];
            var trade = CompanyTrades[random.Next(CompanyTrades.Length)];
            var label = new string(word.ToLowerInvariant().Where(char.IsAsciiLetter).ToArray());
            if (!used.Add(label) && !used.Add(label += companies.Count.ToString(CultureInfo.InvariantCulture))) continue;
            var suffix = random.Next(3) == 0 ? "Company Limited" : "Limited";
            var address = $"Unit {random.Next(1, 20)}, {random.Next(2, 30)}/F, {EstateWords[random.Next(EstateWords.Length)]} Commercial Centre, "
                + Districts[random.Next(Districts.Length)];
            companies.Add(($"{word} {trade} {suffix}", label, address));
        }
        return companies;
    }
}

/// <summary>
/// Hong Kong general holidays: the fixed ones and Easter computed, the lunar ones from a table
/// (2024-2028), with the rule that a holiday falling on a Sunday moves to the next day that is not
/// already a holiday.
/// </summary>
internal static class HongKongHolidays
{
    private sealed record Lunar(DateOnly NewYear, DateOnly ChingMing, DateOnly Buddha, DateOnly TuenNg, DateOnly MidAutumn, DateOnly ChungYeung);

    private static readonly Dictionary<int, Lunar> LunarDates = new()
    {
        [2024] = new(new(2024, 2, 10), new(2024, 4, 4), new(2024, 5, 15), new(2024, 6, 10), new(2024, 9, 17), new(2024, 10, 11)),
        [2025] = new(new(2025, 1, 29), new(2025, 4, 4), new(2025, 5, 5), new(2025, 5, 31), new(2025, 10, 6), new(2025, 10, 29)),
        [2026] = new(new(2026, 2, 17), new(2026, 4, 5), new(2026, 5, 24), new(2026, 6, 19), new(2026, 9, 25), new(2026, 10, 18)),
        [2027] = new(new(2027, 2, 6), new(2027, 4, 5), new(2027, 5, 13), new(2027, 6, 9), new(2027, 9, 15), new(2027, 10, 8)),
        [2028] = new(new(2028, 1, 26), new(2028, 4, 4), new(2028, 5, 2), new(2028, 5, 28), new(2028, 10, 3), new(2028, 10, 26)),
    };

    /// <summary>Whether the lunar holidays of the year are in the table (the fixed ones and Easter are always known).</summary>
    public static bool KnowsLunar(int year) => LunarDates.ContainsKey(year);

    public static IEnumerable<OutletClosure> Between(DateOnly from, DateOnly until) =>
        Enumerable.Range(from.Year, until.Year - from.Year + 1).SelectMany(Of).Where(c => c.Date >= from && c.Date <= until).OrderBy(c => c.Date);

    public static IReadOnlyList<OutletClosure> Of(int year)
    {
        var days = new List<OutletClosure> { new(new DateOnly(year, 1, 1), "The first day of January") };
        var easter = EasterSunday(year);
        days.Add(new(easter.AddDays(-2), "Good Friday"));
        days.Add(new(easter.AddDays(-1), "The day following Good Friday"));
        days.Add(new(easter.AddDays(1), "Easter Monday"));
        days.Add(new(new DateOnly(year, 5, 1), "Labour Day"));
        days.Add(new(new DateOnly(year, 7, 1), "Hong Kong Special Administrative Region Establishment Day"));
        days.Add(new(new DateOnly(year, 10, 1), "National Day"));
        days.Add(new(new DateOnly(year, 12, 25), "Christmas Day"));
        var boxing = new DateOnly(year, 12, 26);
        days.Add(new(boxing.DayOfWeek == DayOfWeek.Sunday ? boxing.AddDays(1) : boxing, "The first weekday after Christmas Day"));
        if (LunarDates.TryGetValue(year, out var lunar))
        {
            days.Add(new(lunar.NewYear, "Lunar New Year's Day"));
            days.Add(new(lunar.NewYear.AddDays(1), "The second day of Lunar New Year"));
            days.Add(new(lunar.NewYear.AddDays(2), "The third day of Lunar New Year"));
            days.Add(new(lunar.ChingMing, "Ching Ming Festival"));
            days.Add(new(lunar.Buddha, "The Birthday of the Buddha"));
            days.Add(new(lunar.TuenNg, "Tuen Ng Festival"));
            days.Add(lunar.MidAutumn.DayOfWeek == DayOfWeek.Saturday
                ? new(lunar.MidAutumn, "Chinese Mid-Autumn Festival")
                : new(lunar.MidAutumn.AddDays(1), "The day following the Chinese Mid-Autumn Festival"));
            days.Add(new(lunar.ChungYeung, "Chung Yeung Festival"));
        }
        var taken = days.Select(d => d.Date).ToHashSet();
        foreach (var sunday in days.Where(d => d.Date.DayOfWeek == DayOfWeek.Sunday).OrderBy(d => d.Date).ToList())
        {
            var next = sunday.Date.AddDays(1);
            while (next.DayOfWeek == DayOfWeek.Sunday || taken.Contains(next)) next = next.AddDays(1);
            taken.Add(next);
            days.Add(new(next, sunday.Reason.EndsWith("Lunar New Year", StringComparison.Ordinal) || sunday.Reason == "Lunar New Year's Day"
                ? "The fourth day of Lunar New Year"
                : $"The day following {sunday.Reason}"));
        }
        return [.. days.Where(d => d.Date.DayOfWeek != DayOfWeek.Sunday).OrderBy(d => d.Date)];
    }

    /// <summary>Easter Sunday (Gregorian), by the anonymous algorithm.</summary>
    private static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
        var month = (h + l - 7 * m + 114) / 31;
        var day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, day);
    }
}

/// <summary>Builds the demo: plans every subscriber's story, then plays all steps in time order.</summary>
internal sealed class DemoDataBuilder
{
    private static readonly TimeSpan Hk = TimeSpan.FromHours(8);

    private enum Fate
    {
        Accepted, Submitted, Verified, Approved, Paid, Issued, Withdrawn, Expired,
        Suspended, SuspendedResumed, KeyCompromise, Superseded, Cessation, AffiliationChanged, PaidAhead, Goodwill,
        Rejected, RefundedWithdrawn, EmailRevocation, FaxRevocation,

        // The history: a Personal certificate issued over a year ago, and what became of its second year.
        SecondYearPaid, Lapsed, LapsedPaidLate, LapsedUnpaid,

        // Server certificates issued about six months ago: now in their renewal window, some renewed.
        ServerInWindow, ServerRenewed,
    }

    /// <summary>One outlet, its counter officers and its supervisor.</summary>
    private sealed record DemoOutlet(ServiceOutlet Outlet, IReadOnlyList<RaOfficer> Officers, RaOfficer Supervisor, int Weight)
    {
        public string Code => Outlet.Code;
    }

    /// <summary>What one subscriber (or organisation) does, as steps with times; the state it builds up while played.</summary>
    private sealed class Story(string label, Story? dependsOn = null)
    {
        public string Label { get; } = label;
        public Story? DependsOn { get; } = dependsOn;
        public bool Broken { get; set; }
        public bool Open { get; set; } = true;
        public DateTimeOffset Cursor { get; set; }
        public string? Srn { get; set; }
        public string? ApplicationId { get; set; }
        public string? Serial { get; set; }
        public string? Receipt { get; set; }
        public string? PreviousSerial { get; set; }
        public string? RequestId { get; set; }
        public List<Step> Steps { get; } = [];

        /// <summary>Forgets a plan that did not fit before now, to plan the story again.</summary>
        public void Reset()
        {
            Steps.Clear();
            Open = true;
        }
    }

    private sealed record Step(DateTimeOffset At, long Order, Story? Story, Action Act);

    private readonly EcertInstance _instance;
    private readonly DemoClock _clock;
    private readonly int _subscribers;
    private readonly int _seed;
    private readonly Random _random;
    private readonly Random _people;
    private readonly DateTimeOffset _end;
    private readonly List<Step> _steps = [];
    private readonly List<DemoOutlet> _outlets = [];
    private readonly List<string> _failures = [];
    private DateTimeOffset _start;
    private DateTimeOffset _limit;
    private ServiceOutlet _office = null!;
    private long _order;
    private bool _statusChanged;

    private SubscriberRegistry _registry = null!;
    private ApplicationService _applications = null!;
    private SubscriptionService _subscriptions = null!;
    private CertificateStatusService _status = null!;
    private StatusRequestService _requests = null!;
    private ReportService _reports = null!;
    private int _graceDays;
    private int _unpaidDays;
    private int _serverValidityDays;
    private int _serverWindowDays;

    public DemoDataBuilder(EcertInstance instance, DemoClock clock, int subscribers, int seed, DateTimeOffset now)
    {
        _instance = instance;
        _clock = clock;
        _subscribers = subscribers;
        _seed = seed;
        _random = new Random(seed);
        _people = new Random(unchecked(seed * 31 + 7));
        _end = now;
    }

    private static void Progress(string phase) => Console.Error.WriteLine($"ecert: demo-data: {phase}");

    public void Run()
    {
        var stopwatch = Stopwatch.StartNew();
        if (!_instance.HasHierarchy)
            throw ECertException.NotFound($"{_instance.Folder} has no CA hierarchy; run './ecert init --data {_instance.Folder}' first");
        var existing = _instance.Applications.ListApplications();
        if (existing.Count > 0)
            throw ECertException.Conflict($"{_instance.Folder} already holds {existing.Count} applications; demo-data fills only a new instance");
        if (_instance.Subscribers.ListSubscribers().Count > 0 || _instance.Outlets.ListOutlets().Count > 0)
            throw ECertException.Conflict($"{_instance.Folder} already holds subscribers or outlets; demo-data fills only a new instance");

        // Three months of applications, long enough that some certificates issued at the start outlive the acceptance
        // period; before them the history: certificates a year old, of which some lapsed so long ago (a year, the grace
        // and the days unpaid before revocation) that they were revoked for non-payment.
        var service = _instance.Settings.Service;
        var acceptanceDays = service.AcceptanceDays;
        var spanDays = Math.Max(92, acceptanceDays + 12);
        (_graceDays, _unpaidDays) = (service.PaymentGraceDays, service.UnpaidRevocationDays);
        _serverValidityDays = ECert.Core.Profiles.ProfileFactory.Create("server", _instance.Settings.Profiles).ValidityDays;
        _serverWindowDays = service.RenewalWindow("server");
        var historyDays = Math.Max(spanDays, Math.Max(365 + _graceDays + _unpaidDays + 35, _serverValidityDays + 45));
        _start = HongKongMidnight(_end.AddDays(-historyDays));
        _limit = _end.AddMinutes(-2);
        _clock.Now = _start;

        Progress("outlets");
        CreateOutlets();
        Progress("officers");
        CreateOfficers();

        _registry = _instance.Registry();
        _applications = _instance.ApplicationService();
        _subscriptions = _instance.Subscriptions();
        _status = _instance.Status();
        _requests = _instance.StatusRequestService();
        _reports = _instance.Reports();
        var crls = _instance.CrlPublisher();

        Progress("subscribers");
        PlanPersons(acceptanceDays, spanDays);
        PlanOrganisations(spanDays);
        PlanDailyWork(crls);

        Progress($"applications ({_steps.Count} steps from {HongKongDate(_start):yyyy-MM-dd} to {HongKongDate(_end):yyyy-MM-dd})");
        foreach (var step in _steps.OrderBy(s => s.At).ThenBy(s => s.Order))
        {
            if (step.Story is { } story && (story.Broken || story.DependsOn?.Broken == true))
            {
                story.Broken = true;
                continue;
            }
            _clock.Now = step.At;
            try
            {
                step.Act();
            }
            catch (ECertException e)
            {
                if (step.Story is null) throw;
                step.Story.Broken = true;
                _failures.Add($"{step.Story.Label} at {step.At.ToOffset(Hk):yyyy-MM-dd HH:mm}: {e.Message}");
            }
        }

        Progress("sweep");
        _clock.Now = TimeProvider.System.GetUtcNow();
        _subscriptions.Sweep();
        Progress("crls");
        crls.PublishAll();
        foreach (var failure in _failures.Take(5))
            Console.Error.WriteLine($"ecert: demo-data: warning: a story stopped early: {failure}");
        if (_failures.Count > 5) Console.Error.WriteLine($"ecert: demo-data: warning: {_failures.Count - 5} more stories stopped early");
        Summary();
        Progress($"done in {stopwatch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
    }

    // ----- outlets and officers -----

    private void CreateOutlets()
    {
        string[] all = ["personal", "organisational", "server", "payment", "renewal", "revocation"];
        string[] personalOnly = ["personal", "payment", "renewal", "revocation"];
        var standard = Hours("09:30", "17:00", "13:00");
        var gpo = Hours("08:00", "18:00", "14:00");
        var (first, last) = (HongKongDate(_start), HongKongDate(_end).AddMonths(3));
        var closures = HongKongHolidays.Between(first, last).ToList();
        foreach (var year in Enumerable.Range(first.Year, last.Year - first.Year + 1).Where(y => !HongKongHolidays.KnowsLunar(y)))
            Console.Error.WriteLine($"ecert: demo-data: warning: the lunar holidays of {year} are not in the table; outlets stay open on them");
        (string Code, string Name, string Address, string District, string[] Services, IReadOnlyList<OpeningPeriod> Hours, int Weight)[] outlets =
        [
            ("GPO", "General Post Office", "2 Connaught Place, Central, Hong Kong", "Central and Western", all, gpo, 5),
            ("TST", "Tsim Sha Tsui Post Office", "10 Middle Road, Tsim Sha Tsui, Kowloon", "Yau Tsim Mong", all, standard, 3),
            ("MK", "Mong Kok Post Office", "Mong Kok, Kowloon", "Yau Tsim Mong", all, standard, 4),
            ("STC", "Sha Tin Central Post Office", "Sha Tin, New Territories", "Sha Tin", all, standard, 3),
            ("TW", "Tsuen Wan Post Office", "Tsuen Wan, New Territories", "Tsuen Wan", all, standard, 2),
            ("TMC", "Tuen Mun Central Post Office", "Tuen Mun, New Territories", "Tuen Mun", personalOnly, standard, 2),
            ("YL", "Yuen Long Post Office", "Yuen Long, New Territories", "Yuen Long", personalOnly, standard, 2),
            ("KT", "Kwun Tong Post Office", "Kwun Tong, Kowloon", "Kwun Tong", all, standard, 3),
            ("CWB", "Causeway Bay Post Office", "Causeway Bay, Hong Kong", "Wan Chai", all, standard, 3),
            ("TP", "Tai Po Post Office", "Tai Po, New Territories", "Tai Po", personalOnly, standard, 1),
        ];
        foreach (var o in outlets)
        {
            var outlet = new ServiceOutlet
            {
                Code = o.Code, Name = o.Name, Address = o.Address, District = o.District,
                Services = o.Services, Hours = o.Hours, Closures = closures,
            };
            outlet.Validate();
            _instance.Outlets.SaveOutlet(outlet);
            foreach (var closure in closures) _instance.Outlets.AddClosure(outlet.Code, closure);
            _outlets.Add(new DemoOutlet(outlet, [], null!, o.Weight));
        }
        // The CA's back office, where certificates paid for remotely are issued: weekdays, not on holidays.
        _office = new ServiceOutlet
        {
            Code = "OFFICE", Name = "back office", Address = "-", District = "-",
            Hours = [.. new[] { "Mon", "Tue", "Wed", "Thu", "Fri" }.Select(d => OpeningPeriod.Parse($"{d} 09:00-18:00"))], Closures = closures,
        };
    }

    private static List<OpeningPeriod> Hours(string opens, string closes, string saturdayCloses) =>
        [.. new[] { "Mon", "Tue", "Wed", "Thu", "Fri" }.Select(d => OpeningPeriod.Parse($"{d} {opens}-{closes}")), OpeningPeriod.Parse($"Sat {opens}-{saturdayCloses}")];

    private void CreateOfficers()
    {
        var names = new Random(unchecked(_seed * 17 + 3));
        int officerNumber = 1, supervisorNumber = 101;
        for (var i = 0; i < _outlets.Count; i++)
        {
            var outlet = _outlets[i];
            var count = outlet.Code == "GPO" ? 3 : 2 + names.Next(2);
            var officers = new List<RaOfficer>();
            for (var n = 0; n < count; n++)
            {
                var officer = new RaOfficer($"ra-{officerNumber++:D3}", DemoPeople.Person(names).Name, false, [outlet.Code]);
                _instance.Outlets.SaveOfficer(officer);
                officers.Add(officer);
            }
            var supervisor = new RaOfficer($"ra-{supervisorNumber++:D3}", DemoPeople.Person(names).Name, true, [outlet.Code]);
            _instance.Outlets.SaveOfficer(supervisor);
            _outlets[i] = outlet with { Officers = officers, Supervisor = supervisor };
        }
    }

    private DemoOutlet PickOutlet(string service)
    {
        var candidates = _outlets.Where(o => o.Outlet.Services.Contains(service)).ToList();
        var ticket = _random.Next(candidates.Sum(o => o.Weight));
        foreach (var outlet in candidates)
            if ((ticket -= outlet.Weight) < 0) return outlet;
        return candidates[^1];
    }

    private RaOfficer PickOfficer(DemoOutlet outlet, RaOfficer? not = null)
    {
        var staff = outlet.Officers.Where(o => o.Id != not?.Id).ToList();
        // Supervisors also serve at the counter now and then.
        return _random.Next(8) == 0 || staff.Count == 0 ? outlet.Supervisor : staff[_random.Next(staff.Count)];
    }

    // ----- time -----

    private static DateOnly HongKongDate(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(Hk).DateTime);

    private static DateTimeOffset HongKongMidnight(DateTimeOffset instant) =>
        new(HongKongDate(instant).ToDateTime(TimeOnly.MinValue), Hk);

    private DateTimeOffset DaysAgo(double from, double to) => DaysAgo(from, to, _start);

    /// <summary>A random instant between <paramref name="from"/> and <paramref name="to"/> days before now, not before <paramref name="notBefore"/>.</summary>
    private DateTimeOffset DaysAgo(double from, double to, DateTimeOffset notBefore)
    {
        var early = _end.AddDays(-Math.Max(from, to));
        var late = _end.AddDays(-Math.Min(from, to));
        if (early < notBefore) early = notBefore;
        if (late <= early) late = early.AddHours(1);
        return early + (late - early) * _random.NextDouble();
    }

    /// <summary>
    /// The cursor plus a delay of <paramref name="minDays"/> to <paramref name="maxDays"/>, squeezed
    /// to fit before the end when the full delay would not.
    /// </summary>
    private DateTimeOffset After(Story story, double minDays, double maxDays)
    {
        var candidate = story.Cursor.AddDays(minDays + (maxDays - minDays) * _random.NextDouble());
        if (candidate < _limit) return candidate;
        var room = _limit - story.Cursor;
        return room > TimeSpan.FromDays(minDays) ? story.Cursor + TimeSpan.FromDays(minDays) + (room - TimeSpan.FromDays(minDays)) * (0.2 + 0.6 * _random.NextDouble()) : candidate;
    }

    /// <summary>A time someone would do something online: moved out of the small hours when there is room.</summary>
    private DateTimeOffset Online(DateTimeOffset candidate)
    {
        var local = candidate.ToOffset(Hk);
        if (local.Hour >= 7) return candidate;
        var morning = new DateTimeOffset(local.Date.AddHours(7).AddMinutes(_random.Next(180)), Hk);
        return morning < _limit ? morning : candidate;
    }

    /// <summary>The first opening of the outlet at or after <paramref name="notBefore"/>, at a random minute that leaves time for the visit.</summary>
    private DateTimeOffset? CounterSlot(ServiceOutlet outlet, DateTimeOffset notBefore)
    {
        var local = notBefore.ToOffset(Hk).DateTime;
        for (var day = 0; day < 30; day++)
        {
            var date = DateOnly.FromDateTime(local).AddDays(day);
            if (outlet.IsClosedOn(date, out _)) continue;
            foreach (var period in outlet.Hours.Where(h => h.Day == date.DayOfWeek).OrderBy(h => h.Opens))
            {
                var from = date.ToDateTime(period.Opens);
                var until = date.ToDateTime(period.Closes).AddMinutes(-45);
                if (day == 0 && local > from) from = local.AddMinutes(1);
                if (from >= until) continue;
                var at = new DateTimeOffset(from.AddMinutes(_random.Next((int)(until - from).TotalMinutes)), Hk);
                at = at.AddSeconds(-at.Second).AddMilliseconds(-at.Millisecond);
                return at > notBefore && at < _limit ? at : null;
            }
        }
        return null;
    }

    /// <summary>Adds a step to the story at a time, or ends the story when there is none before the end.</summary>
    private bool Then(Story story, DateTimeOffset? at, Action act)
    {
        if (!story.Open) return false;
        if (at is not { } time || time >= _limit || time <= story.Cursor)
        {
            story.Open = false;
            return false;
        }
        story.Cursor = time;
        story.Steps.Add(new Step(time, _order++, story, act));
        return true;
    }

    private DateTimeOffset Immediate(Story story) => story.Cursor.AddMinutes(1 + _random.Next(6));

    // ----- the steps -----

    private static PublicKey NewKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
    }

    private string OnlineReference() => $"PG-{_random.Next(0x1000_0000, int.MaxValue):X8}";

    private PaymentChannel PickChannel(int cash, int online, int cheque)
    {
        var ticket = _random.Next(cash + online + cheque);
        return ticket < cash ? PaymentChannel.CounterCash : ticket < cash + online ? PaymentChannel.Online : PaymentChannel.ECheque;
    }

    /// <summary>Submission (online pre-registration or at the counter) and the identity check at the counter.</summary>
    private void Front(Story story, DateTimeOffset visit, DateTimeOffset earliest, bool online, DemoOutlet outlet, RaOfficer officer, string document,
        Func<SubmitRequest> request, Action? register = null)
    {
        void Submit()
        {
            register?.Invoke();
            story.ApplicationId = _applications.Submit(request()).Id;
        }
        var check = new IdentityCheck(officer.Id, outlet.Code, document);
        if (online)
        {
            story.Cursor = visit.AddDays(-(0.2 + 9.8 * _random.NextDouble()));
            if (story.Cursor < earliest) story.Cursor = earliest;
            Then(story, Online(story.Cursor.AddMinutes(1 + _random.Next(60))), Submit);
            Then(story, CounterSlot(outlet.Outlet, visit > story.Cursor ? visit : story.Cursor.AddHours(1)), () => _applications.VerifyIdentity(story.ApplicationId!, check));
        }
        else
        {
            story.Cursor = visit;
            Then(story, CounterSlot(outlet.Outlet, visit), Submit);
            Then(story, Immediate(story), () => _applications.VerifyIdentity(story.ApplicationId!, check));
        }
    }

    private void Pay(Story story, PaymentChannel channel, DemoOutlet outlet, RaOfficer officer, bool atCounterNow)
    {
        var reference = channel switch { PaymentChannel.Online => OnlineReference(), _ => null };
        void Act()
        {
            var application = _applications.Get(story.ApplicationId!);
            var fee = _applications.QuoteFor(application).Total;
            var request = channel == PaymentChannel.CounterCash
                ? new PaymentRequest(channel, fee, officer.Id, outlet.Code)
                : new PaymentRequest(channel, fee, Reference: channel == PaymentChannel.ECheque ? story.Srn : reference);
            story.Receipt = _applications.Pay(application.Id, request).Payment.Receipt;
        }
        var at = channel switch
        {
            PaymentChannel.CounterCash => atCounterNow ? Immediate(story) : CounterSlot(outlet.Outlet, After(story, 0.05, 5)),
            PaymentChannel.Online => Online(After(story, 0.01, 1.5)),
            _ => Online(After(story, 0.3, 3)),
        };
        Then(story, at, Act);
    }

    private void Issue(Story story, bool atCounterNow) =>
        Then(story, atCounterNow ? Immediate(story) : CounterSlot(_office, After(story, 0.02, 1.5)), () =>
            story.Serial = _applications.Issue(story.ApplicationId!, NewKey()).Certificate.SerialHex);

    private void Accept(Story story, double maxDays = 10) =>
        Then(story, Online(After(story, 0.01, maxDays)), () => _applications.Accept(story.ApplicationId!));

    private void Revoke(Story story, DateTimeOffset? at, RevocationReason reason, Action? also = null) =>
        Then(story, at, () =>
        {
            var invalidity = reason == RevocationReason.KeyCompromise ? _clock.Now.AddHours(-(1 + _random.Next(36))) : (DateTimeOffset?)null;
            var issued = _instance.Certificates.FindCertificate(story.Serial!)!.NotBefore;
            _status.Revoke(story.Serial!, reason, invalidity < issued ? issued : invalidity);
            _statusChanged = true;
            also?.Invoke();
        });

    /// <summary>Pays the next subscription year of the story's certificate (which resumes it if it was suspended for non-payment).</summary>
    private Action PaySubscription(Story story, PaymentChannel channel, DemoOutlet? outlet = null, RaOfficer? officer = null)
    {
        var reference = OnlineReference();
        return () =>
        {
            var certificate = _status.Get(story.Serial!);
            var fee = _instance.Tariffs().Quote(new QuoteRequest(certificate.Profile, FeeKind.Renewal, 1, HongKongDate(_clock.Now))).Total;
            var request = channel switch
            {
                PaymentChannel.CounterCash => new PaymentRequest(channel, fee, officer!.Id, outlet!.Code),
                PaymentChannel.ECheque => new PaymentRequest(channel, fee, Reference: story.Srn),
                _ => new PaymentRequest(channel, fee, Reference: reference),
            };
            _subscriptions.PaySubscription(certificate.SerialHex, request);
            if (certificate.State != CertificateState.Valid) _statusChanged = true;
        };
    }

    /// <summary>Ends the story's plan (so it is planned again) when what it must show would not have happened by now.</summary>
    private static void Fits(Story story, bool fits)
    {
        if (!fits) story.Open = false;
    }

    private static bool IsHistory(Fate fate) => fate is Fate.SecondYearPaid or Fate.Lapsed or Fate.LapsedPaidLate or Fate.LapsedUnpaid;

    // ----- persons -----

    private void PlanPersons(int acceptanceDays, double spanDays)
    {
        var (persons, _, _) = DemoPeople.Split(_subscribers);
        var identities = DemoPeople.IdentityNumbers(_seed, persons);
        // The first persons take one fate each, so every stage shows even in a small demo; the rest are drawn by weight.
        Fate[] guaranteed =
        [
            Fate.Accepted, Fate.Submitted, Fate.Verified, Fate.Paid, Fate.Issued, Fate.Withdrawn, Fate.Expired,
            Fate.Suspended, Fate.KeyCompromise, Fate.Superseded, Fate.Cessation, Fate.PaidAhead, Fate.Goodwill, Fate.SuspendedResumed,
            Fate.Rejected, Fate.RefundedWithdrawn, Fate.EmailRevocation, Fate.FaxRevocation,
        ];
        (Fate Fate, int Weight)[] weights =
        [
            (Fate.Accepted, 48), (Fate.Submitted, 8), (Fate.Verified, 5), (Fate.Paid, 4), (Fate.Issued, 7), (Fate.Withdrawn, 5),
            (Fate.Expired, 3), (Fate.Suspended, 3), (Fate.SuspendedResumed, 1), (Fate.KeyCompromise, 2), (Fate.Superseded, 3),
            (Fate.Cessation, 3), (Fate.PaidAhead, 4), (Fate.Goodwill, 1), (Fate.Rejected, 1), (Fate.RefundedWithdrawn, 1),
            (Fate.EmailRevocation, 1), (Fate.FaxRevocation, 1),
        ];
        // Right after them, about one subscriber in eight is from the history, its first stages again guaranteed.
        Fate[] historyGuaranteed = [Fate.SecondYearPaid, Fate.Lapsed, Fate.LapsedPaidLate, Fate.LapsedUnpaid];
        (Fate Fate, int Weight)[] historyWeights = [(Fate.SecondYearPaid, 5), (Fate.Lapsed, 2), (Fate.LapsedPaidLate, 2), (Fate.LapsedUnpaid, 1)];
        var history = Math.Clamp((int)Math.Round(_subscribers * 0.12), 0, Math.Max(0, persons - guaranteed.Length));
        for (var i = 0; i < persons; i++)
        {
            var h = i - guaranteed.Length;
            var fate = i < guaranteed.Length ? guaranteed[i]
                : h < history ? (h < historyGuaranteed.Length ? historyGuaranteed[h] : Draw(historyWeights))
                : Draw(weights);
            PlanPerson(i, identities[i], fate, acceptanceDays, spanDays);
        }
    }

    private Fate Draw((Fate Fate, int Weight)[] weights)
    {
        var ticket = _random.Next(weights.Sum(w => w.Weight));
        foreach (var (fate, weight) in weights)
            if ((ticket -= weight) < 0) return fate;
        return weights[0].Fate;
    }

    private void PlanPerson(int index, DemoIdentity identity, Fate fate, int acceptanceDays, double spanDays)
    {
        var person = DemoPeople.Person(_people);
        var domain = DemoPeople.MailDomain(_people);
        // The subscribers of the history all gave an e-mail address, where the notices of their subscription go.
        var email = IsHistory(fate) || _people.Next(4) > 0 ? $"{person.GivenInitials}.{person.Surname}{(_people.Next(3) == 0 ? _people.Next(2, 99).ToString(CultureInfo.InvariantCulture) : "")}@{domain}" : null;
        var contact = _people.Next(4) == 0 ? $"{person.Surname}.{person.GivenInitials}@{DemoPeople.MailDomain(_people)}" : null;
        var registration = new PersonRegistration(person.Name, identity.Printed, _people.Next(10) < 7 ? person.ChineseName : null,
            email, contact, _people.Next(10) < 3 ? DemoPeople.PostalAddress(_people) : null);

        var story = new Story($"person {index + 1} ({fate})");
        PlanUntilItFits(story, () => PlanPersonSteps(story, registration, fate, acceptanceDays, spanDays));
    }

    /// <summary>
    /// Plans a story again (new times, outlets and channels) while its steps do not all fit before
    /// now, so the stages the demo promises do show; after a few tries it keeps the shortened story.
    /// </summary>
    private void PlanUntilItFits(Story story, Action plan)
    {
        for (var attempt = 1; ; attempt++)
        {
            story.Reset();
            plan();
            if (story.Open || attempt == 6) break;
        }
        _steps.AddRange(story.Steps);
    }

    private void PlanPersonSteps(Story story, PersonRegistration registration, Fate fate, int acceptanceDays, double spanDays)
    {
        var outlet = PickOutlet("personal");
        var officer = PickOfficer(outlet);
        void Register() => story.Srn ??= _registry.RegisterPerson(registration).Subscriber.Srn;
        SubmitRequest Request(ApplicationChannel channel) => new(story.Srn!, "personal", channel);
        var online = _random.Next(10) < 4;
        var channel = PickChannel(55, 30, 15);

        // When the counter visit happens, in days before now, by what the story must fit in afterwards.
        var (from, to) = fate switch
        {
            Fate.Submitted => _random.Next(10) < 7 ? (21.0, 0.2) : (spanDays, 21.0),
            Fate.Verified => (14, 2),
            Fate.Paid => (8, 3),
            Fate.Issued => (acceptanceDays * 2 / 3.0, 3),
            Fate.Expired => (spanDays - 0.5, acceptanceDays + 6),
            Fate.Withdrawn => (spanDays, 3),
            Fate.Accepted or Fate.PaidAhead or Fate.Goodwill => (spanDays - 0.5, 2),
            Fate.Superseded => (spanDays - 0.5, 30),
            Fate.Rejected => (spanDays - 0.5, 2),
            Fate.RefundedWithdrawn => (spanDays - 0.5, 8),
            // The history: the visit 13 to 15 months ago, so that the first year ran out one to three months ago, past
            // the grace (suspended) but not by the days after which an unpaid certificate is revoked; those revoked
            // for non-payment had to lapse earlier still, so their visit was about 16 months ago.
            Fate.SecondYearPaid => (365 + 90, 365 + 35),
            Fate.Lapsed => (365 + Math.Min(91, _graceDays + _unpaidDays - 8), 365 + _graceDays + 8),
            Fate.LapsedPaidLate => (365 + Math.Min(91, _graceDays + _unpaidDays - 8), 365 + _graceDays + 12),
            Fate.LapsedUnpaid => (365 + _graceDays + _unpaidDays + 22, 365 + _graceDays + _unpaidDays + 8),
            _ => (spanDays - 0.5, 10),
        };
        var visit = DaysAgo(from, to);

        switch (fate)
        {
            case Fate.Submitted:
                story.Cursor = visit.AddMinutes(-1);
                Then(story, Online(visit), () => { Register(); story.ApplicationId = _applications.Submit(Request(ApplicationChannel.Online)).Id; });
                return;
            case Fate.Withdrawn:
                {
                    story.Cursor = visit.AddMinutes(-1);
                    Then(story, Online(visit), () => { Register(); story.ApplicationId = _applications.Submit(Request(ApplicationChannel.Online)).Id; });
                    if (_random.Next(2) == 0)
                        Then(story, CounterSlot(outlet.Outlet, After(story, 0.2, 6)), () =>
                            _applications.VerifyIdentity(story.ApplicationId!, new IdentityCheck(officer.Id, outlet.Code, "hkid-card")));
                    string[] reasons = ["applicant no longer needs the certificate", "duplicate pre-registration", "applicant asked to cancel by e-mail", "applicant moved overseas"];
                    var reason = reasons[_random.Next(reasons.Length)];
                    Then(story, Online(After(story, 0.5, 20)), () => _applications.Withdraw(story.ApplicationId!, reason));
                    return;
                }
            case Fate.Rejected:
                if (_random.Next(2) == 0)
                {
                    // Pre-registered online; at the counter the identity card does not match what was entered.
                    story.Cursor = visit.AddDays(-(0.2 + 6 * _random.NextDouble()));
                    if (story.Cursor < _start) story.Cursor = _start;
                    Then(story, Online(story.Cursor.AddMinutes(1 + _random.Next(60))), () =>
                    {
                        Register();
                        story.ApplicationId = _applications.Submit(Request(ApplicationChannel.Online)).Id;
                    });
                    Then(story, CounterSlot(outlet.Outlet, visit > story.Cursor ? visit : story.Cursor.AddHours(1)), () =>
                        _applications.Reject(story.ApplicationId!, officer.Id, "the identity card presented does not match the details pre-registered online"));
                }
                else
                {
                    // Checked at the counter, then refused by the outlet's supervisor on review.
                    Front(story, visit, _start, online, outlet, officer, "hkid-card", () => Request(online ? ApplicationChannel.Online : ApplicationChannel.Counter), Register);
                    string[] reasons =
                    [
                        "the identity card presented was damaged and its number could not be read",
                        "the signature on the application form does not match the one on the identity card",
                        "the photograph on the identity card could not be matched to the applicant",
                    ];
                    var reason = reasons[_random.Next(reasons.Length)];
                    Then(story, CounterSlot(outlet.Outlet, After(story, 0.05, 3)), () => _applications.Reject(story.ApplicationId!, outlet.Supervisor.Id, reason));
                }
                return;
            case Fate.RefundedWithdrawn:
                {
                    // Paid from home, then cancelled before the back office issued it: refunded in full, then withdrawn.
                    Front(story, visit, _start, online, outlet, officer, "hkid-card", () => Request(online ? ApplicationChannel.Online : ApplicationChannel.Counter), Register);
                    Pay(story, PickChannel(0, 1, 1), outlet, officer, atCounterNow: true);
                    const string why = "the applicant cancelled before the certificate was issued";
                    Then(story, CounterSlot(_office, After(story, 0.02, 0.5)), () => _reports.Refund(story.Receipt!, null, why));
                    Then(story, Immediate(story), () => _applications.Withdraw(story.ApplicationId!, why + "; fee refunded in full"));
                    return;
                }
        }

        var counterOnly = fate == Fate.Expired;
        Front(story, visit, _start, online && !counterOnly, outlet, officer, "hkid-card", () => Request(online && !counterOnly ? ApplicationChannel.Online : ApplicationChannel.Counter), Register);
        if (fate == Fate.Verified) return;
        if (fate == Fate.Paid)
        {
            Pay(story, _random.Next(2) == 0 ? PaymentChannel.Online : PaymentChannel.ECheque, outlet, officer, atCounterNow: false);
            return;
        }
        if (counterOnly) channel = PaymentChannel.CounterCash;
        var cash = channel == PaymentChannel.CounterCash;
        Pay(story, channel, outlet, officer, atCounterNow: true);
        Issue(story, atCounterNow: cash);
        var lapse = story.Cursor.AddYears(1); // the end of the first subscription year, paid with the application
        if (fate is Fate.Issued or Fate.Expired) return;
        Accept(story, fate == Fate.Accepted ? 10 : 4);

        switch (fate)
        {
            case Fate.PaidAhead:
                Then(story, Online(After(story, 1, 30)), PaySubscription(story, PickChannel(0, 2, 1)));
                break;
            case Fate.EmailRevocation:
                // A revocation asked in an e-mail signed with the certificate: carried out at once.
                Then(story, Online(After(story, 3, 40)), () =>
                {
                    _requests.Receive(story.Serial!, StatusAction.Revoke, RequestChannel.SignedEmail, story.Srn!, RevocationReason.CessationOfOperation,
                        note: "signed e-mail: the subscriber no longer needs the certificate");
                    _statusChanged = true;
                });
                break;
            case Fate.FaxRevocation:
                // A faxed revocation suspends the certificate at once; the signed original reaches the back office a day or two later.
                Then(story, Online(After(story, 3, 40)), () =>
                {
                    story.RequestId = _requests.Receive(story.Serial!, StatusAction.Revoke, RequestChannel.Fax, story.Srn!, RevocationReason.KeyCompromise,
                        note: "faxed form: the card holding the key was stolen").Id;
                    _statusChanged = true;
                });
                Then(story, CounterSlot(_office, After(story, 1, 2)), () =>
                {
                    _requests.ConfirmOriginal(story.RequestId!);
                    _statusChanged = true;
                });
                break;
            case Fate.SecondYearPaid:
                // Paid in the weeks before the first year ran out: the certificate never stops.
                Then(story, Online(lapse.AddDays(-(1 + 27 * _random.NextDouble()))), PaySubscription(story, PickChannel(0, 2, 1)));
                break;
            case Fate.Lapsed:
                // Never paid: the sweep suspended it after the grace period, and it is not yet unpaid long enough to be revoked.
                Fits(story, lapse.AddDays(_graceDays + 1) < _limit && lapse.AddDays(_graceDays + _unpaidDays - 1) > _end);
                break;
            case Fate.LapsedPaidLate:
                {
                    // Suspended by the sweep, then paid (online or at a counter), which resumes it.
                    var suspended = lapse.AddDays(_graceDays + 1);
                    var latest = new[] { suspended.AddDays(45), lapse.AddDays(_graceDays + _unpaidDays - 2), _limit.AddHours(-12) }.Min();
                    if (latest <= suspended.AddHours(12))
                    {
                        story.Open = false;
                        break;
                    }
                    var at = suspended + (latest - suspended) * _random.NextDouble();
                    if (_random.Next(3) == 0)
                    {
                        var clerk = PickOfficer(outlet);
                        Then(story, CounterSlot(outlet.Outlet, at), PaySubscription(story, PaymentChannel.CounterCash, outlet, clerk));
                    }
                    else
                        Then(story, Online(at), PaySubscription(story, PickChannel(0, 2, 1)));
                    break;
                }
            case Fate.LapsedUnpaid:
                // Never paid, long enough for the sweep to suspend it and then revoke it (privilegeWithdrawn).
                Fits(story, lapse.AddDays(_graceDays + _unpaidDays + 1) < _limit);
                break;
            case Fate.Goodwill:
                // Cash goes back at the counter; other payments are refunded by the back office through their own channel.
                if (cash)
                    Then(story, CounterSlot(outlet.Outlet, After(story, 1, 20)), () =>
                        _reports.Refund(story.Receipt!, Money.FromDollars(10), "goodwill: issuance delayed by a system outage", officer.Id, outlet.Code));
                else
                    Then(story, CounterSlot(_office, After(story, 1, 20)), () =>
                        _reports.Refund(story.Receipt!, Money.FromDollars(10), "goodwill: issuance delayed by a system outage"));
                break;
            case Fate.Suspended or Fate.SuspendedResumed:
                Then(story, Online(After(story, 1, 40)), () => { _status.Suspend(story.Serial!); _statusChanged = true; });
                if (fate == Fate.SuspendedResumed)
                    Then(story, CounterSlot(outlet.Outlet, After(story, 1, 10)), () => { _status.Resume(story.Serial!); _statusChanged = true; });
                break;
            case Fate.KeyCompromise:
                Revoke(story, Online(After(story, 2, 40)), RevocationReason.KeyCompromise);
                break;
            case Fate.Cessation:
                {
                    // Given up at the counter within days, mostly with the fee refunded: cash there, other payments through their channel.
                    const string why = "certificate cancelled within 7 days of issuance";
                    Revoke(story, CounterSlot(outlet.Outlet, After(story, 0.5, 6)), RevocationReason.CessationOfOperation, _random.Next(3) == 0 ? null
                        : cash ? () => _reports.Refund(story.Receipt!, null, why, officer.Id, outlet.Code)
                        : () => _reports.Refund(story.Receipt!, null, why));
                    break;
                }
            case Fate.Superseded:
                {
                    // A replacement at the counter (a lost token), then the old certificate is revoked as superseded.
                    var second = PickOfficer(outlet);
                    Then(story, CounterSlot(outlet.Outlet, After(story, 5, 40)), () =>
                    {
                        story.PreviousSerial = story.Serial;
                        story.ApplicationId = _applications.Submit(Request(ApplicationChannel.Counter)).Id;
                    });
                    Then(story, Immediate(story), () => _applications.VerifyIdentity(story.ApplicationId!, new IdentityCheck(second.Id, outlet.Code, "hkid-card")));
                    Pay(story, PaymentChannel.CounterCash, outlet, second, atCounterNow: true);
                    Issue(story, atCounterNow: true);
                    Then(story, Immediate(story), () =>
                    {
                        _status.Revoke(story.PreviousSerial!, RevocationReason.Superseded);
                        _statusChanged = true;
                    });
                    Accept(story, 3);
                    break;
                }
        }
    }

    // ----- organisations -----

    private void PlanOrganisations(double spanDays)
    {
        var (_, members, organisations) = DemoPeople.Split(_subscribers);
        var companies = DemoPeople.Companies(_people, organisations);
        var brNumbers = new HashSet<string>(StringComparer.Ordinal);
        var approvedGuaranteed = false;
        // Half the organisations (at least two) have been customers for over six months: their first server's
        // certificate is now in its renewal window, and some have renewed it.
        var longStanding = Math.Min(organisations, Math.Max(2, (organisations + 1) / 2));
        var serverHistory = 0;
        for (var o = 0; o < organisations; o++)
        {
            var (name, label, address) = companies[o];
            string br;
            do br = _people.Next(10_000_000, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
            while (!brNumbers.Add(br));
            var size = members / organisations + (o < members % organisations ? 1 : 0);
            var outlet = PickOutlet("organisational");
            var officer = PickOfficer(outlet);

            // The Authorised Representative registers the organisation and its members at the counter.
            var org = new Story($"organisation {name}");
            var registered = CounterSlot(outlet.Outlet, o < longStanding
                ? DaysAgo(_serverValidityDays + 40, _serverValidityDays + 12)
                : DaysAgo(spanDays - 1, spanDays * 0.45)) ?? _start.AddDays(1);
            var plans = new List<(Story Story, SubscriberKind Kind, string Name, string? Email, string? Unit, bool Ar, string[] Dns)>();
            var servers = 0;
            for (var m = 0; m < size; m++)
            {
                var role = m switch { 0 => SubscriberKind.AuthorisedUser, 1 => SubscriberKind.Server, 2 => SubscriberKind.AuthorisedUnit, 7 => SubscriberKind.Server, 9 => SubscriberKind.AuthorisedUnit, _ => SubscriberKind.AuthorisedUser };
                string[] units = ["Accounts Department", "Human Resources", "Procurement", "Legal Department", "Customer Services"];
                var story = new Story($"{name} member {m + 1}", org);
                switch (role)
                {
                    case SubscriberKind.AuthorisedUser:
                        {
                            var person = DemoPeople.Person(_people);
                            var unit = _people.Next(3) == 0 ? units[_people.Next(units.Length)] : null;
                            plans.Add((story, role, person.Name, $"{person.GivenInitials}.{person.Surname}@{label}.example.com", unit, m == 0, []));
                            break;
                        }
                    case SubscriberKind.AuthorisedUnit:
                        {
                            var unit = units[_people.Next(units.Length)];
                            var mailbox = new string(unit.ToLowerInvariant().TakeWhile(char.IsAsciiLetter).ToArray());
                            plans.Add((story, role, $"{unit}", $"{mailbox}@{label}.example.com", unit, false, []));
                            break;
                        }
                    default:
                        {
                            // Every third organisation has a wildcard certificate (with one extra server) for its first server.
                            string[] dns = servers++ switch
                            {
                                0 when o % 3 == 1 => [$"*.apps.{label}.example.com"],
                                0 => [$"www.{label}.example.com", $"{label}.example.com"],
                                _ => [$"shop{servers}.{label}.example.com"],
                            };
                            // The webmaster's mailbox receives the renewal reminders.
                            plans.Add((story, role, dns[0].TrimStart('*', '.'), $"webmaster@{label}.example.com", null, false, dns));
                            break;
                        }
                }
            }
            _steps.Add(new Step(registered, _order++, org, () =>
            {
                _registry.RegisterOrganisation(br, name, address);
                foreach (var plan in plans)
                    plan.Story.Srn = _registry.RegisterMember(br, plan.Kind, plan.Name, plan.Email, plan.Unit, plan.Ar).Srn;
            }));

            foreach (var plan in plans)
            {
                Fate fate;
                if (plan.Ar) fate = Fate.Accepted;
                else if (o < longStanding && plan.Kind == SubscriberKind.Server && plan == plans.First(p => p.Kind == SubscriberKind.Server))
                    fate = serverHistory++ % 3 == 0 ? Fate.ServerRenewed : Fate.ServerInWindow;
                else if (!approvedGuaranteed) { fate = Fate.Approved; approvedGuaranteed = true; }
                else fate = Draw(plan.Kind switch
                {
                    SubscriberKind.Server => [(Fate.Accepted, 14), (Fate.Approved, 3), (Fate.Paid, 2), (Fate.Cessation, 1)],
                    SubscriberKind.AuthorisedUnit => [(Fate.Accepted, 10), (Fate.Approved, 2), (Fate.Suspended, 1), (Fate.Submitted, 1)],
                    _ => [(Fate.Accepted, 30), (Fate.Approved, 6), (Fate.Verified, 3), (Fate.Submitted, 3), (Fate.Paid, 2), (Fate.Issued, 2),
                          (Fate.Withdrawn, 2), (Fate.AffiliationChanged, 2), (Fate.KeyCompromise, 1), (Fate.Suspended, 1), (Fate.Rejected, 2)],
                });
                PlanUntilItFits(plan.Story, () => PlanMember(plan.Story, plan.Kind, plan.Ar, plan.Dns, fate, registered, spanDays, outlet));
            }
        }
    }

    private void PlanMember(Story story, SubscriberKind kind, bool ar, string[] dns, Fate fate, DateTimeOffset registered, double spanDays, DemoOutlet? home)
    {
        var outlet = home is not null && _random.Next(3) > 0 ? home : PickOutlet(kind == SubscriberKind.Server ? "server" : "organisational");
        var officer = PickOfficer(outlet);
        var profile = kind switch { SubscriberKind.Server => "server", SubscriberKind.AuthorisedUnit => "encipherment", _ => "organisational" };
        var term = profile == "organisational" && _random.Next(10) < 3 ? 2 : 1;
        var extra = profile == "server" && dns.Any(n => n.StartsWith("*.", StringComparison.Ordinal)) ? 1 : 0;
        var online = _random.Next(2) == 0;
        SubmitRequest Request() => new(story.Srn!, profile, online ? ApplicationChannel.Online : ApplicationChannel.Counter, term,
            profile == "server" ? dns : null, ExtraServers: extra);
        var notBefore = registered.AddHours(2);
        var (from, to) = fate switch
        {
            Fate.Submitted => (20.0, 0.5),
            Fate.Verified or Fate.Approved => (14, 1),
            Fate.Paid => (10, 2),
            Fate.Issued => (40, 4),
            Fate.Withdrawn => (spanDays, 3),
            Fate.Accepted => (spanDays, 3),
            // Issued 170 to 190 days ago: a 198-day certificate is now in its 30-day renewal window; renewed ones entered it earlier.
            Fate.ServerInWindow => (_serverValidityDays - 8, _serverValidityDays - _serverWindowDays + 6),
            Fate.ServerRenewed => (_serverValidityDays - 8, _serverValidityDays - _serverWindowDays + 12),
            _ => (spanDays, 12),
        };
        var visit = DaysAgo(from, to, notBefore);
        story.Cursor = notBefore;

        if (fate is Fate.Submitted or Fate.Withdrawn)
        {
            story.Cursor = visit.AddMinutes(-1);
            Then(story, Online(visit), () => story.ApplicationId = _applications.Submit(Request() with { Channel = ApplicationChannel.Online }).Id);
            if (fate == Fate.Withdrawn)
                Then(story, Online(After(story, 1, 15)), () => _applications.Withdraw(story.ApplicationId!, "the Authorised Representative withdrew the nomination"));
            return;
        }
        var document = ar || kind == SubscriberKind.Server ? "br-certificate" : "authorisation-letter";
        Front(story, visit < notBefore ? notBefore : visit, notBefore, online, outlet, officer, document, Request);
        if (fate == Fate.Verified) return;
        var approver = PickOfficer(outlet, officer);
        if (approver.Id == officer.Id) approver = outlet.Supervisor.Id == officer.Id ? outlet.Officers[0] : outlet.Supervisor;
        // The second officer approves during the same visit, or at the outlet within days.
        var approval = _random.Next(3) == 0 ? null : CounterSlot(outlet.Outlet, After(story, 0.02, 2));
        if (fate == Fate.Rejected)
        {
            Then(story, approval ?? Immediate(story), () =>
                _applications.Reject(story.ApplicationId!, approver.Id, "the authorisation letter is not signed by the organisation's Authorised Representative"));
            return;
        }
        Then(story, approval ?? Immediate(story), () => _applications.Approve(story.ApplicationId!, approver.Id));
        if (fate == Fate.Approved) return;
        var channel = fate == Fate.Paid ? PickChannel(0, 1, 2) : PickChannel(25, 30, 45);
        Pay(story, channel, outlet, PickOfficer(outlet), atCounterNow: false);
        if (fate == Fate.Paid) return;
        Issue(story, atCounterNow: channel == PaymentChannel.CounterCash);
        var expires = story.Cursor.AddDays(_serverValidityDays);
        var windowOpens = expires.AddDays(-_serverWindowDays);
        if (fate == Fate.Issued) return;
        Accept(story, 7);
        switch (fate)
        {
            case Fate.ServerInWindow:
                // Reminded by the sweep when the window opened; not renewed yet.
                Fits(story, windowOpens < _limit.AddHours(-12) && expires > _end.AddDays(1));
                break;
            case Fate.ServerRenewed:
                // Renewed online once the window opened: authenticated by the certificate itself, paid online, issued by the back
                // office with a new key, and accepted. The renewed certificate keeps the subscriber's SRN.
                story.Cursor = windowOpens > story.Cursor ? windowOpens : story.Cursor;
                Then(story, Online(After(story, 0.3, 4)), () =>
                {
                    story.PreviousSerial = story.Serial;
                    story.ApplicationId = _applications.SubmitRenewal(story.Serial!, ApplicationChannel.Online).Id;
                });
                Pay(story, PaymentChannel.Online, outlet, officer, atCounterNow: false);
                Issue(story, atCounterNow: false);
                Accept(story, 3);
                break;
            case Fate.Suspended:
                Then(story, Online(After(story, 1, 30)), () => { _status.Suspend(story.Serial!); _statusChanged = true; });
                break;
            case Fate.KeyCompromise:
                Revoke(story, Online(After(story, 2, 30)), RevocationReason.KeyCompromise);
                break;
            case Fate.AffiliationChanged:
                Revoke(story, Online(After(story, 2, 40)), RevocationReason.AffiliationChanged);
                break;
            case Fate.Cessation:
                Revoke(story, Online(After(story, 2, 40)), RevocationReason.CessationOfOperation);
                break;
        }
    }

    // ----- the daily work: sweeps and CRLs -----

    private void PlanDailyWork(ECert.Core.Crl.CrlPublisher crls)
    {
        for (var day = HongKongMidnight(_start); day < _limit; day = day.AddDays(1))
        {
            var sweep = day.AddHours(6);
            if (sweep > _start && sweep < _limit)
                _steps.Add(new Step(sweep, _order++, null, () =>
                {
                    if (_subscriptions.Sweep().AcceptanceExpired > 0) _statusChanged = true;
                }));
            var evening = day.AddHours(19);
            if (evening > _start && evening < _limit)
                _steps.Add(new Step(evening, _order++, null, () =>
                {
                    if (!_statusChanged) return;
                    crls.PublishAll();
                    _statusChanged = false;
                }));
        }
    }

    // ----- the summary -----

    private void Summary()
    {
        var applications = _instance.Applications.ListApplications();
        foreach (var state in Enum.GetValues<ApplicationState>())
            Row("application", Application.StateName(state), applications.Count(a => a.State == state));
        Row("application", "withdrawn-after-refund", applications.Count(a => a.State == ApplicationState.Withdrawn && a.Receipt is not null));
        var certificates = applications.Where(a => a.Serial is not null).Select(a => a.Serial!).Distinct()
            .Select(serial => _instance.Certificates.FindCertificate(serial)).OfType<CertificateRecord>().ToList();
        foreach (var state in new[] { CertificateState.Valid, CertificateState.Suspended, CertificateState.Revoked })
            Row("certificate", state.ToString().ToLowerInvariant(), certificates.Count(c => c.State == state));
        Row("certificate", "suspended-non-payment",
            certificates.Count(c => c.State == CertificateState.Suspended && c.SuspendedFor == CertificateStatusService.SuspendedForNonPayment));
        var revoked = certificates.Where(c => c.State == CertificateState.Revoked).GroupBy(c => c.Reason!.Value.Name()).ToDictionary(g => g.Key, g => g.Count());
        foreach (var reason in revoked.Keys.Append(RevocationReason.PrivilegeWithdrawn.Name()).Distinct().Order(StringComparer.Ordinal))
            Row("revoked", reason, revoked.GetValueOrDefault(reason));
        Row("published", certificates.Count(c => c.Published));

        // Renewals: a new certificate, with a new key, for the same subscriber (SRN) as the one it renews.
        var renewals = applications.Where(a => a.RenewsSerial is not null && a.Serial is not null).ToList();
        Row("renewals", "issued", renewals.Count);
        Row("renewals", "same-srn", renewals.Count(a => _instance.Certificates.FindCertificate(a.Serial!)?.Srn is { } srn
            && _instance.Certificates.FindCertificate(a.RenewsSerial!)?.Srn == srn));

        var payments = _instance.Applications.ListPayments(_start.AddDays(-1), _end.AddDays(1));
        // Subscription years paid for a certificate already issued: before its paid period ran out, or after (resumed if suspended).
        var late = 0;
        var yearly = payments.Where(p => !p.IsRefund && p.ApplicationId is null && p.Serial is not null).ToList();
        foreach (var payment in yearly)
            if (_instance.Applications.ListPeriods(payment.Serial!).FirstOrDefault(p => p.Receipt == payment.Receipt) is { } period && payment.At > period.Starts)
                late++;
        Row("subscriptions", "paid-on-time", yearly.Count - late);
        Row("subscriptions", "paid-late", late);

        var notices = _instance.Subscribers.ListSubscribers().SelectMany(s => _instance.Notifications.ListFor(s.Srn)).ToList();
        Row("notifications", "renewal-reminder", notices.Count(n => n.Kind == "renewal-reminder"));
        Row("notifications", "suspended-non-payment", notices.Count(n => n.Kind.StartsWith("suspended-non-payment", StringComparison.Ordinal)));

        var requests = _instance.StatusRequests.ListStatusRequests(_start.AddDays(-1), _end.AddDays(1));
        foreach (var channel in new[] { RequestChannel.SignedEmail, RequestChannel.Fax }.Concat(requests.Select(r => r.Channel)).Distinct())
            Row("status-requests", StatusRequest.ChannelName(channel), requests.Count(r => r.Channel == channel));

        foreach (var channel in Enum.GetValues<PaymentChannel>())
        {
            var taken = payments.Where(p => !p.IsRefund && p.Channel == channel).ToList();
            Row("payments", Payment.ChannelName(channel), taken.Count, Sum(taken));
        }
        var paid = payments.Where(p => !p.IsRefund).ToList();
        var refunds = payments.Where(p => p.IsRefund).ToList();
        Row("payments", "total", paid.Count, Sum(paid));
        Row("refunds", "total", refunds.Count, Sum(refunds));
        Row("outlets", _instance.Outlets.ListOutlets().Count);
        var officers = _instance.Outlets.ListOfficers();
        Row("officers", officers.Count(o => !o.IsSupervisor));
        Row("supervisors", officers.Count(o => o.IsSupervisor));
        var subscribers = _instance.Subscribers.ListSubscribers();
        Row("subscribers", subscribers.Count);
        foreach (var kind in Enum.GetValues<SubscriberKind>())
            Row("subscribers", Subscriber.KindName(kind), subscribers.Count(s => s.Kind == kind));
        Row("organisations", subscribers.Where(s => s.BrNumber is not null).Select(s => s.BrNumber).Distinct().Count());
        Row("period", HongKongDate(_start), HongKongDate(_end));
    }

    private static Money Sum(IEnumerable<Payment> payments) => payments.Aggregate(Money.Zero, (sum, p) => sum + p.Amount);
}
