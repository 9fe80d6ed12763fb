using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Institutions;

namespace Loki.Learning.Web.Tests.Ensembles;

public sealed class ClassCodeRulesTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static ClassCode Code(bool revoked = false, int expiresInMinutes = 60) => new()
    {
        Code = "ABCD2345",
        EnsembleId = Guid.NewGuid(),
        InstitutionId = 7,
        IssuedById = "teacher",
        ExpiresUtc = Now.AddMinutes(expiresInMinutes),
        Revoked = revoked,
    };

    [Fact]
    public void ACodeMustNameASchool() =>
        Assert.Equal("Refusal.ClassCodeNeedsSchool", ClassCodeRules.RefusalForSchool(null, null));

    [Fact]
    public void AnIdThatIsNoSchoolIsRefused() =>
        Assert.Equal("Refusal.InstitutionNotFound", ClassCodeRules.RefusalForSchool(999, null));

    [Theory]
    [InlineData(InstitutionKind.University)]
    [InlineData(InstitutionKind.Stage)]
    public void OnlyAKulturskolaTakesPupilsThroughACode(InstitutionKind kind)
    {
        Assert.Equal("Refusal.NotAPupilSchool", ClassCodeRules.RefusalForSchool(3, kind));
        Assert.Null(ClassCodeRules.RefusalForSchool(3, InstitutionKind.Kulturskola));
    }

    [Fact]
    public void AnActiveCodeOfAKulturskolaLetsAPupilAsk() =>
        Assert.Null(ClassCodeRules.RefusalForJoining(Code(), InstitutionKind.Kulturskola, Now));

    [Fact]
    public void ARevokedCodeIsRefusedBeforeItExpires()
    {
        Assert.Equal(ClassCodeState.Revoked, ClassCodeRules.StateOf(Code(revoked: true), Now));
        Assert.Equal("Refusal.RevokedClassCode", ClassCodeRules.RefusalForJoining(Code(revoked: true), InstitutionKind.Kulturskola, Now));
    }

    [Fact]
    public void ACodeExpiresAtItsExpiryInstant()
    {
        Assert.Equal(ClassCodeState.Expired, ClassCodeRules.StateOf(Code(expiresInMinutes: 0), Now));
        Assert.Equal(ClassCodeState.Active, ClassCodeRules.StateOf(Code(expiresInMinutes: 1), Now));
        Assert.Equal("Refusal.ExpiredClassCode", ClassCodeRules.RefusalForJoining(Code(expiresInMinutes: 0), InstitutionKind.Kulturskola, Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(InstitutionKind.University)]
    public void AnOlderCodeWithoutAPupilSchoolIsRefused(InstitutionKind? kind) =>
        Assert.Equal("Refusal.ClassCodeWithoutSchool", ClassCodeRules.RefusalForJoining(Code(), kind, Now));

    [Fact]
    public void NoSuchCodeIsAWrongCode() =>
        Assert.Equal("Refusal.WrongClassCode", ClassCodeRules.RefusalForJoining(null, null, Now));

    [Fact]
    public void ACodeIsReadTheWayAChildTypesIt() =>
        Assert.Equal("ABCD2345", ClassCodeRules.Normalize(" abcd-23 45 "));
}
