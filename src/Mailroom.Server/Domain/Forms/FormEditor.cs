namespace Mailroom.Server.Domain.Forms;

/// <summary>What a form's settings break, if anything; the caller words it with the API's messages.</summary>
public enum FormProblem { None, NameBlank, NameTooLong, FormatInvalid, NotFound }

/// <summary>The settings a person edits; the uid, account and creation time are the server's.</summary>
public sealed class FormDraft
{
    public string? Name { get; set; }
    public string Type { get; set; } = FormTypes.Embed;
    public string? Format { get; set; } = "inline";
    public string? Title { get; set; }
    public string? Description { get; set; }
    public string? SignUpButtonText { get; set; } = "Subscribe";
    public string? SuccessMessage { get; set; }
    public bool DoubleOptIn { get; set; }
    public string? ConfirmationSubject { get; set; }
    public string? ConfirmationContent { get; set; }
    public bool Archived { get; set; }

    public static FormDraft From(Form f) => new()
    {
        Name = f.Name, Type = f.Type, Format = f.Format, Title = f.Title, Description = f.Description, SignUpButtonText = f.SignUpButtonText,
        SuccessMessage = f.SuccessMessage, DoubleOptIn = f.DoubleOptIn, ConfirmationSubject = f.ConfirmationSubject,
        ConfirmationContent = f.ConfirmationContent, Archived = f.Archived,
    };

    /// <summary>The draft as an unsaved form, for previews that render it with the hosted page's own renderer.</summary>
    public Form ToForm(string uid) { var f = new Form { Uid = uid }; ApplyTo(f); return f; }

    public void ApplyTo(Form f)
    {
        f.Name = Name?.Trim() ?? "";
        f.Type = Type == FormTypes.Hosted ? FormTypes.Hosted : FormTypes.Embed;
        // A landing page has no format (as `mailroom forms create` refuses one).
        f.Format = f.Type == FormTypes.Embed ? Format ?? "inline" : null;
        f.Title = Blank(Title);
        f.Description = Blank(Description);
        f.SignUpButtonText = Blank(SignUpButtonText);
        f.SuccessMessage = Blank(SuccessMessage);
        f.DoubleOptIn = DoubleOptIn;
        f.ConfirmationSubject = Blank(ConfirmationSubject);
        f.ConfirmationContent = Blank(ConfirmationContent);
        f.Archived = Archived;
    }

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>
/// Creates and edits forms and landing pages (Kit's APIs only read them; the CLI's <c>forms create</c> makes them too).
/// Names follow the form table's limit (255) in the API's wording; everything else is served as the hosted page shows it.
/// </summary>
public sealed class FormEditor(AppDbContext db, TimeProvider time)
{
    public const int NameMaxLength = 255;

    public static FormProblem Check(FormDraft draft) =>
        string.IsNullOrWhiteSpace(draft.Name) ? FormProblem.NameBlank
        : draft.Name.Trim().Length > NameMaxLength ? FormProblem.NameTooLong
        : draft.Type == FormTypes.Embed && draft.Format is not null && !FormDefaults.Formats.Contains(draft.Format) ? FormProblem.FormatInvalid
        : FormProblem.None;

    public async Task<(Form? Form, FormProblem Problem)> CreateAsync(long accountId, FormDraft draft, CancellationToken ct)
    {
        if (Check(draft) is var problem and not FormProblem.None) return (null, problem);
        var form = new Form { AccountId = accountId, Uid = FormDefaults.NewUid(), CreatedAt = time.UtcNowSeconds() };
        draft.ApplyTo(form);
        db.Forms.Add(form);
        await db.SaveChangesAsync(ct);
        return (form, FormProblem.None);
    }

    public async Task<(Form? Form, FormProblem Problem)> UpdateAsync(long accountId, long id, FormDraft draft, CancellationToken ct)
    {
        var form = await db.Forms.FirstOrDefaultAsync(f => f.AccountId == accountId && f.Id == id, ct);
        if (form is null) return (null, FormProblem.NotFound);
        if (Check(draft) is var problem and not FormProblem.None) return (null, problem);
        draft.ApplyTo(form);
        await db.SaveChangesAsync(ct);
        return (form, FormProblem.None);
    }
}
