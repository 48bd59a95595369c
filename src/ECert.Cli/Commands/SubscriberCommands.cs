using System.CommandLine;
using ECert.Core.Service;
using static ECert.Cli.Verbs;

namespace ECert.Cli.Commands;

/// <summary><c>ecert subscriber ...</c>: persons, organisations and their members.</summary>
public static class SubscriberCommands
{
    public static Command Create()
    {
        var name = Required<string>("--name", "Name as on the identity card");
        var idNumber = Required<string>("--id-number", "Hong Kong identity card number, e.g. A123456(3); '-' reads it from stdin (keeps it out of ps and history)");
        var chinese = Optional<string?>("--chinese-name", "Chinese name");
        var email = Optional<string?>("--email", "E-mail address for the certificate");
        var contact = Optional<string?>("--contact-email", "E-mail address for notices, if different");
        var address = Optional<string?>("--address", "Postal address");
        var person = Verb("register-person", "Register a person; prints the SRN (the same person keeps one SRN)",
            [name, idNumber, chinese, email, contact, address], (parse, instance) =>
            {
                var (subscriber, existing) = instance.Registry().RegisterPerson(new PersonRegistration(parse.GetValue(name)!, CommonOptions.IdentityNumber(parse.GetValue(idNumber))!,
                    parse.GetValue(chinese), parse.GetValue(email), parse.GetValue(contact), parse.GetValue(address)));
                Row(subscriber.Srn, existing ? "already-registered" : "registered", subscriber.IdentityMasked);
            });

        var br = Required<string>("--br-number", "Business registration number");
        var orgName = Required<string>("--name", "Organisation name");
        var orgAddress = Required<string>("--address", "Registered address");
        var organisation = Verb("register-organisation", "Register an organisation by its business registration number",
            [br, orgName, orgAddress], (parse, instance) =>
            {
                var registered = instance.Registry().RegisterOrganisation(parse.GetValue(br)!, parse.GetValue(orgName)!, parse.GetValue(orgAddress)!);
                Row(registered.BrNumber, registered.Name);
            });

        var memberBr = Required<string>("--br-number", "The organisation's business registration number");
        var kind = Required<string>("--kind", "authorised-user, authorised-unit or server");
        var memberName = Required<string>("--name", "Name of the user, unit or server");
        var memberEmail = Optional<string?>("--email", "E-mail address");
        var unit = Optional<string?>("--org-unit", "Branch, department, or the Authorised Unit");
        var ar = Optional<bool>("--authorised-representative", "This member is an Authorised Representative");
        var member = Verb("add-member", "Add a member of an organisation; prints the SRN",
            [memberBr, kind, memberName, memberEmail, unit, ar], (parse, instance) =>
            {
                var added = instance.Registry().RegisterMember(parse.GetValue(memberBr)!, Subscriber.ParseKind(parse.GetValue(kind)!),
                    parse.GetValue(memberName)!, parse.GetValue(memberEmail), parse.GetValue(unit), parse.GetValue(ar));
                Row(added.Srn, Subscriber.KindName(added.Kind), added.BrNumber, added.Name);
            });

        var srn = Required<string>("--srn", "Subscriber Reference Number");
        var purpose = Required<string>("--purpose", "Why the data is read: " + string.Join(", ", ECert.Core.Privacy.Purposes.All));
        var show = Verb("show", "Show a subscriber (identity number masked) and their applications; the read is recorded with its purpose", [srn, purpose], (parse, instance) =>
        {
            var subscriber = instance.Registry().Get(parse.GetValue(srn)!);
            instance.Audit.Record(new ECert.Core.Audit.AuditEvent(instance.Actor.Role, instance.Actor.Id, "personal-data.read", subscriber.Srn,
                Purpose: ECert.Core.Privacy.Purposes.Check(parse.GetValue(purpose))));
            Row("srn", subscriber.Srn);
            Row("kind", Subscriber.KindName(subscriber.Kind));
            Row("name", subscriber.Name);
            Row("identity", subscriber.IdentityMasked);
            Row("certificate-email", subscriber.CertificateEmail);
            Row("contact-email", subscriber.ContactEmail);
            Row("organisation", subscriber.BrNumber);
            foreach (var application in instance.Applications.ListApplications(srn: subscriber.Srn))
                Row("application", application.Id, application.Profile, Application.StateName(application.State), application.Serial);
        });
        return Group("subscriber", "Subscribers: persons, organisations and their members", person, organisation, member, show);
    }
}
